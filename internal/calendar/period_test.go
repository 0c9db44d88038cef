package calendar

import (
	"testing"
	"time"
)

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Stockholm)
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Time
		want Period
	}{
		{"tuesday 07:59", local(2026, 3, 10, 7, 59), PeriodNight},
		{"tuesday 08:00", local(2026, 3, 10, 8, 0), PeriodOffice},
		{"tuesday 16:59", local(2026, 3, 10, 16, 59), PeriodOffice},
		{"tuesday 17:00", local(2026, 3, 10, 17, 0), PeriodEvening},
		{"tuesday 21:59", local(2026, 3, 10, 21, 59), PeriodEvening},
		{"tuesday 22:00", local(2026, 3, 10, 22, 0), PeriodNight},
		{"17:00 CET given in UTC", utc(2026, 3, 10, 16, 0), PeriodEvening},
		{"17:00 CEST given in UTC", utc(2026, 6, 10, 15, 0), PeriodEvening},
		{"16:59 CEST given in UTC", utc(2026, 6, 10, 14, 59), PeriodOffice},
		{"saturday morning", local(2026, 3, 14, 10, 0), PeriodWeekend},
		{"sunday night", local(2026, 3, 15, 23, 0), PeriodWeekend},
		{"julafton office hours", local(2026, 12, 24, 10, 0), PeriodHoliday},
		{"julafton evening", local(2026, 12, 24, 17, 0), PeriodHoliday},
		{"day before julafton 17:00", local(2026, 12, 23, 17, 0), PeriodEvening},
		{"nationaldagen on saturday", local(2026, 6, 6, 12, 0), PeriodHoliday},
		{"UTC evening that is julafton in Stockholm", utc(2026, 12, 23, 23, 30), PeriodHoliday},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Classify(tt.at); got != tt.want {
				t.Errorf("Classify(%s) = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}

func TestPeriodLabels(t *testing.T) {
	t.Parallel()
	want := []string{"kontorstid", "kväll", "natt", "helg", "helgdag"}
	for i, p := range Periods {
		if p.String() != want[i] {
			t.Errorf("Period %d = %q, want %q", i, p, want[i])
		}
	}
}

func TestHourOfWeek(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"monday midnight", local(2026, 3, 9, 0, 0), 0},
		{"tuesday 17:00", local(2026, 3, 10, 17, 0), 41},
		{"sunday 23:30", local(2026, 3, 15, 23, 30), 167},
		{"UTC sunday 23:30 is monday in Stockholm", utc(2026, 3, 15, 23, 30), 0},
		{"after spring change", local(2026, 3, 29, 3, 0), 6*24 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := HourOfWeek(tt.at); got != tt.want {
				t.Errorf("HourOfWeek(%s) = %d, want %d", tt.at, got, tt.want)
			}
		})
	}
}
