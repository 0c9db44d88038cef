package loadtest

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/db"
)

// The server acknowledges a delivery once it is stored and processes it
// after (it waits in webhook_arrivals until then; the items it makes are
// committed in the same transaction that takes it from there). The load test
// runs beside the server and reads its database to see when that is done:
// a read endpoint would need authentication for what two counting queries
// tell as well.

// Mark is where the server's database stood before a run: what was stored
// after it is the run's.
type Mark struct {
	// Arrival and Item are the highest waiting webhook arrival and item
	// ids: ids only grow, so an arrival with a higher one came after.
	Arrival, Item int64
}

// MarkNow reads the mark; call it before Run.
func MarkNow(ctx context.Context, d *db.DB) (Mark, error) {
	var m Mark
	err := d.QueryRow(ctx, "SELECT COALESCE((SELECT MAX(id) FROM webhook_arrivals), 0), COALESCE((SELECT MAX(id) FROM items), 0)").Scan(&m.Arrival, &m.Item)
	if err != nil {
		return Mark{}, fmt.Errorf("loadtest: mark: %w", err)
	}
	return m, nil
}

// Drained is how the server's processing of a run ended.
type Drained struct {
	// Items is how many inbox items the run's comments made.
	Items int64
	// Unprocessed is how many deliveries stored since the mark were still
	// unprocessed when Drain returned: 0 unless it timed out.
	Unprocessed int64
	// After is how long processing went on after the last answer, and
	// Total how long from the first send until it was done (or Drain
	// gave up).
	After, Total time.Duration
}

// drainPoll is how often Drain looks: the measured end of processing is
// late by at most this and a query.
const drainPoll = 20 * time.Millisecond

// Drain waits until every delivery stored since the mark has been
// processed, or for at most timeout, and counts the items the run made.
func Drain(ctx context.Context, d *db.DB, m Mark, r Result, timeout time.Duration) (Drained, error) {
	lastAnswer := r.Started.Add(r.Elapsed)
	deadline := time.Now().Add(timeout)
	var out Drained
	for {
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM webhook_arrivals WHERE id > ?", m.Arrival).Scan(&out.Unprocessed); err != nil {
			return Drained{}, fmt.Errorf("loadtest: drain: %w", err)
		}
		now := time.Now()
		if out.Unprocessed == 0 || now.After(deadline) {
			out.Total = now.Sub(r.Started)
			out.After = max(0, now.Sub(lastAnswer))
			break
		}
		select {
		case <-ctx.Done():
			return Drained{}, fmt.Errorf("loadtest: drain: %w", ctx.Err())
		case <-time.After(drainPoll):
		}
	}
	// The id bound keeps this to the rows added since the mark; the prefix
	// leaves out any that another source made meanwhile.
	err := d.QueryRow(ctx, "SELECT COUNT(*) FROM items WHERE id > ? AND external_id LIKE ?", m.Item, r.Payloads.CommentPrefix()+"%").Scan(&out.Items)
	if err != nil {
		return Drained{}, fmt.Errorf("loadtest: drain: items: %w", err)
	}
	return out, nil
}

// PerSecond is the run's items made per second, from the first send until
// the last was processed.
func (d Drained) PerSecond() float64 { return float64(d.Items) / d.Total.Seconds() }
