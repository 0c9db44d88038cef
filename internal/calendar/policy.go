package calendar

import (
	"time"

	"tilltal/internal/apperr"
)

// DayKind is the kind of day a coverage policy distinguishes.
type DayKind int

// The kinds of day. A public holiday or eve that falls on a weekend is
// KindHoliday: the stricter day wins.
const (
	KindWeekday DayKind = iota // Monday to Friday, not a holiday or eve
	KindWeekend                // Saturday or Sunday, not a holiday or eve
	KindHoliday                // public holiday or eve (julafton, midsommarafton …)
)

var dayKindLabels = [...]string{"vardag", "helg", "helgdag"}

// String returns the Swedish label.
func (k DayKind) String() string {
	if k < 0 || int(k) >= len(dayKindLabels) {
		return "okänd"
	}
	return dayKindLabels[k]
}

// DayKindOf returns the kind of day d is.
func DayKindOf(d Date) DayKind {
	if _, ok := IsHoliday(d); ok {
		return KindHoliday
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return KindWeekend
	}
	return KindWeekday
}

// Window is the part of a day, in Stockholm wall clock time, during which
// someone must be on duty. The zero Window requires nothing ("not required").
// A window does not cross midnight; End may be 24:00.
type Window struct {
	Start, End TimeOfDay
}

// NotRequired is the window of a day kind on which no one need be on duty.
var NotRequired = Window{}

// ParseWindow parses a window from two "HH:MM" strings, as entered in a form.
func ParseWindow(start, end string) (Window, error) {
	s, err := ParseTimeOfDay(start)
	if err != nil {
		return Window{}, err
	}
	e, err := ParseTimeOfDay(end)
	if err != nil {
		return Window{}, err
	}
	w := Window{s, e}
	return w, w.Validate()
}

// Required reports whether the window requires anyone at all.
func (w Window) Required() bool { return w.End > w.Start }

// Validate accepts the zero window and any window with Start < End in range.
func (w Window) Validate() error {
	if w == NotRequired {
		return nil
	}
	if !w.Start.Valid() || !w.End.Valid() || w.Start == EndOfDay {
		return apperr.Invalidf("Ogiltig tid i bevakningstiden (%s)", w)
	}
	if w.End <= w.Start {
		return apperr.Invalidf("Bevakningstiden slutar före den börjar (%s)", w)
	}
	return nil
}

// String returns "08:00–22:00", or "krävs inte" for the zero window.
func (w Window) String() string {
	if w == NotRequired {
		return "krävs inte"
	}
	return w.Start.String() + "–" + w.End.String()
}

// Policy says when a channel must be watched, per kind of day.
type Policy struct {
	Weekday Window
	Weekend Window
	Holiday Window
}

// DefaultPolicy requires someone on duty 08:00–22:00 every day, weekends and
// holidays included: the municipality's rule that questions are handled
// promptly also evenings and weekends.
func DefaultPolicy() Policy {
	w := Window{Clock(8, 0), Clock(22, 0)}
	return Policy{Weekday: w, Weekend: w, Holiday: w}
}

// For returns the window for a kind of day.
func (p Policy) For(k DayKind) Window {
	switch k {
	case KindWeekend:
		return p.Weekend
	case KindHoliday:
		return p.Holiday
	default:
		return p.Weekday
	}
}

// Validate checks every window.
func (p Policy) Validate() error {
	for _, w := range []Window{p.Weekday, p.Weekend, p.Holiday} {
		if err := w.Validate(); err != nil {
			return err
		}
	}
	return nil
}
