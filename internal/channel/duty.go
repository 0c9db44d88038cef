package channel

import (
	"context"
	"time"

	"tilltal/internal/calendar"
)

// OnDuty returns who is on call for a channel at the instant: the people
// whose shifts (weekly, holiday, or one-off, minus absences) cover it.
func (s *Store) OnDuty(ctx context.Context, channelID int64, at time.Time) ([]int64, error) {
	r, err := loadRota(ctx, s.DB, channelID)
	if err != nil {
		return nil, err
	}
	day := calendar.DateOf(at)
	shifts, err := r.Calendar().Expand(day.AddDays(-1).Start(), day.AddDays(1).Start())
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, sh := range shifts {
		if !at.Before(sh.Start) && at.Before(sh.End) && !containsID(out, sh.PersonID) {
			out = append(out, sh.PersonID)
		}
	}
	return out, nil
}

// CoveredTime is how much of [from, to) falls inside the channel's coverage
// policy: the hours in which someone should be watching. Response targets
// count only these hours.
func (s *Store) CoveredTime(ctx context.Context, channelID int64, from, to time.Time) (time.Duration, error) {
	c, err := s.Get(ctx, System, channelID)
	if err != nil {
		return 0, err
	}
	// With no shifts at all, every required window is a gap: their total
	// is the covered time.
	var total time.Duration
	for _, g := range calendar.Gaps(c.Policy, nil, from, to) {
		total += g.Duration()
	}
	return total, nil
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}
