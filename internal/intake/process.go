package intake

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// A webhook delivery is acknowledged once it is durable: appended raw to
// webhook_arrivals, in a group commit (ack.go). Everything that follows
// from it is made after the answer, by a processor that takes arrivals
// oldest first, in batches: it reads their bodies, routes their events to
// channels and, in one transaction per batch, stores each body once as a
// delivery (a replay is only counted), stores the events and makes their
// consequences — archive record, inbox items, threads, versions, search
// index, classification. Making any of that before the 200 held every
// delivery's answer behind it.
//
// Nothing acknowledged is lost: an arrival stays in webhook_arrivals until
// the transaction that made its consequences commits and deletes it, so a
// crash in between leaves it to be processed after restart (the server
// kicks the processor at start). Nothing is processed twice: the batch's
// transaction takes its arrivals by deleting them (arrival.go); on
// PostgreSQL a second instance taking the same rows waits for the first
// to commit and then finds them gone, or takes them over if it rolled
// back.
//
// Changes of one platform object are applied in the order they were
// stored. While the database cannot store (db.IsUnavailable), a batch is
// retried whole after a pause, nothing is held back; a delivery that fails
// on its own is held back, and every later one that touches one of its
// objects waits behind it, so that a held create never reverts an edit.

// Consumer makes the consequences of stored webhook deliveries.
type Consumer interface {
	// Prepare runs before the batch's transaction, without locks, for work
	// that needs no database: classification, search text. It may set
	// each event's Prepared (in place), which Apply then finds. Nothing is
	// stored yet: the events' ID, and mostly their DeliveryID, are 0.
	Prepare(ds []Unprocessed)
	// Apply runs in the batch's transaction, which has stored the
	// deliveries (DeliveryID is set) and takes their arrivals off the
	// queue when it commits. It must be idempotent on the event: a
	// delivery whose events were routed in between (RouteUnrouted) may
	// meet them again.
	Apply(ctx context.Context, tx *db.Tx, ds []Unprocessed) error
}

// Unprocessed is an acknowledged delivery awaiting its consequences, with
// its events in the order of its body: for Prepare all it brought, for
// Apply the new ones (an event another delivery brought first is not
// repeated), routed or not.
type Unprocessed struct {
	DeliveryID int64
	Events     []Stored
}

// A processing transaction holds SQLite's only writer, and an
// acknowledgement that arrives meanwhile waits behind it; on PostgreSQL it
// takes CPU from them. So the processor gives way: it starts a batch only
// when no delivery waits for its commit (or it has waited maxYield, so that
// processing keeps up under a steady flood), and while acknowledgements
// keep arriving its batches stay small, sized to take about batchTarget
// from what the last ones cost, and grow (up to busyBatch) only while
// each finds more waiting than it took. On PostgreSQL a big batch
// classifies and writes in one burst beside the acknowledgements on the
// same CPUs: 512 under a steady 1,000 deliveries/s took their p99 from
// 11–33 ms to 140–180 ms; a fixed 64 to about 11–14 ms, and sized batches
// to 5–10 ms. A batch that always took one (a PostgreSQL batch costs
// about 6 ms of round trips however small) fell behind that stream.
//
// Once none has arrived for quietAfter nobody waits, and a batch takes
// quietBatch: its commit, the archive head's write and the search index's
// flush are paid once for many deliveries. quietAfter is fifty gaps of a
// steady 1,000/s, so that a stall of the process is not taken for quiet.
const (
	maxYield    = 50 * time.Millisecond
	batchTarget = 2 * time.Millisecond
	minBatch    = 1
	busyBatch   = 64
	quietBatch  = 512
	quietAfter  = 50 * time.Millisecond
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
	// lastAck is when the last delivery came to be acknowledged, in Unix
	// nanoseconds.
	lastAck atomic.Int64
	// perDelivery is what processing one delivery took lately.
	perDelivery time.Duration
	// boost multiplies the batch while a backlog lasts (caughtUp).
	boost int
	// held are deliveries left unprocessed and not tried again before
	// their time: those whose processing failed on their own, so that one
	// the consumer cannot take does not stop the others behind it, and
	// those behind them that touch the same platform objects, so that a
	// later change of an object is never applied before an earlier one
	// (a held create would otherwise revert an edit applied meanwhile).
	held map[int64]heldDelivery
	// retry kicks the loop when the first hold ends; Stop cancels it.
	retry *time.Timer
	// legacyAt is when the loop last looked for deliveries an older
	// Tilltal left unprocessed (queueLegacy).
	legacyAt time.Time
}

// heldDelivery is a held delivery: until when, and the objects its events
// touch.
type heldDelivery struct {
	until   time.Time
	objects []objectKey
}

// objectKey names a platform object, whichever event speaks of it.
type objectKey struct {
	platform platform.Name
	account  string
	id       string
}

// arrived notes that a delivery came to be acknowledged.
func (p *processor) arrived() {
	p.lastAck.Store(time.Now().UnixNano())
}

// size is how many deliveries the next batch takes.
func (p *processor) size() int {
	if time.Since(time.Unix(0, p.lastAck.Load())) >= quietAfter {
		return quietBatch
	}
	return p.batchSize()
}

// objectsOf are the objects a delivery's events touch.
func objectsOf(d Unprocessed) []objectKey {
	out := make([]objectKey, 0, len(d.Events))
	for _, e := range d.Events {
		out = append(out, objectKey{e.Platform, e.AccountID, e.Object.ExternalID})
	}
	return out
}

// retryHeld is how long a delivery that failed on its own waits before it
// is tried again (a restart tries it at once).
const retryHeld = 30 * time.Second

// holds returns the held deliveries not to try yet, and the objects they
// touch with the time the last hold on each ends; ended holds are dropped.
func (p *processor) holds(now time.Time) (map[int64]bool, map[objectKey]time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	skip := map[int64]bool{}
	blocked := map[objectKey]time.Time{}
	for id, h := range p.held {
		if !now.Before(h.until) {
			delete(p.held, id)
			continue
		}
		skip[id] = true
		block(blocked, h.objects, h.until)
	}
	return skip, blocked
}

// block marks objects as held until the time given, or later if they are
// already.
func block(blocked map[objectKey]time.Time, objects []objectKey, until time.Time) {
	for _, k := range objects {
		if until.After(blocked[k]) {
			blocked[k] = until
		}
	}
}

// blockedUntil is when the last hold on any of objects ends, zero when
// none is held.
func blockedUntil(blocked map[objectKey]time.Time, objects []objectKey) time.Time {
	var until time.Time
	for _, k := range objects {
		if t := blocked[k]; t.After(until) {
			until = t
		}
	}
	return until
}

func (p *processor) hold(id int64, h heldDelivery) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[int64]heldDelivery{}
	}
	p.held[id] = h
}

// scheduleRetry kicks the loop again when the first hold ends. p.mu is
// held.
func (s *Store) scheduleRetry(now time.Time) {
	p := &s.proc
	if p.retry != nil {
		p.retry.Stop()
		p.retry = nil
	}
	if p.stopped || len(p.held) == 0 {
		return
	}
	var first time.Time
	for _, h := range p.held {
		if first.IsZero() || h.until.Before(first) {
			first = h.until
		}
	}
	p.retry = time.AfterFunc(max(first.Sub(now), time.Millisecond), s.Kick)
}

// batchSize is how many deliveries the next batch takes to last about
// batchTarget, times boost while the last batches found more waiting than
// they took: a batch also has a cost of its own (on PostgreSQL a round
// trip per statement), and small batches alone could fall ever further
// behind a steady stream.
func (p *processor) batchSize() int {
	size := 8
	if p.perDelivery > 0 {
		size = max(minBatch, int(batchTarget/p.perDelivery))
	}
	return min(busyBatch, size*max(1, p.boost))
}

// caughtUp doubles boost after a batch that was full (more were waiting),
// up to busyBatch, and ends it after one that was not.
func (p *processor) caughtUp(full bool) {
	switch {
	case !full:
		p.boost = 1
	case p.boost < busyBatch:
		p.boost = max(1, p.boost) * 2
	}
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
	if p.retry != nil {
		p.retry.Stop()
		p.retry = nil
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
	if time.Since(p.legacyAt) >= legacyEvery {
		p.legacyAt = time.Now()
		if err := s.queueLegacy(ctx); err != nil && ctx.Err() == nil {
			s.logger().Warn("intake: could not look for deliveries an older version left unprocessed; looking again later", "err", err)
		}
	}
	backoff := 100 * time.Millisecond
	outage := false // the database could not store at the last try
	for {
		p.yield()
		size := p.size()
		skip, blocked := p.holds(time.Now())
		b, err := s.processBatch(ctx, size, skip, blocked)
		p.measured(b.processed, b.took)
		p.caughtUp(b.pending >= size)
		// A batch that held back some of its deliveries has moved on; one
		// that could do nothing, above all because the database cannot
		// store (a full disk, a server down), waits and tries again.
		failed := err != nil && (stopping(ctx, err) || b.taken+b.held == 0)
		s.logBatch(ctx, b, err, failed, &outage)
		p.mu.Lock()
		close(p.progress)
		p.progress = make(chan struct{})
		if p.stopped || (!failed && b.taken+b.held == 0 && !p.again) {
			p.running = false
			s.scheduleRetry(time.Now())
			p.mu.Unlock()
			return
		}
		p.again = false
		p.mu.Unlock()
		if failed {
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

// logBatch reports a failed batch. That the database cannot store is
// said once, as a warning, when it begins, and its end once: every try
// in between would say the same (readiness reports it meanwhile).
func (s *Store) logBatch(ctx context.Context, b batch, err error, failed bool, outage *bool) {
	if ctx.Err() != nil || s.Log == nil {
		return
	}
	switch {
	case failed && db.IsUnavailable(err):
		if !*outage {
			attrs := []any{"err", err}
			if b.pending > 0 { // unknown when they could not even be read
				attrs = append(attrs, "deliveries", b.pending)
			}
			s.Log.Warn("intake: the database cannot store now; the stored deliveries stay unprocessed and are processed in order when it can", attrs...)
		}
		*outage = true
	case failed:
		s.Log.Error("intake: processing stored deliveries failed; retrying", "err", err)
	case *outage:
		s.Log.Info("intake: the database stores again; processing resumed", "processed", b.processed)
		*outage = false
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
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM webhook_arrivals").Scan(&n); err != nil {
		return 0, fmt.Errorf("intake: unprocessed: %w", err)
	}
	return n, nil
}

// ProcessBatch makes the consequences of up to limit unprocessed
// deliveries, oldest first, in one transaction, and returns how many it
// processed. The deliveries and their events are read and prepared before
// the transaction; the transaction then claims those still unprocessed and
// applies them. When the batch fails and none could be processed, its
// error is returned.
func (s *Store) ProcessBatch(ctx context.Context, limit int) (int, error) {
	b, err := s.processBatch(ctx, limit, nil, nil)
	return b.processed, err
}

// batch is what processBatch did.
type batch struct {
	processed int
	// taken is how many arrivals it took off the queue: those processed,
	// and replays, which need nothing more.
	taken int
	// held is how many it held back.
	held int
	// took is how long the claim and Apply took in the transaction: the
	// part that grows with the batch, without waiting for the writer or
	// the commit.
	took time.Duration
	// pending is how many deliveries it read to process.
	pending int
}

// stopping tells an error after which no delivery is to be tried alone or
// held: the database cannot store now (each would fail the same way, and
// holding them would let later deliveries overtake them), or the loop is
// stopping.
func stopping(ctx context.Context, err error) bool {
	return err != nil && (ctx.Err() != nil || db.IsUnavailable(err))
}

// processBatch is ProcessBatch leaving out the held deliveries in skip,
// and holding back, until the hold on them ends, those that touch an
// object in blocked: a later change of an object waits for the earlier.
//
// When the batch fails because the database cannot store, or ctx ends,
// the error is returned and nothing is held. When it fails otherwise,
// each of its deliveries is tried alone, in order; one that fails alone is
// held back for retryHeld (and logged), and so is any after it that
// touches the same objects: the others go on. The error is returned
// with what was done when none could be processed.
func (s *Store) processBatch(ctx context.Context, limit int, skip map[int64]bool, blocked map[objectKey]time.Time) (batch, error) {
	var b batch
	ins, err := s.unblocked(ctx, limit, skip, blocked, &b)
	if err != nil || len(ins) == 0 {
		return b, err
	}
	b.pending = len(ins)
	if err := route(ctx, s.DB, ins); err != nil {
		return b, fmt.Errorf("intake: route events: %w", err)
	}
	s.Process.Prepare(views(ins))
	done, err := s.apply(ctx, ins)
	if err == nil || stopping(ctx, err) {
		b.processed, b.taken, b.took = done.processed, done.taken, done.took
		return b, err
	}
	failed := map[objectKey]time.Time{}
	for i := range ins {
		d := ins[i : i+1]
		objects := objectsOf(d[0].Unprocessed)
		if until := blockedUntil(failed, objects); !until.IsZero() {
			s.holdBack(d[0].arrival, objects, until, failed, &b)
			continue
		}
		k, e := s.apply(ctx, d)
		if stopping(ctx, e) {
			return b, e
		}
		if e != nil {
			s.holdBack(d[0].arrival, objects, time.Now().Add(retryHeld), failed, &b)
			if s.Log != nil {
				s.Log.Error("intake: a stored delivery could not be processed; kept unprocessed and tried again later", "arrival_id", d[0].arrival, "err", e)
			}
			continue
		}
		b.processed += k.processed
		b.taken += k.taken
	}
	if b.taken == 0 {
		return b, err
	}
	return b, nil
}

// unblocked reads up to limit unprocessed deliveries not in skip, and
// holds back those that touch an object in blocked, with the hold of the
// object (so that they are tried again with the delivery they wait for,
// after it), counting them in b. It reads on while all it read were held.
func (s *Store) unblocked(ctx context.Context, limit int, skip map[int64]bool, blocked map[objectKey]time.Time, b *batch) ([]inbound, error) {
	for {
		ins, err := s.unprocessed(ctx, limit, skip)
		if err != nil || len(ins) == 0 || len(blocked) == 0 {
			return ins, err
		}
		var out []inbound
		for _, in := range ins {
			objects := objectsOf(in.Unprocessed)
			until := blockedUntil(blocked, objects)
			if until.IsZero() {
				out = append(out, in)
				continue
			}
			s.holdBack(in.arrival, objects, until, blocked, b)
			skip[in.arrival] = true
		}
		if len(out) > 0 {
			return out, nil
		}
	}
}

// holdBack holds a delivery back until the time given, and marks its
// objects in blocked, so that a later delivery touching them waits behind
// it.
func (s *Store) holdBack(id int64, objects []objectKey, until time.Time, blocked map[objectKey]time.Time, b *batch) {
	s.proc.hold(id, heldDelivery{until: until, objects: objects})
	block(blocked, objects, until)
	b.held++
}

// applied is what apply did: how many arrivals it processed and took
// (replays are taken and not processed), and how long that took in the
// transaction.
type applied struct {
	processed, taken int
	took             time.Duration
}

// apply takes the arrivals of ins still waiting, stores their deliveries
// and events and applies them in one transaction. ins is not changed, so
// that a failed batch can be tried again delivery by delivery.
func (s *Store) apply(ctx context.Context, ins []inbound) (applied, error) {
	now := s.Now().UTC()
	var claimed []inbound
	var made []Unprocessed
	var out applied
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t0 := time.Now()
		defer func() { out.took = time.Since(t0) }()
		var err error
		if claimed, out.taken, err = claim(ctx, tx, ins, now); err != nil || len(claimed) == 0 {
			return err
		}
		if made, err = storeEvents(ctx, tx, claimed); err != nil {
			return err
		}
		return s.Process.Apply(ctx, tx, made)
	})
	if err != nil {
		return applied{}, fmt.Errorf("intake: process deliveries: %w", err)
	}
	for i, in := range claimed {
		s.logRead(in.DeliveryID, in.read, unrouted(made[i].Events))
	}
	out.processed = len(claimed)
	processedTotal.Add(float64(out.processed))
	replays.Add(float64(out.taken - out.processed))
	return out, nil
}

// unrouted counts the events no channel owns.
func unrouted(evs []Stored) int {
	n := 0
	for _, e := range evs {
		if e.ChannelID == 0 {
			n++
		}
	}
	return n
}
