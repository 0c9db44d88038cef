package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"tilltal/internal/dbtest"
	"tilltal/internal/platform/meta"
)

// eventsPerDelivery is how many changes one benchmark delivery carries;
// Meta batches, but most deliveries hold one.
const eventsPerDelivery = 1

func benchBody(i int) []byte {
	var changes bytes.Buffer
	for j := range eventsPerDelivery {
		if j > 0 {
			changes.WriteByte(',')
		}
		fmt.Fprintf(&changes, `{"field":"feed","value":{"from":{"id":"555%d","name":"Invånare"},"post_id":"1000000001_200","comment_id":"200_%d_%d","parent_id":"1000000001_200","created_time":1767268800,"item":"comment","verb":"add","message":"När töms soptunnorna på Storgatan? Det har inte hämtats på två veckor."}}`, i, i, j)
	}
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"1000000001","time":1767268800,"changes":[%s]}]}`, changes.String())
}

func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration, perOp int, unit string) {
	slices.Sort(lat)
	p99 := lat[min(len(lat)-1, len(lat)*99/100)]
	b.ReportMetric(float64(len(lat)*perOp)/elapsed.Seconds(), unit+"/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
}

// BenchmarkMetaWebhook measures the whole webhook path — signature check,
// parse, one durable transaction with the raw delivery and its events —
// through the HTTP handler, one delivery at a time.
func BenchmarkMetaWebhook(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			addChannel(b, d, "facebook", pageID)
			h := newHandler(newStore(d))
			bodies := make([][]byte, b.N)
			sigs := make([]string, b.N)
			for i := range b.N {
				bodies[i] = benchBody(i)
				sigs[i] = meta.Sign(appSecret, bodies[i])
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(bodies[i]))
				r.Header.Set(meta.SignatureHeader, sigs[i])
				w := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(w, r)
				lat = append(lat, time.Since(t0))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportLatency(b, lat, elapsed, eventsPerDelivery, "events")
		})
	}
}

// BenchmarkBaselineInsert is one bare single-row insert, committed, into
// the same kind of database: the floor the webhook path is compared with.
func BenchmarkBaselineInsert(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				t0 := time.Now()
				if _, err := d.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", fmt.Sprint("k", i), "v", testNow); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportLatency(b, lat, elapsed, 1, "inserts")
		})
	}
}
