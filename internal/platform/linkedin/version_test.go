package linkedin

import (
	"testing"
	"time"
)

func TestDaysUntilSunset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version string
		now     time.Time
		days    int
		ok      bool
	}{
		{"202603", time.Date(2027, 3, 6, 0, 0, 0, 0, time.UTC), 10, true},
		{"202603", time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC), 0, true},
		{"202603", time.Date(2027, 3, 16, 12, 0, 0, 0, time.UTC), -1, true},
		{"202511", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), -7, true},
		{"209901", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.version+tc.now.Format("2006-01-02T15"), func(t *testing.T) {
			t.Parallel()
			days, ok := DaysUntilSunset(tc.version, tc.now)
			if days != tc.days || ok != tc.ok {
				t.Fatalf("DaysUntilSunset = %d, %v; want %d, %v", days, ok, tc.days, tc.ok)
			}
		})
	}
}

func TestVersionStatus(t *testing.T) {
	t.Parallel()
	if _, ok := Sunsets[Version]; !ok {
		t.Fatalf("Version %s has no sunset date in Sunsets", Version)
	}
	tests := []struct {
		name    string
		version string
		now     time.Time
		warn    bool
	}{
		{"far", "202603", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{"within warning", "202603", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"past", "202510", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), true},
		{"unknown", "209901", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			info := statusOf(tc.version, tc.now)
			if info.Warn != tc.warn || info.Message == "" || info.Version != tc.version {
				t.Fatalf("statusOf = %+v", info)
			}
		})
	}
}

func TestSplitCommentURN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		urn, thread, id string
		ok              bool
	}{
		{"urn:li:comment:(urn:li:activity:123,456)", "urn:li:activity:123", "456", true},
		{"urn:li:comment:(urn:li:ugcPost:7,8)", "urn:li:ugcPost:7", "8", true},
		{"urn:li:comment:(urn:li:activity:123,)", "", "", false},
		{"urn:li:share:123", "", "", false},
		{"urn:li:comment:(,4)", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.urn, func(t *testing.T) {
			t.Parallel()
			thread, id, ok := splitCommentURN(tc.urn)
			if thread != tc.thread || id != tc.id || ok != tc.ok {
				t.Fatalf("= %q %q %v", thread, id, ok)
			}
		})
	}
	if got := enc("urn:li:comment:(urn:li:activity:1,2)"); got != "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A1%2C2%29" {
		t.Fatalf("enc = %s", got)
	}
}
