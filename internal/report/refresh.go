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

// lag is how far back every refresh reads again. Ids are handed out when
// a row is inserted but become visible when its transaction commits, so a
// row with a lower id can appear after one with a higher id; no
// transaction in Tilltal lasts this long, so a row older than lag that is
// not yet visible never will be.
const lag = 5 * time.Minute

// batch is how many changed rows one query reads.
const batch = 5000

// changed is a new row in one of the sources: its id, when it was
// written, and the day and channel whose figures it touches.
type changed struct {
	id      int64
	written time.Time
	key     dayKey
}

// dayKey is the unit of recomputation: one day of one channel.
type dayKey struct {
	channel int64
	day     calendar.Date
}

// changeSource is a table whose new rows mean that figures changed:
// items (new items, and the municipality's replies, which answer their
// parent) and item_versions (edits, hides and deletions on the platform).
type changeSource struct {
	name  string
	query string
}

var changeSources = []changeSource{
	{"items", `SELECT i.id, i.received_at, i.channel_id, i.posted_at, p.posted_at FROM items i
		LEFT JOIN items p ON i.from_us AND p.channel_id = i.channel_id AND p.external_id = i.parent_external_id
		WHERE i.id > ? ORDER BY i.id LIMIT ?`},
	{"item_versions", `SELECT v.id, v.recorded_at, i.channel_id, i.posted_at, NULL FROM item_versions v
		JOIN items i ON i.id = v.item_id WHERE v.id > ? ORDER BY v.id LIMIT ?`},
}

// Refresh brings report_days up to date with what changed since the last
// refresh and returns how many channel days it recomputed. It is
// idempotent: running it twice, or two at once, gives the same table.
func (s *Store) Refresh(ctx context.Context) (int, error) {
	now := s.Now()
	dirty := map[dayKey]bool{}
	marks := map[string]int64{}
	for _, src := range changeSources {
		mark, err := s.mark(ctx, src.name)
		if err != nil {
			return 0, err
		}
		next, err := s.changes(ctx, src, mark, now, dirty)
		if err != nil {
			return 0, err
		}
		marks[src.name] = next
	}
	if err := s.recompute(ctx, dirty, now); err != nil {
		return 0, err
	}
	return len(dirty), s.DB.InTx(ctx, func(tx *db.Tx) error {
		for name, id := range marks {
			if err := setMark(ctx, tx, name, id, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// changes collects the channel days touched by rows of src after mark and
// returns the new mark: the last id written before now-lag.
func (s *Store) changes(ctx context.Context, src changeSource, mark int64, now time.Time, dirty map[dayKey]bool) (int64, error) {
	next, cursor := mark, mark
	for {
		cs, err := readChanges(ctx, s.DB, src.query, cursor)
		if err != nil {
			return 0, fmt.Errorf("report: changes in %s: %w", src.name, err)
		}
		for _, c := range cs {
			dirty[c.key] = true
			if c.written.Before(now.Add(-lag)) && c.id > next {
				next = c.id
			}
			cursor = c.id
		}
		if len(cs) < batch {
			return next, nil
		}
	}
}

func readChanges(ctx context.Context, q querier, query string, after int64) ([]changed, error) {
	rows, err := q.Query(ctx, query, after, batch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []changed
	for rows.Next() {
		var c changed
		var posted time.Time
		var parent sql.NullTime
		if err := rows.Scan(&c.id, &c.written, &c.key.channel, &posted, &parent); err != nil {
			return nil, err
		}
		c.key.day = calendar.DateOf(posted)
		out = append(out, c)
		if parent.Valid {
			out = append(out, changed{id: c.id, written: c.written, key: dayKey{c.key.channel, calendar.DateOf(parent.Time)}})
		}
	}
	return out, rows.Err()
}

// recompute rewrites the rows of the dirty channel days, a few dozen per
// transaction so that a large backlog neither holds the writer long nor
// costs a commit per day.
func (s *Store) recompute(ctx context.Context, dirty map[dayKey]bool, now time.Time) error {
	keys := make([]dayKey, 0, len(dirty))
	for k := range dirty {
		keys = append(keys, k)
	}
	const perTx = 50
	for len(keys) > 0 {
		n := min(perTx, len(keys))
		part := keys[:n]
		keys = keys[n:]
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			for _, k := range part {
				if err := recomputeTx(ctx, tx, k.channel, k.day, k.day, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recomputeTx rewrites a channel's rows for the days from..to from its items.
func recomputeTx(ctx context.Context, tx *db.Tx, channelID int64, from, to calendar.Date, now time.Time) error {
	srcs, err := loadSources(ctx, tx, "i.channel_id = ? AND i.posted_at >= ? AND i.posted_at < ?",
		channelID, from.Start().UTC(), to.AddDays(1).Start().UTC())
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM report_days WHERE channel_id = ? AND day >= ? AND day <= ?", channelID, from.String(), to.String()); err != nil {
		return fmt.Errorf("report: recompute: %w", err)
	}
	for _, r := range buildRows(srcs) {
		if err := insertRow(ctx, tx, r, now); err != nil {
			return err
		}
	}
	return nil
}

func insertRow(ctx context.Context, tx *db.Tx, r Row, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO report_days (day, channel_id, department_id, platform, incoming, answered, replies,
		wait_office, wait_evening, wait_night, wait_weekend, wait_holiday, flag_counts, facts, computed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Day.String(), r.ChannelID, r.DepartmentID, r.Platform, r.Incoming, r.Answered, r.Replies,
		r.Waited[calendar.PeriodOffice], r.Waited[calendar.PeriodEvening], r.Waited[calendar.PeriodNight],
		r.Waited[calendar.PeriodWeekend], r.Waited[calendar.PeriodHoliday], encodeFlags(r.Flags), packFacts(r.Facts), now.UTC())
	if err != nil {
		return fmt.Errorf("report: store day: %w", err)
	}
	return nil
}

func (s *Store) mark(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT last_id FROM report_marks WHERE source = ?", name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func setMark(ctx context.Context, tx *db.Tx, name string, id int64, now time.Time) error {
	res, err := tx.Exec(ctx, "UPDATE report_marks SET last_id = ?, updated_at = ? WHERE source = ?", id, now.UTC(), name)
	if err != nil {
		return fmt.Errorf("report: mark: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.Exec(ctx, "INSERT INTO report_marks (source, last_id, updated_at) VALUES (?, ?, ?)", name, id, now.UTC())
	return err
}

// UpdatedAt is when the figures were last brought up to date, zero before
// the first refresh.
func (s *Store) UpdatedAt(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	err := s.DB.QueryRow(ctx, "SELECT updated_at FROM report_marks WHERE source = 'items'").Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return t.Time, err
}
