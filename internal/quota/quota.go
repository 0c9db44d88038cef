// Package quota keeps platforms' daily API quotas in the database, so that
// several Tilltal instances spend from one budget: each spend is a single
// conditional UPDATE, atomic on both databases.
package quota

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/db"
)

// timeout bounds one ledger call; the callers hold no context of their own
// (a connector deciding whether it may call the platform).
const timeout = 5 * time.Second

// keepDays is how many quota days are kept for display before old rows go.
const keepDays = 7

// Ledger is one named quota's counts per day (youtube.Ledger).
type Ledger struct {
	DB   *db.DB
	Name string
}

// dayKey names a quota day by its date in the quota's own time zone, which
// the caller's day start carries.
func dayKey(day time.Time) string { return day.Format("2006-01-02") }

// Take adds cost to the day's spent units (and polling units when poll) if
// the day is not exhausted and the limits hold; it reports whether it did.
func (l *Ledger) Take(day time.Time, cost, limit int, poll bool, pollLimit int) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pollCost := 0
	if poll {
		pollCost = cost
	} else {
		pollLimit = limit // polling units never exceed spent units
	}
	take := func() (bool, error) {
		res, err := l.DB.Exec(ctx, `UPDATE api_quota SET spent = spent + ?, poll_spent = poll_spent + ?
			WHERE name = ? AND day = ? AND NOT exhausted AND spent + ? <= ? AND poll_spent + ? <= ?`,
			cost, pollCost, l.Name, dayKey(day), cost, limit, pollCost, pollLimit)
		if err != nil {
			return false, fmt.Errorf("quota: take: %w", err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	ok, err := take()
	if ok || err != nil {
		return ok, err
	}
	// Refused, or the day's first spend: make sure the row is there (this
	// or another instance may be creating it right now) and try once more.
	// A real refusal costs two more statements; refusals are rare.
	if _, err := l.ensure(ctx, day); err != nil {
		return false, err
	}
	return take()
}

// Exhaust marks the day spent: the platform said so.
func (l *Ledger) Exhaust(day time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := l.ensure(ctx, day); err != nil {
		return err
	}
	if _, err := l.DB.Exec(ctx, "UPDATE api_quota SET exhausted = TRUE WHERE name = ? AND day = ?", l.Name, dayKey(day)); err != nil {
		return fmt.Errorf("quota: exhaust: %w", err)
	}
	return nil
}

// Load returns the day's counts; a day nobody spent on is all zero.
func (l *Ledger) Load(day time.Time) (spent, pollSpent int, exhausted bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = l.DB.QueryRow(ctx, "SELECT spent, poll_spent, exhausted FROM api_quota WHERE name = ? AND day = ?", l.Name, dayKey(day)).
		Scan(&spent, &pollSpent, &exhausted)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("quota: load: %w", err)
	}
	return spent, pollSpent, exhausted, nil
}

// ensure creates the day's row if it is missing, reporting whether it did,
// and then drops rows older than a week. Two instances creating it at once
// is fine: the second does nothing.
func (l *Ledger) ensure(ctx context.Context, day time.Time) (bool, error) {
	res, err := l.DB.Exec(ctx, "INSERT INTO api_quota (name, day) VALUES (?, ?) ON CONFLICT (name, day) DO NOTHING", l.Name, dayKey(day))
	if err != nil {
		return false, fmt.Errorf("quota: new day: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = l.DB.Exec(ctx, "DELETE FROM api_quota WHERE name = ? AND day < ?", l.Name, dayKey(day.AddDate(0, 0, -keepDays)))
	return true, err
}
