package report

import (
	"net/url"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
)

// periodNames are the periods as the inbox's drill-down parameter names
// them, in calendar.Periods order.
var periodNames = [...]string{"office", "evening", "night", "weekend", "holiday"}

// PeriodName names a period for links and exports.
func PeriodName(p calendar.Period) string { return periodNames[p] }

// ParsePeriod reads a period name.
func ParsePeriod(s string) (calendar.Period, error) {
	for i, n := range periodNames {
		if n == s {
			return calendar.Period(i), nil
		}
	}
	return 0, apperr.Invalidf("Okänd tid på dygnet %q", s)
}

// dayBounds are the wall clock times at which calendar.Classify may change
// within a day.
var dayBounds = []calendar.TimeOfDay{0, calendar.OfficeStart, calendar.OfficeEnd, calendar.EveningEnd, calendar.EndOfDay}

// PeriodSpans returns the spans of the days from..to that are of period p,
// as calendar.Classify decides, joined where they touch: what the inbox
// filters on when a report drills down to items that arrived in, say,
// the evenings of a month.
func PeriodSpans(from, to calendar.Date, p calendar.Period) []inbox.Span {
	var out []inbox.Span
	for d := from; !d.After(to); d = d.AddDays(1) {
		for i := 0; i+1 < len(dayBounds); i++ {
			a, b := d.At(dayBounds[i]), d.At(dayBounds[i+1])
			if !a.Before(b) || calendar.Classify(a) != p {
				continue
			}
			if n := len(out); n > 0 && out[n-1].To.Equal(a) {
				out[n-1].To = b
			} else {
				out = append(out, inbox.Span{From: a, To: b})
			}
		}
	}
	return out
}

// HourSpans returns the spans of the days from..to that fall in hour how
// of the week, as calendar.HourOfWeek counts it.
func HourSpans(from, to calendar.Date, how int) []inbox.Span {
	var out []inbox.Span
	weekday, hour := how/24, how%24
	for d := from; !d.After(to); d = d.AddDays(1) {
		if (int(d.Weekday())+6)%7 != weekday {
			continue
		}
		a, b := hourStart(d, hour), hourStart(d, hour+1)
		if a.Before(b) {
			out = append(out, inbox.Span{From: a, To: b})
		}
	}
	return out
}

// hourStart is the first instant of day d whose wall clock shows hour h
// (24: the next day's start). On the autumn change day 02:00–03:00
// happens twice and d.At names the second; the first comes an hour
// earlier with the same hour on the clock.
func hourStart(d calendar.Date, h int) time.Time {
	if h == 24 {
		return d.AddDays(1).Start()
	}
	a := d.At(calendar.Clock(h, 0))
	if earlier := a.Add(-time.Hour); earlier.In(calendar.Stockholm).Hour() == h && calendar.DateOf(earlier) == d {
		return earlier
	}
	return a
}

// InboxLink is the inbox listing the items behind a figure: the public's
// items of f's period and scope, narrowed by the pairs given (parameter
// name, value) as the inbox's filter reads them.
func InboxLink(f Filter, pairs ...string) string {
	v := url.Values{}
	v.Set("status", "all")
	v.Set("from", "public")
	v.Set("order", "oldest")
	v.Set("since", f.From.String())
	v.Set("until", f.To.String())
	if f.ChannelID != 0 {
		v.Set("channel", strconv.FormatInt(f.ChannelID, 10))
	}
	if f.DepartmentID != 0 {
		v.Set("department", strconv.FormatInt(f.DepartmentID, 10))
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return "/inkorg?" + v.Encode()
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

// PageLink is the address of a report page for f's period and filters.
func PageLink(name string, f Filter) string {
	v := url.Values{}
	v.Set("from", f.From.String())
	v.Set("to", f.To.String())
	if f.ChannelID != 0 {
		v.Set("channel", id64(f.ChannelID))
	}
	if f.DepartmentID != 0 {
		v.Set("department", id64(f.DepartmentID))
	}
	return "/rapporter/" + name + "?" + v.Encode()
}
