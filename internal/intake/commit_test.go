package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
)

// comment is a delivery of one comment on the test page, as Meta sends
// it, with its own event unless two calls share n.
func comment(n int, text string) intake.Delivery {
	return feedDelivery(fmt.Sprintf("200_%d", n), "add", text)
}

// feedDelivery is a raw delivery of one change to a comment on the test
// page, with Meta's verb (add, edited).
func feedDelivery(commentID, verb, text string) intake.Delivery {
	msg, _ := json.Marshal(text)
	body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":%q,"time":1767268800,"changes":[{"field":"feed","value":`+
		`{"from":{"id":"5550001","name":"Karin Lund"},"post_id":"1000000001_200","comment_id":%q,"parent_id":"1000000001_200",`+
		`"created_time":1767268800,"item":"comment","verb":%q,"message":%s}}]}]}`, pageID, commentID, verb, msg)
	return intake.Delivery{Source: "meta", Body: body}
}

// saveAll sends every delivery to the committer at once and returns the
// results in the same order.
func saveAll(c *intake.Committer, ds []intake.Delivery) ([]intake.Saved, []error) {
	saved := make([]intake.Saved, len(ds))
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() { saved[i], errs[i] = c.Save(context.Background(), d) })
	}
	wg.Wait()
	return saved, errs
}

// txCounter is an AfterStore hook that remembers which transactions stored
// which event texts, and fails for texts containing "FEL".
type txCounter struct {
	mu    sync.Mutex
	txs   map[*db.Tx]int
	calls map[string]int
}

func (h *txCounter) hook(ctx context.Context, tx *db.Tx, evs []intake.Stored) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.txs[tx]++
	for _, e := range evs {
		h.calls[e.Object.Text]++
		if strings.Contains(e.Object.Text, "FEL") {
			return errors.New("the consumer refuses this event")
		}
	}
	return nil
}

func TestCommitterGroupsConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	const n = 40
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		h := &txCounter{txs: map[*db.Tx]int{}, calls: map[string]int{}}
		s := newStore(t, d)
		s.AfterStore = h.hook
		// A long wait and a batch of exactly n: all n share one transaction.
		c := &intake.Committer{Store: s, MaxBatch: n, MaxWait: 10 * time.Second}
		ds := make([]intake.Delivery, n)
		for i := range ds {
			ds[i] = comment(i, fmt.Sprintf("Fråga nummer %d", i))
		}
		saved, errs := saveAll(c, ds)
		ids := map[int64]bool{}
		for i := range ds {
			if errs[i] != nil || saved[i].New != 1 || saved[i].Replay || saved[i].DeliveryID == 0 {
				t.Fatalf("delivery %d: %+v %v", i, saved[i], errs[i])
			}
			ids[saved[i].DeliveryID] = true
		}
		if len(ids) != n {
			t.Errorf("%d distinct delivery ids for %d deliveries", len(ids), n)
		}
		if len(h.txs) != 1 {
			t.Errorf("%d transactions for %d concurrent deliveries, want 1", len(h.txs), n)
		}
		// Each caller got its own delivery's id, not a neighbour's.
		for i := range ds {
			var body []byte
			if err := d.QueryRow(context.Background(), "SELECT body FROM webhook_deliveries WHERE id = ?", saved[i].DeliveryID).Scan(&body); err != nil || string(body) != string(ds[i].Body) {
				t.Errorf("delivery %d: stored body %q, %v", i, body, err)
			}
		}
		if got := count(t, d, "platform_events"); got != n {
			t.Errorf("%d events stored, want %d", got, n)
		}
	})
}

func TestCommitterBatchOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		deliveries []intake.Delivery
		// want per delivery: "new", "replay", "duplicate" (new body, known
		// event) or "error".
		want   []string
		events int
		// batchTxs is the least number of transactions: 1 when the batch
		// committed whole, more when it fell back to one by one.
		batchTxs int
		// race: the first two deliveries carry the same event and are sent
		// at once, so which of them is stored first is up to the scheduler.
		race bool
	}{
		{"same body twice in one batch", []intake.Delivery{comment(1, "Hej"), comment(1, "Hej"), comment(2, "Tja")},
			[]string{"new", "replay", "new"}, 2, 1, true},
		{"same event in two bodies", []intake.Delivery{comment(1, "Hej"), comment(1, "Hej igen"), comment(3, "Tja")},
			[]string{"new", "duplicate", "new"}, 2, 1, true},
		{"one bad delivery costs no other", []intake.Delivery{comment(1, "Hej"), comment(2, "FEL här"), comment(3, "Tja")},
			[]string{"new", "error", "new"}, 2, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				addChannel(t, d, "facebook", pageID)
				h := &txCounter{txs: map[*db.Tx]int{}, calls: map[string]int{}}
				s := newStore(t, d)
				s.AfterStore = h.hook
				c := &intake.Committer{Store: s, MaxBatch: len(tt.deliveries), MaxWait: 10 * time.Second}
				saved, errs := saveAll(c, tt.deliveries)
				got := make([]string, len(tt.want))
				for i := range tt.want {
					got[i] = outcome(saved[i], errs[i])
				}
				if tt.race && got[0] == tt.want[1] && got[1] == tt.want[0] {
					got[0], got[1] = got[1], got[0] // the other one won the race
				}
				for i, want := range tt.want {
					if got[i] != want {
						t.Errorf("delivery %d: %s (%+v, %v), want %s", i, got[i], saved[i], errs[i], want)
					}
				}
				if got := count(t, d, "platform_events"); got != tt.events {
					t.Errorf("%d events stored, want %d", got, tt.events)
				}
				if len(h.txs) < tt.batchTxs {
					t.Errorf("%d transactions, want at least %d", len(h.txs), tt.batchTxs)
				}
				if tt.batchTxs == 1 && len(h.txs) != 1 {
					t.Errorf("%d transactions, want the batch in one", len(h.txs))
				}
			})
		})
	}
}

func outcome(s intake.Saved, err error) string {
	switch {
	case err != nil:
		return "error"
	case s.Replay:
		return "replay"
	case s.New == 0 && s.Duplicates > 0:
		return "duplicate"
	case s.New > 0:
		return "new"
	}
	return fmt.Sprintf("%+v", s)
}

func TestCommitterReportsAFailedStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := &intake.Committer{Store: newStore(t, d), MaxBatch: 3, MaxWait: 10 * time.Second}
		d.Close()
		_, errs := saveAll(c, []intake.Delivery{comment(1, "a"), comment(2, "b"), comment(3, "c")})
		for i, err := range errs {
			if err == nil {
				t.Errorf("delivery %d: no error from a closed database", i)
			}
		}
	})
}

func TestCommitterGivesUpWhenTheCallerDoes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// The batch waits for a second delivery that never comes.
		c := &intake.Committer{Store: newStore(t, d), MaxBatch: 2, MaxWait: 200 * time.Millisecond}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Save(ctx, comment(1, "a")); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}
