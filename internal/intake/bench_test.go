package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cfgpkg "tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/platform/meta"
	"tilltal/internal/server"
)

// The speed targets of issue 5, as ratios to a bare batched insert of the
// same payloads into the same database, measured in the same run.
//
//	go test ./internal/intake -run '^$' -bench . -benchtime 3000x
//
// prints, per database, deliveries/s and events/s (items created) through
// the webhook handler with 32 senders, their ratios to the baseline
// (ack_ratio, processed_ratio), and p50/p99 acknowledgement latency; the
// Paced benchmark sends 1,000 events/s and prints the latency.

// eventsPerDelivery is how many changes one benchmark delivery carries;
// Meta batches, but most deliveries hold one.
const eventsPerDelivery = 1

// senders is how many deliveries are in flight at once in the throughput
// benchmark: Meta opens many connections when it has a backlog. 32 unless
// TILLTAL_BENCH_SENDERS says otherwise (the README reports 128 too).
var senders = func() int {
	if n, err := strconv.Atoi(os.Getenv("TILLTAL_BENCH_SENDERS")); err == nil && n > 0 {
		return n
	}
	return 32
}()

// baselineBatch is how many payloads one baseline transaction inserts:
// the committer's default batch.
const baselineBatch = 64

func benchBody(i int) []byte {
	var changes bytes.Buffer
	for j := range eventsPerDelivery {
		if j > 0 {
			changes.WriteByte(',')
		}
		fmt.Fprintf(&changes, `{"field":"feed","value":{"from":{"id":"555%d","name":"Invånare"},"post_id":"1000000001_%d","comment_id":"200_%d_%d","parent_id":"1000000001_%d","created_time":1767268800,"item":"comment","verb":"add","message":"När töms soptunnorna på Storgatan %d? Det har inte hämtats på två veckor."}}`, i%1000, i%100, i, j, i%100, i)
	}
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"1000000001","time":1767268800,"changes":[%s]}]}`, changes.String())
}

// signed is a delivery ready to post.
type signed struct {
	body []byte
	sig  string
}

func signedBodies(n, from int) []signed {
	out := make([]signed, n)
	for i := range out {
		out[i].body = benchBody(from + i)
		out[i].sig = meta.Sign(appSecret, out[i].body)
	}
	return out
}

// benchTarget is what the benchmark sends to, and the database behind it.
type benchTarget struct {
	h http.Handler
	d *db.DB
	// in processes what h acknowledged, when it is the whole server.
	in *intake.Store
}

// benchHandler is the webhook to measure. withInbox it is the whole
// server, built by server.New as production builds it: its HTTP handler,
// and an intake whose deliveries become archive records, inbox items and
// classifications after they are acknowledged. Without, it is the intake's
// handler alone, acknowledging raw deliveries, with a processor that
// stores their events and a consumer that does nothing more.
func benchHandler(b *testing.B, dialect db.Dialect, withInbox bool) benchTarget {
	errs := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if !withInbox {
		d := dbtest.New(b, dialect)
		addChannel(b, d, "facebook", pageID)
		s := newStore(b, d)
		s.Process, s.Log = nothingMore{}, errs
		h := newHandler(s)
		h.Log = errs
		return benchTarget{h, d, s}
	}
	dir := b.TempDir()
	env := map[string]string{
		"TILLTAL_DATABASE":        dbtest.DSN(b, dialect),
		"TILLTAL_DATA_DIR":        dir,
		"TILLTAL_KEY_FILE":        filepath.Join(dir, "secret.key"),
		"TILLTAL_META_APP_SECRET": appSecret,
	}
	cfg, err := cfgpkg.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	app, err := server.New(context.Background(), cfg, errs, server.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	addChannel(b, app.DB, "facebook", pageID)
	return benchTarget{app.Handler, app.DB, app.Intake}
}

// nothingMore is a Consumer with no consequences to make.
type nothingMore struct{}

func (nothingMore) Prepare([]intake.Unprocessed)                              {}
func (nothingMore) Apply(context.Context, *db.Tx, []intake.Unprocessed) error { return nil }

func deliver(b *testing.B, h http.Handler, s signed) time.Duration {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(s.body))
	r.Header.Set(meta.SignatureHeader, s.sig)
	w := httptest.NewRecorder()
	t0 := time.Now()
	h.ServeHTTP(w, r)
	lat := time.Since(t0)
	if w.Code != http.StatusOK {
		b.Errorf("status %d", w.Code)
	}
	return lat
}

func percentile(sorted []time.Duration, p int) float64 {
	d := sorted[min(len(sorted)-1, len(sorted)*p/100)]
	return float64(d.Microseconds()) / 1000
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 50), "p50_ms")
	b.ReportMetric(percentile(lat, 99), "p99_ms")
}

// BenchmarkWebhookIngest measures the whole path with many deliveries in
// flight: the server's HTTP handler, signature, parse, the group commit of
// the raw delivery and its events (acknowledged: ack_ratio, p50/p99), and
// the processing that follows — archive records, inbox items, threads,
// versions, search index, classification — until every delivery has its
// item (processed_ratio); beside it a bare batched insert of the same
// payloads into the same database. The intake_only variant is the intake's
// handler alone, whose processing only stores the events.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		for _, withInbox := range []bool{true, false} {
			name := string(dialect) + "/inbox"
			if !withInbox {
				name = string(dialect) + "/intake_only"
			}
			b.Run(name, func(b *testing.B) { benchIngest(b, dialect, withInbox) })
		}
	}
}

func benchIngest(b *testing.B, dialect db.Dialect, withInbox bool) {
	t := benchHandler(b, dialect, withInbox)
	h, d := t.h, t.d
	bodies := signedBodies(b.N, 0)
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	b.SetParallelism(max(1, senders/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			lat[i] = deliver(b, h, bodies[i])
		}
	})
	elapsed := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	if err := t.in.WaitProcessed(ctx); err != nil {
		b.Fatal(err)
	}
	cancel()
	processedIn := time.Since(start)
	b.StopTimer()
	if n := count(b, d, "platform_events"); n != b.N*eventsPerDelivery {
		b.Fatalf("%d events from %d deliveries", n, b.N)
	}
	base := baselineRate(b, d, bodies)
	acked := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(acked, "deliveries/s")
	b.ReportMetric(base, "baseline/s")
	b.ReportMetric(acked/base, "ack_ratio")
	made := b.N * eventsPerDelivery // events stored, for the intake alone
	if withInbox {
		if made = count(b, d, "items"); made != b.N*eventsPerDelivery {
			b.Fatalf("%d items from %d deliveries", made, b.N)
		}
	}
	processed := float64(made) / processedIn.Seconds()
	b.ReportMetric(processed, "events/s")
	b.ReportMetric(processed/(base*eventsPerDelivery), "processed_ratio")
	reportLatency(b, lat)
}

// BenchmarkWebhookPaced sends deliveries at a steady 1,000 events/s, each
// on its own (so that a slow answer does not hold back the next send, which
// would hide it), and reports the acknowledgement latency. Run it with a
// benchtime of a few thousand deliveries: -benchtime 3000x is 3 seconds.
func BenchmarkWebhookPaced(b *testing.B) {
	const rate = 1000 / eventsPerDelivery
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			t := benchHandler(b, dialect, true)
			h := t.h
			bodies := signedBodies(b.N, 0)
			lat := make([]time.Duration, b.N)
			var wg sync.WaitGroup
			interval := time.Second / rate
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
					time.Sleep(wait)
				}
				wg.Go(func() { lat[i] = deliver(b, h, bodies[i]) })
			}
			wg.Wait()
			elapsed := time.Since(start)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			if err := t.in.WaitProcessed(ctx); err != nil {
				b.Fatal(err)
			}
			cancel()
			// How far processing lagged behind the last acknowledgement.
			lag := time.Since(start) - elapsed
			b.StopTimer()
			b.ReportMetric(float64(b.N*eventsPerDelivery)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(lag.Milliseconds()), "drain_ms")
			reportLatency(b, lat)
		})
	}
}

// BenchmarkBaselineBatchedInsert is the floor the webhook is compared with,
// on its own: the raw payloads inserted in transactions of baselineBatch.
func BenchmarkBaselineBatchedInsert(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			bodies := signedBodies(b.N, 0)
			b.ResetTimer()
			b.ReportMetric(baselineRate(b, d, bodies), "inserts/s")
		})
	}
}

// baselineRows is the least number of rows the baseline inserts, however
// few deliveries the benchmark sent: a shorter run is mostly noise.
const baselineRows = 20000

// baselineRate inserts the payloads (over again, up to baselineRows) into
// a scratch table of the same database, baselineBatch rows per multi-row
// INSERT and transaction, and returns rows per second. The table has an
// id and a time beside the body, as the deliveries table has, and no other
// index: it is what storing the raw payloads costs at the least.
func baselineRate(b *testing.B, d *db.DB, bodies []signed) float64 {
	ctx := context.Background()
	table := fmt.Sprintf("bench_baseline_%d", time.Now().UnixNano())
	if _, err := d.Exec(ctx, db.Translate(d.Dialect, "CREATE TABLE "+table+" (id SERIAL_PK, body BYTES NOT NULL, received_at TSTZ NOT NULL)")); err != nil {
		b.Fatal(err)
	}
	defer d.Exec(ctx, "DROP TABLE "+table)
	rows := max(len(bodies), baselineRows)
	q := "INSERT INTO " + table + " (body, received_at) VALUES "
	start := time.Now()
	for from := 0; from < rows; from += baselineBatch {
		n := min(baselineBatch, rows-from)
		args := make([]any, 0, 2*n)
		now := time.Now().UTC()
		for i := range n {
			args = append(args, bodies[(from+i)%len(bodies)].body, now)
		}
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, q+db.ValuesList(n, 2), args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(rows) / time.Since(start).Seconds()
}
