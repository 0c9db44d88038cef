// Package calendarfmt formats times for people: in Europe/Stockholm, the
// Swedish way (2026-11-23 14:05). Storage is UTC everywhere else.
package calendarfmt

import (
	"time"
	_ "time/tzdata" // Europe/Stockholm on machines without zoneinfo
)

// Stockholm is the municipality's time zone.
var Stockholm = mustLoad("Europe/Stockholm")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// DateTime formats t as "2006-01-02 15:04" in Stockholm time.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02 15:04")
}

// Date formats t as "2006-01-02" in Stockholm time.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02")
}
