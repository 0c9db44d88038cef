package calendar

import (
	"slices"
	"sync"
	"time"
)

// Holiday is a Swedish public holiday (allmän helgdag) or one of the eves
// that are de facto days off. Eves are kept apart because they are not
// holidays in law, yet nobody works them; callers that care can tell them
// apart, while coverage and classification treat both as holidays.
type Holiday struct {
	Date Date
	Name string // Swedish, lower case as in running text: "juldagen"
	Eve  bool
}

// Easter returns Easter Sunday of the given year in the Gregorian calendar,
// by the anonymous Gregorian computus (as given by Meeus). Valid from 1583.
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return Date{year, time.Month(n / 31), n%31 + 1}
}

// firstWeekday returns the first date on or after from that is a wd.
func firstWeekday(from Date, wd time.Weekday) Date {
	return from.AddDays((int(wd) - int(from.Weekday()) + 7) % 7)
}

var holidayCache sync.Map // int year -> []Holiday, never modified once stored

// Holidays returns the public holidays and eves of year, sorted by date, by
// the rules in force since 2005 (when nationaldagen became a holiday).
// Pingstdagen is included although it always falls on a Sunday. Two entries
// may share a date (Kristi himmelsfärdsdag on 1 May, pingstdagen on 6 June).
// The slice is the caller's to modify.
func Holidays(year int) []Holiday {
	return slices.Clone(holidays(year))
}

func holidays(year int) []Holiday {
	if h, ok := holidayCache.Load(year); ok {
		return h.([]Holiday)
	}
	h := computeHolidays(year)
	holidayCache.Store(year, h)
	return h
}

func computeHolidays(year int) []Holiday {
	easter := Easter(year)
	midsummer := firstWeekday(Date{year, time.June, 20}, time.Saturday)
	allSaints := firstWeekday(Date{year, time.October, 31}, time.Saturday)
	fixed := func(m time.Month, d int) Date { return Date{year, m, d} }
	h := []Holiday{
		{fixed(time.January, 1), "nyårsdagen", false},
		{fixed(time.January, 6), "trettondedag jul", false},
		{easter.AddDays(-2), "långfredagen", false},
		{easter.AddDays(-1), "påskafton", true},
		{easter, "påskdagen", false},
		{easter.AddDays(1), "annandag påsk", false},
		{fixed(time.May, 1), "första maj", false},
		{easter.AddDays(39), "Kristi himmelsfärdsdag", false},
		{easter.AddDays(49), "pingstdagen", false},
		{fixed(time.June, 6), "nationaldagen", false},
		{midsummer.AddDays(-1), "midsommarafton", true},
		{midsummer, "midsommardagen", false},
		{allSaints, "alla helgons dag", false},
		{fixed(time.December, 24), "julafton", true},
		{fixed(time.December, 25), "juldagen", false},
		{fixed(time.December, 26), "annandag jul", false},
		{fixed(time.December, 31), "nyårsafton", true},
	}
	slices.SortStableFunc(h, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return h
}

// IsHoliday reports whether d is a public holiday or an eve, and which. When
// two fall on the same day the first in Holidays order is returned.
func IsHoliday(d Date) (Holiday, bool) {
	for _, h := range holidays(d.Year) {
		if h.Date == d {
			return h, true
		}
	}
	return Holiday{}, false
}
