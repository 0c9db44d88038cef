package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/platform/meta"
)

// recorder is a Consumer that counts the events it was given to apply
// (its Apply never fails, so each was committed) and checks that what
// Prepare set reaches Apply, with the event's id.
type recorder struct {
	mu      sync.Mutex
	applied map[string]int // event id → times applied
	bad     []string
	// deliveries counts the deliveries applied, order lists them.
	deliveries int
	order      []int64
}

func newRecorder() *recorder { return &recorder{applied: map[string]int{}} }

func (r *recorder) Prepare(ds []intake.Unprocessed) {
	for i := range ds {
		for j := range ds[i].Events {
			ds[i].Events[j].Prepared = "förberedd " + ds[i].Events[j].EventID
		}
	}
}

func (r *recorder) Apply(ctx context.Context, tx *db.Tx, ds []intake.Unprocessed) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range ds {
		r.deliveries++
		r.order = append(r.order, d.DeliveryID)
		for _, e := range d.Events {
			if e.ID == 0 || e.DeliveryID != d.DeliveryID || e.Prepared != "förberedd "+e.EventID {
				r.bad = append(r.bad, e.EventID)
			}
			r.applied[e.EventID]++
		}
	}
	return nil
}

func (r *recorder) times(eventID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied[eventID]
}

// deliveryRow is what is stored of a delivery.
type deliveryRow struct {
	body                 []byte
	object, parseError   string
	events, receiveCount int
	processed            bool
}

func rowOf(t *testing.T, d *db.DB, body []byte) deliveryRow {
	t.Helper()
	var r deliveryRow
	var processed any
	err := d.QueryRow(context.Background(), `SELECT body, object_type, parse_error, event_count, receive_count, processed_at
		FROM webhook_deliveries WHERE body = ?`, body).Scan(&r.body, &r.object, &r.parseError, &r.events, &r.receiveCount, &processed)
	if err != nil {
		t.Fatal(err)
	}
	r.processed = processed != nil
	return r
}

func postOK(t *testing.T, h *intake.MetaWebhook, body []byte) {
	t.Helper()
	if w := post(h, body, meta.Sign(appSecret, body)); w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func waitProcessed(t *testing.T, s *intake.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.WaitProcessed(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAcknowledgedRawThenProcessed: the 200 stands for the raw body alone
// — acknowledged and not yet processed, a delivery has its row and no
// event — and a process that dies before processing loses nothing: a new
// Store over the same database makes its events, once, with what Prepare
// made of them.
func TestAcknowledgedRawThenProcessed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		crashed := newStore(t, d)
		crashed.Process = newRecorder()
		crashed.Stop() // never processes: the process dies after the 200
		body := readFile(t, "page_feed.json")
		postOK(t, newHandler(crashed), body)
		var kept []byte
		if err := d.QueryRow(context.Background(), "SELECT body FROM webhook_arrivals").Scan(&kept); err != nil || !bytes.Equal(kept, body) {
			t.Fatalf("acknowledged arrival %q, %v", kept, err)
		}
		if n := count(t, d, "webhook_deliveries") + count(t, d, "platform_events"); n != 0 {
			t.Fatalf("%d deliveries and events before processing, want none", n)
		}
		rec := newRecorder()
		restarted := newStore(t, d)
		restarted.Process = rec
		waitProcessed(t, restarted)
		if r := rowOf(t, d, body); !r.processed || r.events != 6 || r.object != "page" || r.parseError != "" {
			t.Fatalf("processed delivery %+v", r)
		}
		if n := count(t, d, "platform_events"); n != 6 {
			t.Fatalf("%d events after processing, want 6", n)
		}
		if rec.times("200_300:create") != 1 || len(rec.bad) > 0 || rec.deliveries != 1 {
			t.Fatalf("applied %v to %d deliveries, unprepared or without ids: %v", rec.applied, rec.deliveries, rec.bad)
		}
	})
}

// TestEventsStoredOnceWhateverComesTwice: the same body delivered five
// times is one delivery that counts five arrivals, and two bodies carrying
// the same event store it once; each event is applied once.
func TestEventsStoredOnceWhateverComesTwice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		s := newStore(t, d)
		rec := newRecorder()
		s.Process = rec
		h := newHandler(s)
		body := readFile(t, "page_feed.json")
		for range 5 {
			postOK(t, h, body)
		}
		// The same changes, batched differently by Meta.
		postOK(t, h, readFile(t, "rebatched.json"))
		// Two deliveries of one comment, told apart by Meta's retry only.
		a, b := comment(7, "Hej"), comment(7, "Hej")
		b.Body = append(bytes.TrimSuffix(b.Body, []byte("}")), []byte(`,"retry":1}`)...)
		c := &intake.Committer{Store: s, MaxBatch: 2, MaxWait: 10 * time.Second}
		if _, errs := saveAll(c, []intake.Delivery{a, b}); errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		waitProcessed(t, s)
		if r := rowOf(t, d, body); r.receiveCount != 5 || !r.processed || r.events != 6 {
			t.Fatalf("replayed delivery %+v", r)
		}
		if n := count(t, d, "webhook_deliveries"); n != 4 {
			t.Fatalf("%d deliveries, want 4", n)
		}
		if n := count(t, d, "platform_events"); n != 7 {
			t.Fatalf("%d events, want 7", n)
		}
		for id, n := range rec.applied {
			if n != 1 {
				t.Errorf("event %s applied %d times", id, n)
			}
		}
		if len(rec.applied) != 7 || len(rec.bad) > 0 {
			t.Fatalf("applied %v; unprepared or without ids: %v", rec.applied, rec.bad)
		}
	})
}

// TestUnreadableBodyKeptAndProcessed: a signed body that does not parse is
// acknowledged, kept raw and, once processed, marked so with its parse
// error and no events, without holding anything back.
func TestUnreadableBodyKeptAndProcessed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		rec := newRecorder()
		s.Process = rec
		body := readFile(t, "truncated.json")
		postOK(t, newHandler(s), body)
		waitProcessed(t, s)
		r := rowOf(t, d, body)
		if !r.processed || !strings.Contains(r.parseError, "malformed") || r.events != 0 || !bytes.Equal(r.body, body) {
			t.Fatalf("unreadable delivery %+v", r)
		}
		if n := count(t, d, "platform_events"); n != 0 || rec.deliveries != 1 || s.Held() != 0 {
			t.Fatalf("%d events, %d deliveries applied, %d held", n, rec.deliveries, s.Held())
		}
		failed, err := s.Deliveries(context.Background(), true, 10)
		if err != nil || len(failed) != 1 {
			t.Fatalf("failed deliveries %+v %v", failed, err)
		}
	})
}

// TestBacklogFromBeforeKeepsItsEvents: deliveries acknowledged by older
// Tilltals and left unprocessed at the upgrade are processed in their
// order, once: one stored raw (as before webhook_arrivals), and one stored
// with its events (as before that), which keeps them.
func TestBacklogFromBeforeKeepsItsEvents(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d, err := db.Open(ctx, dbtest.DSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if err := migrations.UpTo(ctx, d, 45); err != nil {
				t.Fatal(err)
			}
			addChannel(t, d, "facebook", pageID)
			old := newStore(t, d) // without Process: events stored at once
			if _, err := old.SaveDelivery(ctx, intake.Delivery{Source: "meta", Body: readFile(t, "page_feed.json")}); err != nil {
				t.Fatal(err)
			}
			raw := comment(9, "Lagrad rå före uppgraderingen")
			_, err = d.Exec(ctx, `INSERT INTO webhook_deliveries (source, body_sha256, body, received_at, last_received_at)
				VALUES ('meta', 'sha', ?, ?, ?)`, raw.Body, time.Now().UTC(), time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, "UPDATE webhook_deliveries SET processed_at = NULL"); err != nil {
				t.Fatal(err)
			}
			if err := migrations.Up(ctx, d, discard()); err != nil {
				t.Fatal(err)
			}
			rec := newRecorder()
			s := newStore(t, d)
			s.Process = rec
			waitProcessed(t, s)
			if n := count(t, d, "platform_events"); n != 7 || len(rec.applied) != 7 || rec.times("200_300:create") != 1 || len(rec.bad) > 0 {
				t.Fatalf("%d events; applied %v, bad %v", n, rec.applied, rec.bad)
			}
			if n := count(t, d, "webhook_deliveries"); n != 2 {
				t.Fatalf("%d deliveries, want the 2 from before", n)
			}
			if len(rec.order) != 2 || rec.order[0] >= rec.order[1] {
				t.Fatalf("deliveries applied in the order %v, want the order they were stored in", rec.order)
			}
			if r := rowOf(t, d, raw.Body); !r.processed || r.events != 1 || r.receiveCount != 1 {
				t.Fatalf("the raw delivery from before: %+v", r)
			}
		})
	}
}

// TestOlderInstanceLeftDeliveriesBehind: during a rolling upgrade an older
// instance on the same PostgreSQL may acknowledge after the upgrade queued
// its backlog, and stop before processing what it acknowledged: the
// processor finds such a delivery and processes it, once, and Meta's retry
// of its body counts as a replay.
func TestOlderInstanceLeftDeliveriesBehind(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		addChannel(t, d, "facebook", pageID)
		left := comment(4, "Kvitterad av den gamla versionen")
		now := time.Now().UTC()
		// As the older version acknowledged it: stored raw, unprocessed.
		if _, err := d.Exec(ctx, `INSERT INTO webhook_deliveries (source, body_sha256, body, received_at, last_received_at)
			VALUES ('meta', ?, ?, ?, ?)`, sha256Hex(left.Body), left.Body, now, now); err != nil {
			t.Fatal(err)
		}
		rec := newRecorder()
		s := newStore(t, d)
		s.Process = rec
		// Meta sends it again, to this instance.
		if _, err := s.SaveDelivery(ctx, left); err != nil {
			t.Fatal(err)
		}
		waitProcessed(t, s)
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if r := rowOf(t, d, left.Body); !r.processed || r.events != 1 || r.receiveCount != 2 {
			t.Fatalf("the delivery left behind: %+v", r)
		}
		if n := count(t, d, "webhook_deliveries"); n != 1 || rec.deliveries != 1 || rec.times("200_4:create") != 1 {
			t.Fatalf("%d deliveries, %d applied: %v", n, rec.deliveries, rec.applied)
		}
	})
}

// TestFailedArrivalsFailTogether: when the database refuses a group of
// arrivals, every caller gets the error (and answers Meta 503, so that it
// retries) and nothing is stored; the next group is stored again.
func TestFailedArrivalsFailTogether(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d)
		s.Process = newRecorder()
		s.Stop() // keeps what is stored in webhook_arrivals
		if _, err := d.Exec(ctx, "ALTER TABLE webhook_arrivals RENAME TO webhook_arrivals_away"); err != nil {
			t.Fatal(err)
		}
		c := &intake.Committer{Store: s, MaxBatch: 3, MaxWait: 10 * time.Second}
		_, errs := saveAll(c, []intake.Delivery{comment(1, "Ett"), comment(2, "Två"), comment(3, "Tre")})
		for i, err := range errs {
			if err == nil {
				t.Fatalf("delivery %d stored without its table", i)
			}
		}
		if _, err := d.Exec(ctx, "ALTER TABLE webhook_arrivals_away RENAME TO webhook_arrivals"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, "webhook_arrivals"); n != 0 {
			t.Fatalf("%d arrivals stored by a failed group", n)
		}
		if _, errs := saveAll(c, []intake.Delivery{comment(1, "Ett"), comment(2, "Två"), comment(3, "Tre")}); errs[0] != nil || errs[1] != nil || errs[2] != nil {
			t.Fatal(errs)
		}
		if n := count(t, d, "webhook_arrivals"); n != 3 {
			t.Fatalf("%d arrivals, want 3", n)
		}
	})
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
