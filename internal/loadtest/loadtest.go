// Package loadtest drives a running Tilltal with signed Meta webhook
// deliveries over loopback — at a set rate or flat out, for a bounded time —
// and measures the whole way through: what the server acknowledges
// (throughput and latency percentiles), and, read from its database, how
// soon the acknowledged deliveries have become inbox items (Drain).
// Beside it, MeasureBaseline times a bare batched insert of the same raw
// payloads into the same database, so that results are reported as ratios,
// which carry from one machine to another where absolute numbers do not.
package loadtest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options say what load to send.
type Options struct {
	// URL is Tilltal's base URL; deliveries go to URL + /webhooks/meta.
	URL string
	// AppSecret signs the deliveries (TILLTAL_META_APP_SECRET).
	AppSecret string
	// PageID is the page the comments are for; a page no channel owns
	// still stores every event, as unrouted.
	PageID string
	// Rate is deliveries per second; 0 sends flat out.
	Rate        float64
	Duration    time.Duration
	Concurrency int
	// EventsPerDelivery is how many comments each delivery carries.
	EventsPerDelivery int
}

// Result is what a run measured.
type Result struct {
	Sent, OK, Failed int64
	Events           int64
	// Elapsed runs from the first send to the last answer: the sending
	// stops at the end of the duration, and what is in flight then is
	// waited for, since the server may already have stored it.
	Elapsed time.Duration
	// Started is when the first delivery was sent.
	Started time.Time
	// Latencies are the acknowledged deliveries' answer times, sorted.
	Latencies []time.Duration
	Statuses  map[int]int64
	// Payloads makes the run's deliveries again, byte for byte, from
	// sequence numbers 1 to Sent: for the baseline, and to tell the items
	// the run made from any others.
	Payloads Payloads
}

// PerSecond is acknowledged deliveries per second.
func (r Result) PerSecond() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// EventsPerSecond is acknowledged events per second.
func (r Result) EventsPerSecond() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// Percentile returns the p-th percentile (0–100) of the latencies.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(r.Latencies)-1))
	return r.Latencies[i]
}

// Run sends deliveries until the duration is over, then waits for the
// answers to those in flight; it stops early when ctx ends.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.EventsPerDelivery <= 0 {
		o.EventsPerDelivery = 1
	}
	if o.Duration <= 0 || o.Duration > 10*time.Minute {
		return Result{}, fmt.Errorf("loadtest: duration must be between 0 and 10 minutes")
	}
	// Sending ends with window; a request in flight then goes on under
	// ctx, bounded by the client's timeout.
	window, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency}}
	var seq atomic.Int64
	var mu sync.Mutex
	start := time.Now()
	res := Result{Statuses: map[int]int64{}, Started: start, Payloads: Payloads{
		PageID: o.PageID,
		Tag:    strconv.FormatInt(start.UnixNano(), 36),
		Events: o.EventsPerDelivery,
		At:     start.Truncate(time.Second),
	}}
	tokens := pace(window, o.Rate)
	var wg sync.WaitGroup
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if tokens != nil {
					if _, ok := <-tokens; !ok {
						return
					}
				}
				if window.Err() != nil {
					return
				}
				n := seq.Add(1)
				body := res.Payloads.Body(n)
				t0 := time.Now()
				status, err := send(ctx, client, o.URL+"/webhooks/meta", body, o.AppSecret)
				lat := time.Since(t0)
				if ctx.Err() != nil && err != nil {
					return // interrupted, not a failure of the server
				}
				mu.Lock()
				res.Sent++
				res.Statuses[status]++
				if err == nil && status == http.StatusOK {
					res.OK++
					res.Events += int64(o.EventsPerDelivery)
					res.Latencies = append(res.Latencies, lat)
				} else {
					res.Failed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	slices.Sort(res.Latencies)
	return res, ctx.Err()
}

// pace hands out one token per delivery at the rate; nil for flat out.
func pace(ctx context.Context, rate float64) <-chan struct{} {
	if rate <= 0 {
		return nil
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				select {
				case ch <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch
}

func send(ctx context.Context, c *http.Client, url string, body []byte, secret string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", Sign(secret, body))
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Sign is Meta's X-Hub-Signature-256 of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Delivery is a page feed delivery in Meta's format with n comments,
// lt_<seq>_0 to lt_<seq>_<n-1>, all unique to this sequence number.
func Delivery(pageID string, seq int64, n int, now time.Time) []byte {
	return delivery(pageID, "lt_", seq, n, now)
}

// Payloads are the deliveries of one run: their comment ids carry the
// run's tag, so that a run's items are its own even on a database that
// earlier runs filled, and their times are the run's, so that a sequence
// number always gives the same bytes.
type Payloads struct {
	PageID string
	Tag    string
	Events int
	At     time.Time
}

// Body is delivery seq of the run.
func (p Payloads) Body(seq int64) []byte {
	return delivery(p.PageID, p.CommentPrefix(), seq, p.Events, p.At)
}

// CommentPrefix begins the external id of every comment of the run, and
// so of every item it makes.
func (p Payloads) CommentPrefix() string { return "lt_" + p.Tag + "_" }

func delivery(pageID, prefix string, seq int64, n int, now time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"object":"page","entry":[{"id":%q,"time":%d,"changes":[`, pageID, now.Unix())
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"field":"feed","value":{"from":{"id":"77%d","name":"Testperson %d"},"post_id":"%s_1","comment_id":"%s%d_%d","parent_id":"%s_1","created_time":%d,"item":"comment","verb":"add","message":"Hej! När töms sopkärlen på Björkvägen %d? Tack för svar."}}`,
			seq%1000, seq%1000, pageID, prefix, seq, i, pageID, now.Unix(), seq)
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

// PhotoDelivery is a page feed delivery of one comment, lt_<seq>_0, with
// a photo at photoURL: the archive fetches it into the blob store.
func PhotoDelivery(pageID string, seq int64, photoURL string, now time.Time) []byte {
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":%q,"time":%d,"changes":[{"field":"feed","value":{"from":{"id":"78%d","name":"Bildskickare %d"},"post_id":"%s_1","comment_id":"lt_%d_0","parent_id":"%s_1","created_time":%d,"item":"comment","verb":"add","message":"Titta på gungan i parken, bild %d","photo":%q}}]}]}`,
		pageID, now.Unix(), seq%1000, seq%1000, pageID, seq, pageID, now.Unix(), seq, photoURL)
}
