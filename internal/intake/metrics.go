package intake

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The intake's metrics, for /metrics: what was acknowledged, what was
// processed, and how far processing is behind — what an operator watches
// to know that webhooks are answered and that what they bring reaches the
// inbox.
var (
	acknowledged = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tilltal_intake_acknowledged_total", Help: "Webhook deliveries stored and acknowledged.",
	})
	processedTotal = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tilltal_intake_processed_total", Help: "Acknowledged webhook deliveries processed: their events stored and their consequences made.",
	})
	replays = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tilltal_intake_replays_total", Help: "Acknowledged webhook deliveries taken off the queue without processing: bodies stored before (the platform's retries).",
	})
	groupCommit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "tilltal_intake_group_commit_size", Help: "Webhook deliveries acknowledged by one commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
)

// Collectors returns the intake's process-wide metrics for registration.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{acknowledged, processedTotal, replays, groupCommit}
}

// QueueCollector reports, when scraped, how many acknowledged deliveries
// wait for processing, how long the oldest has waited and how many are
// held back after failing: a queue that grows or ages is processing that
// falls behind or stopped.
func (s *Store) QueueCollector() prometheus.Collector {
	return &queueCollector{s: s,
		waiting: prometheus.NewDesc("tilltal_intake_arrivals_waiting", "Acknowledged webhook deliveries waiting to be processed.", nil, nil),
		oldest:  prometheus.NewDesc("tilltal_intake_oldest_arrival_age_seconds", "How long the oldest waiting webhook delivery has waited (0 when none waits).", nil, nil),
		held:    prometheus.NewDesc("tilltal_intake_held_deliveries", "Webhook deliveries held back after their processing failed, to be tried again.", nil, nil),
	}
}

type queueCollector struct {
	s                     *Store
	waiting, oldest, held *prometheus.Desc

	// The queue's figures are read at most every queueReadEvery and
	// reused in between: /metrics is public, and every request to it must
	// not become queries (a table's count during a flood).
	mu     sync.Mutex
	readAt time.Time
	read   bool
	n      int
	first  time.Time // received_at of the oldest waiting, zero when none
}

// queueReadEvery is how long the queue's figures are reused.
const queueReadEvery = 5 * time.Second

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.waiting
	ch <- c.oldest
	ch <- c.held
}

// Collect reports the queue; when the database cannot be read the
// queue's figures are left out rather than reported as empty.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, float64(c.s.heldCount()))
	n, first, ok := c.queue()
	if !ok {
		return
	}
	age := 0.0
	if n > 0 && !first.IsZero() {
		age = max(0, c.s.Now().Sub(first).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}

// queue returns how many arrivals wait and when the oldest came, read
// from the database unless read within queueReadEvery.
func (c *queueCollector) queue() (int, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read && time.Since(c.readAt) < queueReadEvery {
		return c.n, c.first, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.s.CountUnprocessed(ctx)
	if err != nil {
		return 0, time.Time{}, false
	}
	var first time.Time
	if n > 0 {
		// By id rather than MIN(received_at), which would come back from
		// SQLite as text.
		if err := c.s.DB.QueryRow(ctx, "SELECT received_at FROM webhook_arrivals ORDER BY id LIMIT 1").Scan(&first); err != nil {
			first = time.Time{}
		}
	}
	c.read, c.readAt, c.n, c.first = true, time.Now(), n, first
	return n, first, true
}

// heldCount counts the deliveries held back.
func (s *Store) heldCount() int {
	s.proc.mu.Lock()
	defer s.proc.mu.Unlock()
	return len(s.proc.held)
}
