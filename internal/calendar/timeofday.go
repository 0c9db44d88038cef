package calendar

import (
	"fmt"

	"tilltal/internal/apperr"
)

// TimeOfDay is a wall clock time as minutes since midnight, 0 to 1440.
// 1440 ("24:00") is allowed so that a shift or window can end at midnight.
type TimeOfDay int

// Midnight and EndOfDay bound a whole day.
const (
	Midnight TimeOfDay = 0
	EndOfDay TimeOfDay = 24 * 60
)

// Clock returns the time of day h:m; it does not check the range.
func Clock(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

// ParseTimeOfDay parses "HH:MM" (two digits each, 00:00 to 23:59, or
// 24:00). It is strict because rota times come from forms and an ambiguous
// "8" or "8.30" should be corrected by the person, not guessed.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, invalidTime(s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, invalidTime(s)
	}
	return Clock(h, m), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func invalidTime(s string) error {
	return apperr.Invalidf("Ogiltig tid %q: ange tiden som TT:MM, till exempel 08:00 eller 24:00", s)
}

// String returns "HH:MM".
func (t TimeOfDay) String() string {
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

// Valid reports whether t lies within 00:00 to 24:00.
func (t TimeOfDay) Valid() bool { return t >= Midnight && t <= EndOfDay }
