package calendar

import (
	"cmp"
	"slices"
	"time"
)

// Shift is one concrete stretch of on-call duty, [Start, End). Who is on duty
// does not matter to coverage; PersonID is there to validate and to remove
// shifts for absences.
type Shift struct {
	PersonID int64
	Start    time.Time
	End      time.Time
}

// WeeklyShift is a recurring shift in a rota: every Weekday from Start to
// End, Stockholm wall clock, "HH:MM". A shift stays within one day: End must
// be after Start, and may be "24:00". An overnight duty 22:00–08:00 is
// written as two shifts, "22:00"–"24:00" on one day and "00:00"–"08:00" on
// the next; Gaps merges them into one covered stretch. This keeps each
// weekday's hours readable in the rota and makes "17:00–08:00" an error to
// correct rather than a guess.
type WeeklyShift struct {
	Weekday  time.Weekday
	Start    string
	End      string
	PersonID int64
}

// HolidayShift is a shift worked on every public holiday and eve, whatever
// its weekday. Same time rules as WeeklyShift.
type HolidayShift struct {
	Start    string
	End      string
	PersonID int64
}

// Absence removes a person's weekly and holiday shifts on the dates From to To,
// inclusive (holiday, sick leave).
type Absence struct {
	PersonID int64
	From, To Date
}

// Rota is an on-call rota: a weekly pattern, a pattern for public holidays
// and eves, absences from both, and one-off extra shifts.
//
// On a holiday or eve the holiday pattern replaces the weekly one, just as
// the policy's holiday window replaces the weekday or weekend one: people
// on a weekday rota are off on långfredagen, and a Saturday shift does not
// silently cover julafton. Extra shifts are not removed by absences: they
// are entered for a particular day and are taken as meant.
type Rota struct {
	Weekly   []WeeklyShift
	Holiday  []HolidayShift
	Absences []Absence
	Extra    []Shift
}

// Validate checks the weekly pattern, the absences and the extra shifts.
func (r Rota) Validate() error {
	if _, err := r.pattern(); err != nil {
		return err
	}
	for _, a := range r.Absences {
		if err := a.validate(); err != nil {
			return err
		}
	}
	return ValidateShifts(r.Extra)
}

// Expand turns the rota into the concrete shifts that overlap [from, to),
// sorted by start. Each weekly shift is placed with time.Date on its local
// date, so 08:00–22:00 stays 08:00–22:00 across DST changes and a
// 00:00–24:00 shift lasts 23 or 25 hours on the change days.
func (r Rota) Expand(from, to time.Time) ([]Shift, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	pattern, _ := r.pattern()
	var out []Shift
	keep := func(s Shift) {
		if s.Start.Before(to) && s.End.After(from) {
			out = append(out, s)
		}
	}
	last := DateOf(to)
	for d := DateOf(from); !d.After(last); d = d.AddDays(1) {
		_, holiday := IsHoliday(d)
		for _, w := range pattern {
			if w.appliesOn(d, holiday) && !r.absent(w.PersonID, d) {
				keep(Shift{w.PersonID, d.At(w.start), d.At(w.end)})
			}
		}
	}
	for _, s := range r.Extra {
		keep(s)
	}
	sortShifts(out)
	return out, nil
}

func (r Rota) absent(person int64, d Date) bool {
	for _, a := range r.Absences {
		if a.PersonID == person && !d.Before(a.From) && !d.After(a.To) {
			return true
		}
	}
	return false
}

func sortShifts(s []Shift) {
	slices.SortFunc(s, func(a, b Shift) int {
		return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End), cmp.Compare(a.PersonID, b.PersonID))
	})
}
