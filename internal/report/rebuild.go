package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// Cursor is where a rebuild stands: when it started, and the channel and
// day it goes on from. The zero Cursor starts a rebuild.
type Cursor struct {
	Started time.Time `json:"started"`
	Channel int64     `json:"channel"`
	From    string    `json:"from"`
}

// Rebuild recomputes report_days from every item: a month of one channel
// per transaction, so that ingest is never held up for long, and then
// drops rows of days that no longer have items. It first sets the refresh
// marks to where it starts, so whatever changes while it runs is caught by
// the next refresh.
func (s *Store) Rebuild(ctx context.Context) error {
	c := Cursor{}
	for {
		next, done, err := s.RebuildStep(ctx, c, 0)
		if err != nil || done {
			return err
		}
		c = next
	}
}

// RebuildStep goes on with a rebuild from c for about budget (0: to the
// end) and returns where it stopped, done when it is finished. The job
// queue runs a rebuild as a chain of steps, so that no job outlives the
// queue's patience with a running job.
func (s *Store) RebuildStep(ctx context.Context, c Cursor, budget time.Duration) (Cursor, bool, error) {
	if c.Started.IsZero() {
		c.Started = s.Now().UTC()
		if err := s.markStart(ctx, c.Started); err != nil {
			return c, false, err
		}
	}
	deadline := time.Now().Add(budget)
	progressed := false // every step does at least a month, so a chain ends
	channels, err := s.channelSpans(ctx, c.Channel)
	if err != nil {
		return c, false, err
	}
	for _, ch := range channels {
		from := ch.first
		if ch.id == c.Channel && c.From != "" {
			if from, err = calendar.ParseDate(c.From); err != nil {
				return c, false, err
			}
		}
		for !from.After(ch.last) {
			if budget > 0 && time.Now().After(deadline) && progressed {
				return Cursor{Started: c.Started, Channel: ch.id, From: from.String()}, false, nil
			}
			progressed = true
			to := monthEnd(from)
			if to.After(ch.last) {
				to = ch.last
			}
			err := s.DB.InTx(ctx, func(tx *db.Tx) error { return recomputeTx(ctx, tx, ch.id, from, to, c.Started) })
			if err != nil {
				return c, false, err
			}
			from = to.AddDays(1)
		}
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM report_days WHERE computed_at < ?", c.Started); err != nil {
		return c, false, fmt.Errorf("report: rebuild: %w", err)
	}
	return c, true, nil
}

// markStart sets every source's mark to its last row written before
// start-lag: the refresh after the rebuild reads from there.
func (s *Store) markStart(ctx context.Context, start time.Time) error {
	queries := map[string]string{
		"items":         "SELECT MAX(id) FROM items WHERE received_at < ?",
		"item_versions": "SELECT MAX(id) FROM item_versions WHERE recorded_at < ?",
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, src := range changeSources {
			var id sql.NullInt64
			if err := tx.QueryRow(ctx, queries[src.name], start.Add(-lag).UTC()).Scan(&id); err != nil {
				return fmt.Errorf("report: rebuild: %w", err)
			}
			if err := setMark(ctx, tx, src.name, id.Int64, start); err != nil {
				return err
			}
		}
		return nil
	})
}

type channelSpan struct {
	id          int64
	first, last calendar.Date
}

// channelSpans finds the first and last day with items of each channel
// from fromID on, by
// index lookups rather than a scan of every item.
func (s *Store) channelSpans(ctx context.Context, fromID int64) ([]channelSpan, error) {
	rows, err := s.DB.Query(ctx, "SELECT id FROM channels WHERE id >= ? ORDER BY id", fromID)
	if err != nil {
		return nil, fmt.Errorf("report: rebuild: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []channelSpan
	for _, id := range ids {
		var first, last time.Time
		err := s.DB.QueryRow(ctx, "SELECT posted_at FROM items WHERE channel_id = ? ORDER BY posted_at LIMIT 1", id).Scan(&first)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("report: rebuild: %w", err)
		}
		if err := s.DB.QueryRow(ctx, "SELECT posted_at FROM items WHERE channel_id = ? ORDER BY posted_at DESC LIMIT 1", id).Scan(&last); err != nil {
			return nil, fmt.Errorf("report: rebuild: %w", err)
		}
		out = append(out, channelSpan{id, calendar.DateOf(first), calendar.DateOf(last)})
	}
	return out, nil
}

// monthEnd is the last day of d's month.
func monthEnd(d calendar.Date) calendar.Date {
	return calendar.NewDate(d.Year, d.Month+1, 1).AddDays(-1)
}
