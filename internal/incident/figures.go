package incident

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"tilltal/internal/moderation/score"
	"tilltal/internal/report"
)

// IncidentFigures gives the report package its incident figures: the cases
// about items posted in the filter's period and scope, per crime, with the
// time from arrival to removal at the median and the 90th percentile
// (nearest rank), and how many were reported to the police (a K-nummer or,
// for child sexual abuse material, a tip).
func (s *Store) IncidentFigures(ctx context.Context, f report.Filter) ([]report.IncidentFigure, error) {
	conds := []string{"n.posted_at >= ?", "n.posted_at < ?"}
	args := []any{f.Start().UTC(), f.End().UTC()}
	if f.Channels != nil {
		if len(f.Channels) == 0 {
			return nil, nil
		}
		conds = append(conds, "n.channel_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Channels)), ",")+")")
		for _, id := range f.Channels {
			args = append(args, id)
		}
	}
	if f.ChannelID != 0 {
		conds, args = append(conds, "n.channel_id = ?"), append(args, f.ChannelID)
	}
	if f.DepartmentID != 0 {
		conds, args = append(conds, "n.department_id = ?"), append(args, f.DepartmentID)
	}
	rows, err := s.DB.Query(ctx, `SELECT n.category, n.received_at, n.removed_at, n.police_report_number, n.tip_reference
		FROM incidents n WHERE `+strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, wrap("figures", err)
	}
	defer rows.Close()
	type acc struct {
		fig   report.IncidentFigure
		times []time.Duration
	}
	by := map[score.Category]*acc{}
	for rows.Next() {
		var cat, number, tip string
		var received time.Time
		var removed sql.NullTime
		if err := rows.Scan(&cat, &received, &removed, &number, &tip); err != nil {
			return nil, err
		}
		c, err := score.ParseCategory(cat)
		if err != nil {
			continue
		}
		a := by[c]
		if a == nil {
			a = &acc{fig: report.IncidentFigure{Category: c.Swedish()}}
			by[c] = a
		}
		a.fig.Cases++
		if number != "" || tip != "" {
			a.fig.Reported++
		}
		if removed.Valid {
			a.fig.Removed++
			a.times = append(a.times, max(removed.Time.Sub(received), 0))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []report.IncidentFigure
	for _, c := range score.Categories() {
		a := by[c]
		if a == nil {
			continue
		}
		slices.Sort(a.times)
		a.fig.Median, a.fig.P90 = nearestRank(a.times, 50), nearestRank(a.times, 90)
		out = append(out, a.fig)
	}
	return out, nil
}

// nearestRank is the p-th percentile of sorted durations by nearest rank.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
