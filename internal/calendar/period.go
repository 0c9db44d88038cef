package calendar

import "time"

// Period is the kind of time an instant falls in, for reports on when
// messages arrive and are answered.
type Period int

// The periods. Whole days that are public holidays or eves are PeriodHoliday
// and whole Saturdays and Sundays PeriodWeekend, night included: a report
// asks "was it a day off", and the night split only matters on workdays.
const (
	PeriodOffice  Period = iota // weekday 08:00–17:00
	PeriodEvening               // weekday 17:00–22:00
	PeriodNight                 // weekday 00:00–08:00 and 22:00–24:00
	PeriodWeekend               // Saturday and Sunday
	PeriodHoliday               // public holiday or eve, any weekday
)

// Periods lists every period in report order.
var Periods = []Period{PeriodOffice, PeriodEvening, PeriodNight, PeriodWeekend, PeriodHoliday}

var periodLabels = [...]string{"kontorstid", "kväll", "natt", "helg", "helgdag"}

// String returns the Swedish label shown in reports.
func (p Period) String() string {
	if p < 0 || int(p) >= len(periodLabels) {
		return "okänd"
	}
	return periodLabels[p]
}

// Office hours and evening bounds, Stockholm wall clock.
const (
	OfficeStart TimeOfDay = 8 * 60
	OfficeEnd   TimeOfDay = 17 * 60
	EveningEnd  TimeOfDay = 22 * 60
)

// Classify returns the period the instant t falls in, in Stockholm time.
// Bounds are half-open: 17:00 exactly is evening, 08:00 exactly is office.
func Classify(t time.Time) Period {
	local := t.In(Stockholm)
	switch DayKindOf(DateOf(local)) {
	case KindHoliday:
		return PeriodHoliday
	case KindWeekend:
		return PeriodWeekend
	}
	tod := Clock(local.Hour(), local.Minute())
	switch {
	case tod >= OfficeStart && tod < OfficeEnd:
		return PeriodOffice
	case tod >= OfficeEnd && tod < EveningEnd:
		return PeriodEvening
	default:
		return PeriodNight
	}
}

// HourOfWeek returns the hour of the week of t in Stockholm time, 0 for
// Monday 00:00–00:59 up to 167 for Sunday 23:00–23:59, for heat maps. On
// DST change days one index is skipped or counted twice, as on the clock.
func HourOfWeek(t time.Time) int {
	local := t.In(Stockholm)
	day := (int(local.Weekday()) + 6) % 7 // Monday = 0
	return day*24 + local.Hour()
}
