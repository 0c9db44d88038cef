package intake_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
)

// applyCounter is a Consumer that counts, per delivery, the committed
// transactions that applied it, and fails while failing is set.
type applyCounter struct {
	d        *db.DB
	mu       sync.Mutex
	failing  bool
	refuse   string // the text of an event Apply fails for
	prepared int
}

func (c *applyCounter) Prepare(ds []intake.Unprocessed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range ds {
		for j := range ds[i].Events {
			ds[i].Events[j].Prepared = "klassad"
			c.prepared++
		}
	}
}

// Apply records each delivery in a table in the batch's transaction, so
// that only committed applications count.
func (c *applyCounter) Apply(ctx context.Context, tx *db.Tx, ds []intake.Unprocessed) error {
	c.mu.Lock()
	failing, refuse := c.failing, c.refuse
	c.mu.Unlock()
	if failing {
		return errors.New("the consumer fails")
	}
	for _, d := range ds {
		for _, e := range d.Events {
			if e.Prepared != "klassad" || e.DeliveryID != d.DeliveryID || e.ChannelID == 0 {
				return fmt.Errorf("event not prepared or routed: %+v", e)
			}
			if refuse != "" && e.Object.Text == refuse {
				return errors.New("the consumer cannot take this event")
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO test_applied (delivery_id) VALUES (?)", d.DeliveryID); err != nil {
			return err
		}
	}
	return nil
}

// TestProcessedOnceAfterAcknowledgement: deliveries are acknowledged
// unprocessed; processing makes their consequences once each, however
// many processors run at once (several instances on PostgreSQL); a batch
// that fails leaves its deliveries to be processed later, and a delivery
// the consumer cannot take does not hold back the others.
func TestProcessedOnceAfterAcknowledgement(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE test_applied (delivery_id BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		addChannel(t, d, "facebook", pageID)
		c := &applyCounter{d: d, failing: true, refuse: "Fråga 17"}
		s := newStore(d)
		s.Process = c
		s.Log = discard()
		t.Cleanup(s.Stop)
		const n = 60
		for i := range n {
			if _, err := s.SaveDelivery(ctx, comment(i, fmt.Sprintf("Fråga %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		// A replay of a stored body is not processed again.
		if sv, err := s.SaveDelivery(ctx, comment(0, "Fråga 0")); err != nil || !sv.Replay {
			t.Fatalf("replay: %+v %v", sv, err)
		}
		// Acknowledged, and nothing applied while the consumer fails.
		if got, _ := s.CountUnprocessed(ctx); got != n {
			t.Fatalf("%d unprocessed, want %d", got, n)
		}
		if _, err := s.ProcessBatch(ctx, 10); err == nil {
			t.Fatal("a failing batch reported no error")
		}
		if got := count(t, d, "test_applied"); got != 0 {
			t.Fatalf("a failed batch applied %d", got)
		}
		c.mu.Lock()
		c.failing = false
		c.mu.Unlock()
		// Processors racing for the same deliveries, until only the one
		// the consumer refuses is left.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				// A batch another processor took, or the refused one's,
				// processes nothing here; go on while others are left.
				for left := n; left > 1; left, _ = s.CountUnprocessed(ctx) {
					s.ProcessBatch(ctx, 7)
				}
			})
		}
		wg.Wait()
		if got, _ := s.CountUnprocessed(ctx); got != 1 {
			t.Fatalf("%d left unprocessed, want the refused one", got)
		}
		c.mu.Lock()
		c.refuse = ""
		c.mu.Unlock()
		if k, err := s.ProcessBatch(ctx, 7); k != 1 || err != nil {
			t.Fatalf("the refused delivery, taken at last: %d %v", k, err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.WaitProcessed(wctx); err != nil {
			t.Fatal(err)
		}
		var total, distinct int
		if err := d.QueryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT delivery_id) FROM test_applied").Scan(&total, &distinct); err != nil {
			t.Fatal(err)
		}
		if total != n || distinct != n {
			t.Fatalf("applied %d times to %d deliveries, want each of %d once", total, distinct, n)
		}
	})
}
