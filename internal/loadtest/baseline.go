package loadtest

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/db"
)

// Baseline measures bare inserts of delivery-sized payloads into a scratch
// table of the same database, one transaction each, for the duration — the
// same durability as an acknowledged webhook, with none of the work. The
// table is dropped afterwards.
func Baseline(ctx context.Context, d *db.DB, duration time.Duration, pageID string) (perSecond float64, err error) {
	table := fmt.Sprintf("loadtest_baseline_%d", time.Now().UnixNano())
	if _, err := d.Exec(ctx, db.Translate(d.Dialect, "CREATE TABLE "+table+" (id SERIAL_PK, body BYTES NOT NULL, at TSTZ NOT NULL)")); err != nil {
		return 0, fmt.Errorf("loadtest: baseline: %w", err)
	}
	defer d.Exec(context.Background(), "DROP TABLE "+table)
	deadline := time.Now().Add(duration)
	start := time.Now()
	n := 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		body := Delivery(pageID, int64(n), 1, time.Now())
		if _, err := d.Exec(ctx, "INSERT INTO "+table+" (body, at) VALUES (?, ?)", body, time.Now().UTC()); err != nil {
			return 0, fmt.Errorf("loadtest: baseline: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
