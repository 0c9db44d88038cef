package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tilltal/internal/db"
)

// A webhook delivery is acknowledged once it is durable: stored raw, with
// its events, in a group commit. What follows from it — its archive
// record, inbox items, threads, versions, search index, classification —
// is made after the answer, by a processor that takes the stored,
// unprocessed deliveries in batches, one transaction per batch. Making all
// that before the 200 held every delivery's answer behind a few dozen
// statements.
//
// Nothing acknowledged is lost: a delivery is unprocessed (processed_at is
// NULL) until the transaction that made its consequences commits, so a
// crash in between leaves it to be processed after restart (the server
// kicks the processor at start). Nothing is processed twice: the batch's
// transaction claims its deliveries with an UPDATE of processed_at that
// only matches unprocessed rows; on PostgreSQL a second instance claiming
// the same rows waits for the first to commit and then finds them taken,
// or takes them over if it rolled back.

// Consumer makes the consequences of stored webhook deliveries.
type Consumer interface {
	// Prepare runs before the batch's transaction, without locks, for work
	// that needs no database: classification, search text. It may set
	// each event's Prepared.
	Prepare(ds []Unprocessed)
	// Apply runs in the batch's transaction, which marks the deliveries
	// processed when it commits. It must be idempotent on the event: a
	// delivery whose events were routed in between (RouteUnrouted) may
	// meet them again.
	Apply(ctx context.Context, tx *db.Tx, ds []Unprocessed) error
}

// Unprocessed is a stored delivery awaiting its consequences, with its
// events (the new ones it brought, routed or not) in arrival order.
type Unprocessed struct {
	DeliveryID int64
	Events     []Stored
}

// A processing transaction holds SQLite's only writer, and an
// acknowledgement that arrives meanwhile waits behind it; on PostgreSQL it
// takes CPU from them. So the processor gives way: it starts a batch only
// when no delivery waits for its commit (or it has waited maxYield, so that
// processing keeps up under a steady flood), and on SQLite sizes its
// batches to take about batchTarget, from what the last ones cost. On
// PostgreSQL acknowledgements do not wait for the processor's locks, and a
// batch takes maxBatch: each of its statements is a round trip, and fewer
// commits are what is left to save.
const (
	maxYield    = 50 * time.Millisecond
	batchTarget = 4 * time.Millisecond
	minBatch    = 1
	maxBatch    = 64
)

// processor is the state of a Store's processing loop.
type processor struct {
	mu      sync.Mutex
	running bool
	again   bool
	stopped bool
	stop    chan struct{}
	// progress is closed and replaced after every batch and when the loop
	// ends, for WaitProcessed.
	progress chan struct{}
	done     sync.WaitGroup
	// acking counts deliveries waiting for their group commit.
	acking atomic.Int64
	// perDelivery is what processing one delivery took lately.
	perDelivery time.Duration
	// held are deliveries whose processing failed on their own, left
	// unprocessed and not tried again before the time given, so that one
	// the consumer cannot take does not stop the others behind it.
	held map[int64]time.Time
}

// retryHeld is how long a delivery that failed on its own waits before it
// is tried again (a restart tries it at once).
const retryHeld = 30 * time.Second

// skipped are the held deliveries not to try yet.
func (p *processor) skipped(now time.Time) map[int64]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[int64]bool{}
	for id, until := range p.held {
		if now.Before(until) {
			out[id] = true
		} else {
			delete(p.held, id)
		}
	}
	return out
}

func (p *processor) hold(id int64, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[int64]time.Time{}
	}
	p.held[id] = until
}

func (p *processor) anyHeld() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held) > 0
}

// batchSize is how many deliveries the next batch takes to last about
// batchTarget.
func (p *processor) batchSize() int {
	if p.perDelivery <= 0 {
		return 8
	}
	return max(minBatch, min(maxBatch, int(batchTarget/p.perDelivery)))
}

// measured folds the cost of a batch into perDelivery.
func (p *processor) measured(n int, took time.Duration) {
	if n == 0 {
		return
	}
	d := took / time.Duration(n)
	if p.perDelivery == 0 {
		p.perDelivery = d
		return
	}
	p.perDelivery = (3*p.perDelivery + d) / 4
}

// yield waits while deliveries wait for their commit, up to maxYield.
func (p *processor) yield() {
	deadline := time.Now().Add(maxYield)
	for p.acking.Load() > 0 && time.Now().Before(deadline) {
		select {
		case <-time.After(500 * time.Microsecond):
		case <-p.stop:
			return
		}
	}
}

func (p *processor) init() {
	if p.stop == nil {
		p.stop = make(chan struct{})
		p.progress = make(chan struct{})
	}
}

// Kick makes the processor look for unprocessed deliveries: it starts the
// loop unless it runs, which then looks once more before it ends. The
// loop ends when none is left, so a Store needs no Close unless it must
// stop processing (Stop). Without Process it does nothing.
func (s *Store) Kick() {
	if s.Process == nil {
		return
	}
	p := &s.proc
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if p.stopped {
		return
	}
	if p.running {
		p.again = true
		return
	}
	p.running = true
	p.done.Add(1)
	go s.processLoop()
}

// Stop ends the processing loop after its current batch and waits for it;
// what is left stays unprocessed for the next start.
func (s *Store) Stop() {
	p := &s.proc
	p.mu.Lock()
	p.init()
	if !p.stopped {
		p.stopped = true
		close(p.stop)
	}
	p.mu.Unlock()
	p.done.Wait()
}

func (s *Store) processLoop() {
	p := &s.proc
	defer p.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	backoff := 100 * time.Millisecond
	for {
		p.yield()
		size := maxBatch
		if s.DB.Dialect == db.SQLite {
			size = p.batchSize()
		}
		n, took, err := s.processBatch(ctx, size, p.skipped(time.Now()))
		p.measured(n, took)
		if err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("intake: processing stored deliveries failed; retrying", "err", err, "in", backoff)
		}
		p.mu.Lock()
		close(p.progress)
		p.progress = make(chan struct{})
		if p.stopped || (err == nil && n == 0 && !p.again) {
			p.running = false
			p.mu.Unlock()
			if !p.stopped && p.anyHeld() {
				time.AfterFunc(retryHeld, s.Kick)
			}
			return
		}
		p.again = false
		p.mu.Unlock()
		if err != nil {
			select {
			case <-time.After(backoff):
			case <-p.stop:
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
}

// WaitProcessed returns when no stored delivery awaits processing, or
// when ctx ends: what tests and the crash test wait for after a 200.
func (s *Store) WaitProcessed(ctx context.Context) error {
	for {
		n, err := s.CountUnprocessed(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		p := &s.proc
		p.mu.Lock()
		p.init()
		progress := p.progress
		p.mu.Unlock()
		s.Kick()
		// Another instance may be the one processing: look again now
		// and then even without news from this one.
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-progress:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
}

// CountUnprocessed counts the stored deliveries awaiting processing.
func (s *Store) CountUnprocessed(ctx context.Context) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM webhook_deliveries WHERE processed_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("intake: unprocessed: %w", err)
	}
	return n, nil
}

// ProcessBatch makes the consequences of up to limit unprocessed
// deliveries, oldest first, in one transaction, and returns how many it
// processed. The deliveries and their events are read and prepared before
// the transaction; the transaction then claims those still unprocessed and
// applies them.
func (s *Store) ProcessBatch(ctx context.Context, limit int) (int, error) {
	n, _, err := s.processBatch(ctx, limit, nil)
	return n, err
}

// processBatch is ProcessBatch leaving out the deliveries in skip, also
// returning how long the claim and Apply took in the transaction: the part
// that grows with the batch, without waiting for the writer or the commit.
//
// When the batch fails, each of its deliveries is tried alone, and one that
// fails alone is held back for retryHeld (and logged): the others go on.
func (s *Store) processBatch(ctx context.Context, limit int, skip map[int64]bool) (int, time.Duration, error) {
	ds, err := s.unprocessed(ctx, limit, skip)
	if err != nil || len(ds) == 0 {
		return 0, 0, err
	}
	s.Process.Prepare(ds)
	n, took, err := s.apply(ctx, ds)
	if err == nil || ctx.Err() != nil {
		return n, took, err
	}
	n = 0
	for _, d := range ds {
		k, _, e := s.apply(ctx, []Unprocessed{d})
		if e != nil {
			s.proc.hold(d.DeliveryID, time.Now().Add(retryHeld))
			if s.Log != nil {
				s.Log.Error("intake: a stored delivery could not be processed; kept unprocessed and tried again later", "delivery_id", d.DeliveryID, "err", e)
			}
			continue
		}
		n += k
	}
	if n == 0 {
		return 0, 0, err
	}
	return n, 0, nil
}

// apply claims the deliveries of ds still unprocessed and applies them in
// one transaction, returning how many and how long that took in it.
func (s *Store) apply(ctx context.Context, ds []Unprocessed) (int, time.Duration, error) {
	now := s.Now().UTC()
	var claimed []Unprocessed
	var took time.Duration
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t0 := time.Now()
		defer func() { took = time.Since(t0) }()
		var err error
		if claimed, err = claim(ctx, tx, ds, now); err != nil || len(claimed) == 0 {
			return err
		}
		return s.Process.Apply(ctx, tx, claimed)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("intake: process deliveries: %w", err)
	}
	return len(claimed), took, nil
}

// unprocessed reads up to limit unprocessed deliveries with their events.
// Those in skip are left out.
func (s *Store) unprocessed(ctx context.Context, limit int, skip map[int64]bool) ([]Unprocessed, error) {
	rows, err := s.DB.Query(ctx, "SELECT id FROM webhook_deliveries WHERE processed_at IS NULL ORDER BY id LIMIT ?", limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("intake: unprocessed: %w", err)
	}
	var ds []Unprocessed
	at := map[int64]int{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if skip[id] || len(ds) == limit {
			continue
		}
		at[id] = len(ds)
		ds = append(ds, Unprocessed{DeliveryID: id})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ds) == 0 {
		return nil, err
	}
	args := make([]any, len(ds))
	for i, d := range ds {
		args[i] = d.DeliveryID
	}
	rows, err = s.DB.Query(ctx, `SELECT id, COALESCE(channel_id, 0), delivery_id, source, received_at, event_json FROM platform_events
		WHERE delivery_id IN (`+placeholders(len(args))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: unprocessed events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Stored
		var js string
		if err := rows.Scan(&e.ID, &e.ChannelID, &e.DeliveryID, &e.Source, &e.ReceivedAt, &js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &e.Event); err != nil {
			return nil, fmt.Errorf("intake: event %d: %w", e.ID, err)
		}
		e.ReceivedAt = e.ReceivedAt.UTC()
		d := &ds[at[e.DeliveryID]]
		d.Events = append(d.Events, e)
	}
	return ds, rows.Err()
}

// claim marks the deliveries of ds processed in tx and returns those it
// marked: the others were processed meanwhile (by another instance).
func claim(ctx context.Context, tx *db.Tx, ds []Unprocessed, now time.Time) ([]Unprocessed, error) {
	args := make([]any, 0, len(ds)+1)
	args = append(args, now)
	for _, d := range ds {
		args = append(args, d.DeliveryID)
	}
	rows, err := tx.Query(ctx, "UPDATE webhook_deliveries SET processed_at = ? WHERE processed_at IS NULL AND id IN ("+placeholders(len(ds))+") RETURNING id", args...)
	if err != nil {
		return nil, fmt.Errorf("intake: claim deliveries: %w", err)
	}
	defer rows.Close()
	mine := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		mine[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(mine) == len(ds) {
		return ds, nil
	}
	var out []Unprocessed
	for _, d := range ds {
		if mine[d.DeliveryID] {
			out = append(out, d)
		}
	}
	return out, nil
}

// placeholders is "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
