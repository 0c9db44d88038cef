package intake_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// gauges reads a collector's unlabelled gauges by name.
func gauges(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		out[f.GetName()] = f.GetMetric()[0].GetGauge().GetValue()
	}
	return out
}

// TestQueueMetrics: /metrics tells how many acknowledged deliveries wait
// and how long the oldest has waited, and that none does once they are
// processed.
func TestQueueMetrics(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addChannel(t, d, "facebook", pageID)
		stopped := newStore(t, d)
		stopped.Process = newRecorder()
		stopped.Stop() // acknowledges and leaves them waiting
		h := newHandler(stopped)
		postOK(t, h, comment(1, "Första").Body)
		postOK(t, h, comment(2, "Andra").Body)
		stopped.Now = func() time.Time { return testNow.Add(90 * time.Second) }
		scraped := stopped.QueueCollector()
		g := gauges(t, scraped)
		if g["tilltal_intake_arrivals_waiting"] != 2 || g["tilltal_intake_oldest_arrival_age_seconds"] != 90 || g["tilltal_intake_held_deliveries"] != 0 {
			t.Fatalf("while waiting: %v", g)
		}
		// Scraped again at once, the figures are the ones read a moment
		// ago: a public endpoint does not query the database every time.
		postOK(t, h, comment(3, "Tredje").Body)
		if g := gauges(t, scraped); g["tilltal_intake_arrivals_waiting"] != 2 {
			t.Fatalf("scraped again at once: %v", g)
		}
		s := newStore(t, d)
		s.Process = newRecorder()
		waitProcessed(t, s)
		if g := gauges(t, s.QueueCollector()); g["tilltal_intake_arrivals_waiting"] != 0 || g["tilltal_intake_oldest_arrival_age_seconds"] != 0 {
			t.Fatalf("once processed: %v", g)
		}

	})
}
