package calendar

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"normalise", NewDate(2026, time.April, 31), Date{2026, time.May, 1}},
		{"add across year", Date{2026, 12, 31}.AddDays(1), Date{2027, 1, 1}},
		{"subtract", Date{2026, 3, 1}.AddDays(-1), Date{2026, 2, 28}},
		{"weekday", Date{2026, 3, 29}.Weekday(), time.Sunday},
		{"string", Date{2026, 3, 9}.String(), "2026-03-09"},
		{"DateOf UTC late evening", DateOf(utc(2026, 6, 30, 22, 30)), Date{2026, 7, 1}},
		{"DateOf UTC in winter", DateOf(utc(2026, 1, 1, 22, 59)), Date{2026, 1, 1}},
		{"start in CEST", Date{2026, 3, 30}.Start().Equal(utc(2026, 3, 29, 22, 0)), true},
		{"24:00 is next midnight", Date{2026, 10, 25}.At(EndOfDay).Equal(Date{2026, 10, 26}.Start()), true},
		{"compare", Date{2026, 1, 2}.Compare(Date{2025, 12, 31}), 1},
		{"in stockholm offset", offset(InStockholm(utc(2026, 7, 1, 12, 0))), 2 * 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func offset(t time.Time) int {
	_, off := t.Zone()
	return off
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	if d, err := ParseDate("2026-06-19"); err != nil || d != (Date{2026, 6, 19}) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	if _, err := ParseDate("19/6 2026"); err == nil {
		t.Error("ParseDate accepted a non-ISO date")
	}
}
