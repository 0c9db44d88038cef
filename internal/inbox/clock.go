package inbox

import (
	"time"

	"tilltal/internal/calendar"
)

// Clock is an item's response time: from when it was written to the first
// answer (or to now while it waits), and how much of that fell in office
// hours, evenings, nights, weekends and holidays — the guideline asks for
// answers evenings and weekends too, and this shows whether they come.
type Clock struct {
	Waited   time.Duration
	Answered bool
	Parts    []ClockPart
}

// ClockPart is the time spent in one period.
type ClockPart struct {
	Period   calendar.Period
	Duration time.Duration
}

// ResponseClock computes the item's clock at now.
func (it Item) ResponseClock(now time.Time) Clock {
	end := now
	c := Clock{}
	if it.FirstResponseAt != nil {
		end, c.Answered = *it.FirstResponseAt, true
	}
	if end.Before(it.PostedAt) {
		end = it.PostedAt
	}
	c.Waited = end.Sub(it.PostedAt)
	split := calendar.Split(it.PostedAt, end)
	for _, p := range calendar.Periods {
		if d := split[p]; d > 0 {
			c.Parts = append(c.Parts, ClockPart{Period: p, Duration: d})
		}
	}
	return c
}
