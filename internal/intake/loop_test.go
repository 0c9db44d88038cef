package intake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// applyNothing is a Consumer without consequences.
type applyNothing struct{}

func (applyNothing) Prepare([]Unprocessed)                              {}
func (applyNothing) Apply(context.Context, *db.Tx, []Unprocessed) error { return nil }

func rawComment(n int) Delivery {
	body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":"1000000001","time":1767268800,"changes":[{"field":"feed","value":`+
		`{"from":{"id":"5550001","name":"Karin Lund"},"post_id":"1000000001_200","comment_id":"200_%d",`+
		`"created_time":1767268800,"item":"comment","verb":"add","message":"Fråga %d"}}]}]}`, n, n)
	return Delivery{Source: "meta", Body: body}
}

// TestLoopGoesOnAfterOnlyReplays: a batch that took only replays, and so
// processed nothing, has still made progress: the loop goes on to the
// arrivals behind it instead of ending with them waiting for the next
// acknowledgement.
func TestLoopGoesOnAfterOnlyReplays(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s := &Store{DB: d, Now: time.Now, Process: applyNothing{}}
		t.Cleanup(s.Stop)
		if _, err := s.SaveDeliveries(ctx, []Delivery{rawComment(1)}); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitProcessed(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		// Batches of one, as while acknowledgements keep arriving.
		s.proc.mu.Lock()
		s.proc.perDelivery = 10 * batchTarget
		s.proc.lastAck.Store(time.Now().Add(time.Hour).UnixNano())
		s.proc.mu.Unlock()
		// One kick, after the replay and a new delivery are acknowledged.
		if _, err := s.SaveDeliveries(ctx, []Delivery{rawComment(1), rawComment(2)}); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CountUnprocessed(ctx); n != 0 || err != nil {
			t.Fatalf("%d arrivals left when the loop ended (%v), want none", n, err)
		}
		var count int
		if err := d.QueryRow(ctx, "SELECT receive_count FROM webhook_deliveries WHERE body = ?", rawComment(1).Body).Scan(&count); err != nil || count != 2 {
			t.Fatalf("the replayed body counts %d arrivals (%v), want 2", count, err)
		}
	})
}
