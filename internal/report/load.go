package report

import (
	"context"
	"fmt"
	"strings"

	"tilltal/internal/calendar"
)

// scopeWhere is the filter's channel and department conditions on a table
// aliased alias; ok is false when the scope is empty.
func scopeWhere(f Filter, alias string) (conds []string, args []any, ok bool) {
	if f.Channels != nil {
		if len(f.Channels) == 0 {
			return nil, nil, false
		}
		conds = append(conds, alias+".channel_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Channels)), ",")+")")
		for _, id := range f.Channels {
			args = append(args, id)
		}
	}
	if f.ChannelID != 0 {
		conds, args = append(conds, alias+".channel_id = ?"), append(args, f.ChannelID)
	}
	if f.DepartmentID != 0 {
		conds, args = append(conds, alias+".department_id = ?"), append(args, f.DepartmentID)
	}
	return conds, args, true
}

// Rows reads the stored rows of f's period and scope.
func (s *Store) Rows(ctx context.Context, f Filter) ([]Row, error) {
	conds, args, ok := scopeWhere(f, "r")
	if !ok {
		return nil, nil
	}
	conds = append([]string{"r.day >= ?", "r.day <= ?"}, conds...)
	args = append([]any{f.From.String(), f.To.String()}, args...)
	rows, err := s.DB.Query(ctx, `SELECT r.day, r.channel_id, r.department_id, r.platform, r.incoming, r.answered, r.replies,
		r.wait_office, r.wait_evening, r.wait_night, r.wait_weekend, r.wait_holiday, r.flag_counts, r.facts
		FROM report_days r WHERE `+strings.Join(conds, " AND ")+" ORDER BY r.day, r.channel_id, r.department_id, r.platform", args...)
	if err != nil {
		return nil, fmt.Errorf("report: read days: %w", err)
	}
	defer rows.Close()
	var out []Row
	var facts []byte
	for rows.Next() {
		var r Row
		var day, flags string
		w := &r.Waited
		if err := rows.Scan(&day, &r.ChannelID, &r.DepartmentID, &r.Platform, &r.Incoming, &r.Answered, &r.Replies,
			&w[calendar.PeriodOffice], &w[calendar.PeriodEvening], &w[calendar.PeriodNight], &w[calendar.PeriodWeekend], &w[calendar.PeriodHoliday],
			&flags, &facts); err != nil {
			return nil, fmt.Errorf("report: read days: %w", err)
		}
		if r.Day, err = calendar.ParseDate(day); err != nil {
			return nil, err
		}
		if r.Flags, err = decodeFlags(flags); err != nil {
			return nil, err
		}
		if len(facts) > 0 {
			if r.Facts, err = unpackFacts(make([]Fact, 0, len(facts)/factSize), facts); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Direct computes the rows of f's period and scope straight from the
// items, as Rows would read them once refreshed. It reads every item of
// the period, so it serves the tests and small periods, not a year.
func (s *Store) Direct(ctx context.Context, f Filter) ([]Row, error) {
	conds, args, ok := scopeWhere(f, "i")
	if !ok {
		return nil, nil
	}
	conds = append([]string{"i.posted_at >= ?", "i.posted_at < ?"}, conds...)
	args = append([]any{f.Start().UTC(), f.End().UTC()}, args...)
	srcs, err := loadSources(ctx, s.DB, strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, err
	}
	return buildRows(srcs), nil
}
