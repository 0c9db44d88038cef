package calendar

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"tilltal/internal/apperr"
)

var weekdayNames = [...]string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"}

// WeekdayName returns the Swedish name of wd, lower case ("måndag").
func WeekdayName(wd time.Weekday) string {
	if wd < time.Sunday || wd > time.Saturday {
		return "okänd dag"
	}
	return weekdayNames[wd]
}

// weekly is a WeeklyShift or HolidayShift with its times parsed.
type weekly struct {
	WeeklyShift
	holiday    bool // from the holiday pattern; Weekday unused
	start, end TimeOfDay
}

func (w weekly) String() string {
	day := WeekdayName(w.Weekday)
	if w.holiday {
		day = "helgdag"
	}
	return fmt.Sprintf("%s %s–%s", day, w.Start, w.End)
}

func (w weekly) appliesOn(d Date, holiday bool) bool {
	if holiday {
		return w.holiday
	}
	return !w.holiday && w.Weekday == d.Weekday()
}

// pattern parses the weekly and holiday patterns together, so that overlap
// is checked within each.
func (r Rota) pattern() ([]weekly, error) {
	in := make([]weekly, 0, len(r.Weekly)+len(r.Holiday))
	for _, w := range r.Weekly {
		in = append(in, weekly{WeeklyShift: w})
	}
	for _, h := range r.Holiday {
		in = append(in, weekly{WeeklyShift: WeeklyShift{Start: h.Start, End: h.End, PersonID: h.PersonID}, holiday: true})
	}
	return parseWeekly(in)
}

// parseWeekly parses and checks a weekly pattern, returning the first error
// in input order so that the person sees the same message every time.
func parseWeekly(in []weekly) ([]weekly, error) {
	out := make([]weekly, 0, len(in))
	for _, ws := range in {
		w, err := parseWeeklyShift(ws)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	sorted := slices.Clone(out)
	slices.SortStableFunc(sorted, func(a, b weekly) int {
		return cmp.Or(cmp.Compare(a.PersonID, b.PersonID), a.dayKey()-b.dayKey(), cmp.Compare(a.start, b.start))
	})
	// Sorted by start, any overlap shows up between neighbours: if shift i
	// overlaps a later j, it overlaps i+1, which starts no later than j.
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if prev.PersonID == cur.PersonID && prev.dayKey() == cur.dayKey() && cur.start < prev.end {
			return nil, apperr.Invalidf("Samma person har två pass som överlappar (%s och %s)", prev, cur)
		}
	}
	return out, nil
}

// dayKey groups shifts that fall on the same day: a weekday, or 7 for the
// holiday pattern.
func (w weekly) dayKey() int {
	if w.holiday {
		return 7
	}
	return int(w.Weekday)
}

func parseWeeklyShift(ws weekly) (weekly, error) {
	if !ws.holiday && ws.Weekday < time.Sunday || ws.Weekday > time.Saturday {
		return weekly{}, apperr.Invalidf("Ogiltig veckodag i passet (%d)", int(ws.Weekday))
	}
	start, err := ParseTimeOfDay(ws.Start)
	if err != nil {
		return weekly{}, err
	}
	end, err := ParseTimeOfDay(ws.End)
	if err != nil {
		return weekly{}, err
	}
	w := ws
	w.start, w.end = start, end
	switch {
	case end < start:
		return weekly{}, apperr.Invalidf("Passet slutar före det börjar (%s). Dela ett pass över midnatt i två: till 24:00 och från 00:00 nästa dag", w)
	case end == start:
		return weekly{}, apperr.Invalidf("Passet slutar när det börjar (%s)", w)
	}
	return w, nil
}

func (a Absence) validate() error {
	if a.From.IsZero() || a.To.IsZero() {
		return apperr.Invalidf("Frånvaron saknar start- eller slutdatum")
	}
	if a.To.Before(a.From) {
		return apperr.Invalidf("Frånvaron slutar före den börjar (%s–%s)", a.From, a.To)
	}
	return nil
}

// ValidateShifts checks concrete shifts: both ends set, end after start, and
// no two shifts of the same person overlapping (touching is fine).
func ValidateShifts(shifts []Shift) error {
	for _, s := range shifts {
		if s.Start.IsZero() || s.End.IsZero() {
			return apperr.Invalidf("Passet saknar start- eller sluttid")
		}
		if !s.End.After(s.Start) {
			return apperr.Invalidf("Passet slutar före det börjar (%s)", formatShift(s))
		}
	}
	sorted := slices.Clone(shifts)
	slices.SortStableFunc(sorted, func(a, b Shift) int {
		return cmp.Or(cmp.Compare(a.PersonID, b.PersonID), a.Start.Compare(b.Start))
	})
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if prev.PersonID != cur.PersonID {
			continue
		}
		if cur.Start.Before(prev.End) {
			return apperr.Invalidf("Samma person har två pass som överlappar (%s och %s)", formatShift(prev), formatShift(cur))
		}
	}
	return nil
}

// formatShift shows a shift in Stockholm time, "måndag 2026-03-30 17:00–22:00",
// with the end date only when it differs.
func formatShift(s Shift) string {
	a, b := s.Start.In(Stockholm), s.End.In(Stockholm)
	end := b.Format("15:04")
	if DateOf(a) != DateOf(b) {
		end = WeekdayName(b.Weekday()) + " " + b.Format("2006-01-02 15:04")
	}
	return WeekdayName(a.Weekday()) + " " + a.Format("2006-01-02 15:04") + "–" + end
}
