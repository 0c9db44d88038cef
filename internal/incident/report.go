package incident

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"tilltal/internal/moderation/score"
)

// Count is one row of a breakdown.
type Count struct {
	Label string
	N     int
}

// Report is the moderation report for a period: cases by crime and by
// channel, how fast content was removed, and what was reported to the
// police.
type Report struct {
	From, To   time.Time
	Total      int
	ByCategory []Count
	ByChannel  []Count
	// Removed counts cases whose content is off the public view;
	// WithinTarget those removed within their channel's target.
	Removed      int
	WithinTarget int
	StillVisible int
	// MedianRemoval and MaxRemoval are times from arrival to removal.
	MedianRemoval time.Duration
	MaxRemoval    time.Duration
	// PoliceReports counts cases with the police's report number; Tips
	// the tips about child sexual abuse material.
	PoliceReports int
	Tips          int
	Unreported    int
}

// Report computes the report for cases opened in [from, to), in the given
// channels (nil for all). It holds figures only, no content.
func (s *Store) Report(ctx context.Context, channels []int64, from, to time.Time) (Report, error) {
	r := Report{From: from, To: to}
	if channels != nil && len(channels) == 0 {
		return r, nil
	}
	q := `SELECT n.category, c.name, n.received_at, n.removed_at, n.removal_target_minutes, n.police_report_number, n.tip_reference, n.status
		FROM incidents n JOIN channels c ON c.id = n.channel_id WHERE n.opened_at >= ? AND n.opened_at < ?`
	args := []any{from.UTC(), to.UTC()}
	if channels != nil {
		q += " AND n.channel_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(channels)), ",") + ")"
		for _, id := range channels {
			args = append(args, id)
		}
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return r, wrap("report", err)
	}
	defer rows.Close()
	byCat, byChannel := map[string]int{}, map[string]int{}
	var times []time.Duration
	for rows.Next() {
		var cat, channelName, number, tip, status string
		var received time.Time
		var removed sql.NullTime
		var minutes int
		if err := rows.Scan(&cat, &channelName, &received, &removed, &minutes, &number, &tip, &status); err != nil {
			return r, err
		}
		r.Total++
		label := cat
		if c, err := score.ParseCategory(cat); err == nil {
			label = c.Swedish()
		}
		byCat[label]++
		byChannel[channelName]++
		switch {
		case number != "":
			r.PoliceReports++
		case tip != "":
			r.Tips++
		case status == string(StatusOpen):
			r.Unreported++
		}
		if !removed.Valid {
			r.StillVisible++
			continue
		}
		d := max(removed.Time.Sub(received), 0)
		times = append(times, d)
		r.Removed++
		if d <= time.Duration(minutes)*time.Minute {
			r.WithinTarget++
		}
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.ByCategory, r.ByChannel = counts(byCat), counts(byChannel)
	if len(times) > 0 {
		sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
		r.MedianRemoval, r.MaxRemoval = times[len(times)/2], times[len(times)-1]
	}
	return r, nil
}

// counts sorts a breakdown, largest first, then by name.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Label: k, N: n})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].N != out[b].N {
			return out[a].N > out[b].N
		}
		return out[a].Label < out[b].Label
	})
	return out
}
