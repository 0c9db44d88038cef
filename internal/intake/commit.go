package intake

import (
	"context"
	"fmt"
	"sync"
	"time"

	"tilltal/internal/db"
)

// Committer stores webhook deliveries with group commit: deliveries that
// arrive while the database is busy wait together and are committed in one
// transaction, so that one durable commit (one fsync) acknowledges many.
// One commit per delivery caps intake at the disk's commit rate; a batch
// pays it once.
//
// Each caller still gets its own result, and only after the transaction
// holding its delivery has committed: nothing is acknowledged before it is
// durable. When a batch that stores events fails (without a processor),
// it is rolled back and its deliveries are stored one by one, so that one
// bad delivery cannot cost the others; a batch of raw arrivals fails
// whole, since no one of them can fail it alone.
//
// The zero value is not usable: set Store. Workers start when deliveries
// wait and end when none do, so a Committer needs no Close.
type Committer struct {
	Store *Store
	// MaxBatch bounds how many deliveries share one transaction (default
	// 256): a larger batch holds the writer longer and, if it fails, has
	// more to redo one by one. A batch stores only raw bodies, tens of
	// microseconds each, and its commit is most of what it costs: with 128
	// in flight, 256 answered more deliveries per second than 64, with a
	// lower p99, on both databases (with 32 in flight batches never reach
	// either bound).
	MaxBatch int
	// MaxWait is how long a batch that is not full may wait for more
	// deliveries before it commits; 0, the default, commits at once what
	// waits. Under load a batch fills by itself while the one before it
	// commits, and waiting on top of that only added latency in the
	// benchmarks (with an fsync of about 0.2 ms). On a disk whose commit
	// is slow, a millisecond or two lets a trickle share it.
	MaxWait time.Duration
	// Parallel is how many batches may commit at once (default 1 on
	// SQLite, which has one writer, and 2 for arrivals on PostgreSQL,
	// where one batch's round trip overlaps the other's commit: with 32
	// deliveries in flight 2 acknowledged 5–13% more than 1, in three
	// runs each; 4 was no better than 1, its batches too small).
	Parallel int
	// Timeout bounds the database work of one batch (default 10 s).
	Timeout time.Duration

	mu        sync.Mutex
	queue     []*pending
	workers   int
	gathering int
	full      chan struct{}
}

// pending is one delivery waiting for its commit.
type pending struct {
	d     Delivery
	saved Saved
	err   error
	done  chan struct{}
}

// Save stores d in the next batch and returns when that batch has
// committed (or d has been stored alone after the batch failed), or when
// ctx ends first — then the result is an error although the delivery may
// still be stored: a redelivery is deduplicated, so the sender may retry.
func (c *Committer) Save(ctx context.Context, d Delivery) (Saved, error) {
	// Hashed here, on the caller's goroutine, rather than by the one that
	// holds the writer, when the hash is stored with the delivery; with a
	// processor, it is computed when the arrival is processed.
	if c.Store.Process == nil {
		d.hash()
	}
	p := &pending{d: d, done: make(chan struct{})}
	c.Store.proc.arrived()
	c.mu.Lock()
	if c.full == nil {
		c.full = make(chan struct{}, 1)
	}
	c.queue = append(c.queue, p)
	c.Store.proc.acking.Add(1)
	if c.gathering == 0 && c.workers < c.parallel() {
		// Every worker is committing: start another rather than wait.
		c.workers++
		c.gathering++
		go c.work()
	}
	if len(c.queue) >= c.maxBatch() {
		select {
		case c.full <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	select {
	case <-p.done:
		return p.saved, p.err
	case <-ctx.Done():
		return Saved{}, fmt.Errorf("intake: save delivery: %w", ctx.Err())
	}
}

// work gathers and commits batches until no delivery waits. It starts
// counted as gathering.
func (c *Committer) work() {
	for {
		batch := c.gather()
		if len(batch) == 0 {
			return
		}
		c.commit(batch)
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.workers--
			c.mu.Unlock()
			return
		}
		c.gathering++
		c.mu.Unlock()
	}
}

// gather waits until a batch is full or MaxWait has passed, then takes up
// to MaxBatch deliveries off the queue. With nothing to take the worker
// ends.
func (c *Committer) gather() []*pending {
	max := c.maxBatch()
	c.mu.Lock()
	if n := len(c.queue); n > 0 && n < max && c.MaxWait > 0 {
		c.mu.Unlock()
		t := time.NewTimer(c.MaxWait)
		select {
		case <-c.full:
		case <-t.C:
		}
		t.Stop()
		c.mu.Lock()
	}
	n := min(len(c.queue), max)
	batch := make([]*pending, n)
	copy(batch, c.queue)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	c.gathering--
	if n == 0 {
		c.workers--
	}
	c.mu.Unlock()
	return batch
}

// commit stores a batch in one transaction and hands every caller its
// result. When a transaction that stores events fails, each delivery is
// tried alone, so that the one that failed it fails alone.
func (c *Committer) commit(batch []*pending) {
	ds := make([]Delivery, len(batch))
	for i, p := range batch {
		ds[i] = p.d
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
	saved, err := c.Store.SaveDeliveries(ctx, ds)
	cancel()
	defer c.Store.proc.acking.Add(-int64(len(batch)))
	if err == nil {
		groupCommit.Observe(float64(len(batch)))
	}
	for i, p := range batch {
		switch {
		case err == nil:
			p.saved = saved[i]
		case c.Store.Process != nil, len(batch) == 1 && !db.IsUniqueViolation(err):
			// Arrivals have no constraint for one of them to fail alone:
			// the database failed them all, and each caller answers 503
			// for Meta to retry rather than wait for the rest one by one.
			p.err = err
		default:
			p.saved, p.err = c.saveAlone(p.d)
		}
		if p.err == nil {
			acknowledged.Inc()
		}
		close(p.done)
	}
}

// saveAlone stores one delivery in its own transaction. A unique violation
// means a concurrent transaction (another batch, on PostgreSQL) created a
// row this one also creates — the thread of two comments on one post — and
// is tried once more, when the retry sees the other's row.
func (c *Committer) saveAlone(d Delivery) (Saved, error) {
	var saved Saved
	var err error
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
		saved, err = c.Store.SaveDelivery(ctx, d)
		cancel()
		if !db.IsUniqueViolation(err) {
			break
		}
	}
	return saved, err
}

func (c *Committer) maxBatch() int {
	if c.MaxBatch > 0 {
		return c.MaxBatch
	}
	return 256
}

func (c *Committer) parallel() int {
	if c.Parallel > 0 {
		return c.Parallel
	}
	// Arrivals conflict with nothing; batches that store events may, and
	// keep to one.
	if c.Store.DB.Dialect == db.Postgres && c.Store.Process != nil {
		return 2
	}
	return 1
}

func (c *Committer) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 10 * time.Second
}
