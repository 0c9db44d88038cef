// Package report computes the figures that show whether the municipality
// keeps its own guideline: how much arrives on which channel, how fast the
// first answer comes (in office hours, evenings, weekends and on holidays),
// how many questions and positive comments are answered, how quickly the
// departments help, what was flagged, and where the rota leaves channels
// unwatched.
//
// Every figure is about the items that arrived in a period (Stockholm
// dates, both ends included), seen by a viewer's scope and filtered by
// department and channel. The figures are read from report_days, a table of
// one row per day, channel, department and platform that the report.refresh
// job keeps current from the inbox; Direct computes the same rows straight
// from the items, and the tests hold the two to the same figures.
//
// Incidents have no table yet. The moderation report shows what items.flags
// holds and says "no data" for incidents; IncidentQuery is the query the
// incident figures will need once the moderation package records cases.
package report

import (
	"context"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/intake"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
)

// Store computes reports from the database.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// Channels gives the rotas for the coverage report.
	Channels *channel.Store
	// Intake gives the events that no channel owns.
	Intake *intake.Store
	// Incidents gives the incident figures; nil until incidents are kept.
	Incidents IncidentSource
	// Queue runs rebuilds; Outbox sends the weekly digest, with links to
	// BaseURL, to the people Scope says what they see.
	Queue   *jobs.Queue
	Outbox  *notify.Outbox
	BaseURL string
	Scope   ScopeFunc
}

// ScopeFunc returns the channels a person may see, nil for all.
type ScopeFunc func(ctx context.Context, userID int64) ([]int64, error)

// MaxDays bounds a report's period: three years of days is more than any
// report needs and keeps a mistyped year from reading a century.
const MaxDays = 3 * 366

// Filter selects what a report covers.
type Filter struct {
	// From and To are Stockholm dates; both are included.
	From, To calendar.Date
	// DepartmentID and ChannelID narrow the report; 0 means all.
	DepartmentID int64
	ChannelID    int64
	// Channels is the viewer's scope: nil means every channel, an empty
	// slice none.
	Channels []int64
}

// Start is the instant the period begins.
func (f Filter) Start() time.Time { return f.From.Start() }

// End is the instant after the period ends.
func (f Filter) End() time.Time { return f.To.AddDays(1).Start() }

// Days is the number of days in the period.
func (f Filter) Days() int {
	n := 0
	for d := f.From; !d.After(f.To); d = d.AddDays(1) {
		n++
		if n > MaxDays {
			break
		}
	}
	return n
}

// Previous is the period of the same length just before f, with the same
// filters: what the report compares with.
func (f Filter) Previous() Filter {
	p := f
	n := f.Days()
	p.To = f.From.AddDays(-1)
	p.From = f.From.AddDays(-n)
	return p
}

// Validate checks the period.
func (f Filter) Validate() error {
	if f.From.IsZero() || f.To.IsZero() {
		return apperr.Invalidf("Ange en period med start- och slutdatum")
	}
	if f.To.Before(f.From) {
		return apperr.Invalidf("Perioden slutar före den börjar")
	}
	if f.Days() > MaxDays {
		return apperr.Invalidf("Perioden får vara högst %d dagar", MaxDays)
	}
	return nil
}

// sees reports whether the scope includes a channel.
func (f Filter) sees(channelID int64) bool {
	if f.Channels == nil {
		return true
	}
	for _, id := range f.Channels {
		if id == channelID {
			return true
		}
	}
	return false
}

// CheckScope refuses a channel filter outside the viewer's scope as not
// found, the way single channels are refused elsewhere.
func (f Filter) CheckScope() error {
	if f.ChannelID != 0 && !f.sees(f.ChannelID) {
		return apperr.NotFoundf("Kanalen finns inte")
	}
	return nil
}

// DefaultPeriod is the 30 days up to and including today.
func DefaultPeriod(now time.Time) (from, to calendar.Date) {
	to = calendar.DateOf(now)
	return to.AddDays(-29), to
}
