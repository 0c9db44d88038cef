package intake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/platform"
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
		s := newStore(t, d)
		s.Process = c
		s.Log = discard()
		const n = 60
		for i := range n {
			if _, err := s.SaveDelivery(ctx, comment(i, fmt.Sprintf("Fråga %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		// A replay of a body is acknowledged as it came, and found to be
		// one when it is processed: it is not applied again.
		if _, err := s.SaveDelivery(ctx, comment(0, "Fråga 0")); err != nil {
			t.Fatalf("replay: %v", err)
		}
		// Acknowledged, and nothing applied while the consumer fails.
		if got, _ := s.CountUnprocessed(ctx); got != n+1 {
			t.Fatalf("%d unprocessed, want %d", got, n+1)
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
		var arrivals int
		if err := d.QueryRow(ctx, "SELECT receive_count FROM webhook_deliveries WHERE body = ?", comment(0, "Fråga 0").Body).Scan(&arrivals); err != nil || arrivals != 2 {
			t.Fatalf("the replayed body counts %d arrivals (%v), want 2", arrivals, err)
		}
	})
}

// bodies is a Consumer that keeps the text of each object as its events
// set it, in a table, the way the inbox keeps an item's body — a create
// sets it as an edit does, so that only the order of processing keeps a
// late create from reverting an edit — and remembers the order in which
// it applied deliveries, by the texts of their events (their ids are
// given when they are processed). While down, it fails as a database that cannot
// store does; it refuses any batch with an event of the text refuse.
type bodies struct {
	mu       sync.Mutex
	down     bool
	refuse   string
	attempts chan int // the size of each batch tried while down
	applied  []string
}

func (c *bodies) Prepare([]intake.Unprocessed) {}

func (c *bodies) Apply(ctx context.Context, tx *db.Tx, ds []intake.Unprocessed) error {
	c.mu.Lock()
	down, refuse := c.down, c.refuse
	c.mu.Unlock()
	if down {
		select {
		case c.attempts <- len(ds):
		default:
		}
		return fmt.Errorf("write: %w", syscall.ENOSPC)
	}
	for _, d := range ds {
		for _, e := range d.Events {
			if refuse != "" && e.Object.Text == refuse {
				return errors.New("the consumer cannot take this event")
			}
		}
	}
	for _, d := range ds {
		for _, e := range d.Events {
			if _, err := tx.Exec(ctx, "INSERT INTO test_bodies (object_id, body) VALUES (?, ?) ON CONFLICT (object_id) DO UPDATE SET body = excluded.body",
				e.Object.ExternalID, e.Object.Text); err != nil {
				return err
			}
		}
	}
	c.mu.Lock()
	for _, d := range ds {
		var texts []string
		for _, e := range d.Events {
			texts = append(texts, e.Object.Text)
		}
		c.applied = append(c.applied, strings.Join(texts, " "))
	}
	c.mu.Unlock()
	return nil
}

func (c *bodies) set(f func(c *bodies)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func (c *bodies) order() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.applied)
}

// change is a delivery of one event changing an object.
func change(verb platform.Verb, object, text string) intake.Delivery {
	wire := map[platform.Verb]string{platform.VerbCreate: "add", platform.VerbEdit: "edited"}[verb]
	return feedDelivery(object, wire, text)
}

func bodiesSetup(t *testing.T, d *db.DB, c *bodies) (*intake.Store, *logRecords) {
	t.Helper()
	if _, err := d.Exec(context.Background(), "CREATE TABLE test_bodies (object_id TEXT PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	addChannel(t, d, "facebook", pageID)
	s := newStore(t, d)
	s.Process = c
	logs := &logRecords{}
	s.Log = slog.New(logs)
	return s, logs
}

func saveAllOf(t *testing.T, s *intake.Store, ds ...intake.Delivery) {
	t.Helper()
	if _, err := s.SaveDeliveries(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
}

func bodyOf(t *testing.T, d *db.DB, object string) string {
	t.Helper()
	var b string
	err := d.QueryRow(context.Background(), "SELECT body FROM test_bodies WHERE object_id = ?", object).Scan(&b)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return b
}

// TestStorageFaultLeavesTheBatchWhole: while the database cannot store
// (here a consumer failing with ENOSPC, as a full disk makes it), the
// batch is retried whole after a pause: no delivery is tried alone, none
// is held back, the fault is logged once as a warning; once it clears,
// the deliveries are processed in the order they came, so that an edit
// acknowledged during the fault stays after its create.
func TestStorageFaultLeavesTheBatchWhole(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &bodies{down: true, attempts: make(chan int, 16)}
		s, logs := bodiesSetup(t, d, c)
		ids := []string{"Första texten", "Rättad text", "En annan fråga"}
		saveAllOf(t, s,
			change(platform.VerbCreate, "200_1", ids[0]),
			change(platform.VerbEdit, "200_1", ids[1]),
			change(platform.VerbCreate, "200_2", ids[2]))
		for range 3 {
			if size := <-c.attempts; size != len(ids) {
				t.Fatalf("a batch of %d tried while the database could not store, want the whole %d", size, len(ids))
			}
		}
		if n, _ := s.CountUnprocessed(ctx); n != len(ids) || s.Held() != 0 || count(t, d, "test_bodies") != 0 {
			t.Fatalf("during the fault: %d unprocessed, %d held, %d applied; want all %d unprocessed, none held", n, s.Held(), count(t, d, "test_bodies"), len(ids))
		}
		c.set(func(c *bodies) { c.down = false })
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.WaitProcessed(wctx); err != nil {
			t.Fatal(err)
		}
		s.Stop()
		if got := c.order(); !slices.Equal(got, ids) {
			t.Fatalf("processed %v, want %v in order", got, ids)
		}
		if b := bodyOf(t, d, "200_1"); b != "Rättad text" {
			t.Fatalf("body %q after the fault, want the edit's", b)
		}
		warns, errs := logs.count(slog.LevelWarn), logs.count(slog.LevelError)
		if warns != 1 || errs != 0 {
			t.Fatalf("%d warnings and %d errors logged, want the fault once as a warning: %v", warns, errs, logs.messages())
		}
		if w := logs.first(slog.LevelWarn); w["deliveries"] != int64(len(ids)) {
			t.Fatalf("the warning does not count the deliveries: %v", w)
		}
	})
}

// TestHeldDeliveryKeepsItsObjectOrder: a delivery the consumer cannot take
// is held back, and so is any later one that touches the same object,
// while the others go on; when the hold ends they are processed in the
// order they came, so that the held create does not overwrite the later
// edit.
func TestHeldDeliveryKeepsItsObjectOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := &bodies{refuse: "Första texten"}
		s, logs := bodiesSetup(t, d, c)
		create := "Första texten"
		saveAllOf(t, s, change(platform.VerbCreate, "200_1", create))
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Held() != 1 || logs.count(slog.LevelError) != 1 || !s.RetryScheduled() {
			t.Fatalf("the refused create: %d held, %v logged, retry scheduled %v", s.Held(), logs.messages(), s.RetryScheduled())
		}
		// The citizen's edit, and someone else's comment, come after.
		later := []string{"Rättad text", "En annan fråga"}
		saveAllOf(t, s,
			change(platform.VerbEdit, "200_1", later[0]),
			change(platform.VerbCreate, "200_2", later[1]))
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := c.order(); !slices.Equal(got, later[1:]) || bodyOf(t, d, "200_1") != "" || s.Held() != 2 {
			t.Fatalf("processed %v with %d held, body %q; want only the other comment, the edit held behind its create", got, s.Held(), bodyOf(t, d, "200_1"))
		}
		// The hold ends and the create fails again: the edit stays behind
		// it, although they were tried in one batch.
		s.ReleaseHeld()
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if got := c.order(); !slices.Equal(got, later[1:]) || s.Held() != 2 {
			t.Fatalf("after a second failure: processed %v with %d held", got, s.Held())
		}
		c.set(func(c *bodies) { c.refuse = "" })
		s.ReleaseHeld()
		if err := s.WaitProcessed(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := c.order(), []string{later[1], create, later[0]}; !slices.Equal(got, want) {
			t.Fatalf("processed %v, want %v", got, want)
		}
		if b := bodyOf(t, d, "200_1"); b != "Rättad text" {
			t.Fatalf("the held create overwrote the edit: body %q", b)
		}
	})
}

// TestStopCancelsTheRetry: a store stopped while a delivery is held does
// not wake up for it later (against a database closed by then).
func TestStopCancelsTheRetry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := &bodies{refuse: "Första texten"}
		s, _ := bodiesSetup(t, d, c)
		saveAllOf(t, s, change(platform.VerbCreate, "200_1", "Första texten"))
		if err := s.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if !s.RetryScheduled() {
			t.Fatal("no retry scheduled for the held delivery")
		}
		s.Stop()
		if s.RetryScheduled() {
			t.Fatal("Stop left the retry scheduled")
		}
		s.ReleaseHeld() // a Kick after Stop does nothing
		if err := s.WaitIdle(ctx); err != nil || len(c.order()) != 0 {
			t.Fatalf("processed %v after Stop (%v)", c.order(), err)
		}
	})
}

// logRecords is a slog.Handler that keeps what is logged.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecords) WithGroup(string) slog.Handler            { return h }

func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

func (h *logRecords) count(level slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Level == level {
			n++
		}
	}
	return n
}

// first is the attributes of the first record at level.
func (h *logRecords) first(level slog.Level) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.recs {
		if r.Level == level {
			out := map[string]any{}
			r.Attrs(func(a slog.Attr) bool {
				out[a.Key] = a.Value.Any()
				return true
			})
			return out
		}
	}
	return nil
}

func (h *logRecords) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.recs {
		out = append(out, r.Level.String()+" "+r.Message)
	}
	return out
}
