package calendar

import (
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, Stockholm)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		from, to string
		want     map[Period]time.Duration
	}{
		{"office only", "2026-11-23 09:00", "2026-11-23 10:30", map[Period]time.Duration{PeriodOffice: 90 * time.Minute}},
		{"across the evening", "2026-11-23 16:00", "2026-11-23 23:00", map[Period]time.Duration{PeriodOffice: time.Hour, PeriodEvening: 5 * time.Hour, PeriodNight: time.Hour}},
		{"friday night to monday", "2026-11-27 21:00", "2026-11-30 09:00", map[Period]time.Duration{PeriodEvening: time.Hour, PeriodNight: 2*time.Hour + 8*time.Hour, PeriodWeekend: 48 * time.Hour, PeriodOffice: time.Hour}},
		{"julafton is a holiday", "2026-12-23 21:00", "2026-12-24 10:00", map[Period]time.Duration{PeriodEvening: time.Hour, PeriodNight: 2 * time.Hour, PeriodHoliday: 10 * time.Hour}},
		// Sunday 2026-03-29 has 23 hours; the wait from Saturday 12:00 to
		// Monday 08:00 is 43 real hours.
		{"spring forward", "2026-03-28 12:00", "2026-03-30 08:00", map[Period]time.Duration{PeriodWeekend: 35 * time.Hour, PeriodNight: 8 * time.Hour}},
		{"empty", "2026-11-23 09:00", "2026-11-23 09:00", map[Period]time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Split(at(tt.from), at(tt.to))
			var total time.Duration
			for _, p := range Periods {
				if got[p] != tt.want[p] {
					t.Errorf("%s: %v, want %v", p, got[p], tt.want[p])
				}
				total += got[p]
			}
			if total != at(tt.to).Sub(at(tt.from)) {
				t.Errorf("parts add to %v, span is %v", total, at(tt.to).Sub(at(tt.from)))
			}
		})
	}
}

func BenchmarkSplitWeek(b *testing.B) {
	from := time.Date(2026, 12, 20, 10, 0, 0, 0, Stockholm)
	for b.Loop() {
		Split(from, from.Add(7*24*time.Hour))
	}
}
