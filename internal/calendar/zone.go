// Package calendar answers the questions about Swedish time that the channel
// registry and the reports ask: what day it is in Stockholm, whether it is a
// public holiday, whether an instant falls in office hours, and where an
// on-call rota leaves required hours uncovered.
//
// Instants are time.Time in any zone; every rule is applied to Stockholm wall
// clock time, because that is what the rota and the law are written in.
// Everything here is pure computation: no database, no clock.
package calendar

import (
	"fmt"
	"time"

	// Embedded zone data, so that Europe/Stockholm resolves on servers and
	// containers without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Stockholm is the Europe/Stockholm zone, in which all of Tilltal's working
// hours, holidays and rotas are expressed.
var Stockholm = mustLoad("Europe/Stockholm")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen with time/tzdata linked in; failing loudly at start
		// beats silently computing in UTC.
		panic(fmt.Sprintf("calendar: load %s: %v", name, err))
	}
	return loc
}

// InStockholm returns t as Stockholm wall clock time (the same instant).
func InStockholm(t time.Time) time.Time { return t.In(Stockholm) }

// Date is a calendar day in Stockholm, without a time or zone. It is a
// value type so that it can be compared with == and used as a map key.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, normalising overflow the way time.Date does
// (31 April becomes 1 May).
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// DateOf returns the Stockholm calendar day on which the instant t falls.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Stockholm).Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO date "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: parse date %q: %w", s, err)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// noon is the date at noon UTC: a fixed anchor for day arithmetic and weekday
// that no zone offset can push onto another day.
func (d Date) noon() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
}

// AddDays returns the date n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.noon().Compare(e.noon()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Start returns the instant the day begins in Stockholm (local midnight).
func (d Date) Start() time.Time { return d.At(0) }

// At returns the instant at wall clock time tod on this day in Stockholm.
// "24:00" is the start of the next day. It is built with time.Date from
// wall clock fields, never by adding hours to midnight, so that days of 23
// and 25 hours come out right. A wall time that does not exist (02:30 on the
// spring change day) is resolved as time.Date does.
func (d Date) At(tod TimeOfDay) time.Time {
	m := int(tod)
	return time.Date(d.Year, d.Month, d.Day, m/60, m%60, 0, 0, Stockholm)
}
