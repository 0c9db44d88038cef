package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/loadtest"
)

// The targets of issue 5, as ratios to the bare batched insert.
const (
	ackTarget       = 0.5
	processedTarget = 0.25
)

// runLoadtest drives a running Tilltal with signed webhook deliveries,
// waits until it has processed what it acknowledged, measures the bare
// batched insert of the same payloads into its database, and prints all
// of it with the ratios. The server's database (TILLTAL_DATABASE) must be
// reachable from here: processing is seen there.
func runLoadtest(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := loadtest.Options{}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "Tilltal's base URL (loopback)")
	fs.StringVar(&o.PageID, "page", "loadtest-page", "the Facebook page id the comments are for: a channel's, for them to become items")
	fs.Float64Var(&o.Rate, "rate", 0, "deliveries per second; 0 sends flat out")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send (at most 10m)")
	fs.IntVar(&o.Concurrency, "concurrency", 8, "parallel senders")
	fs.IntVar(&o.EventsPerDelivery, "events", 1, "comments per delivery")
	drainTimeout := fs.Duration("drain-timeout", 2*time.Minute, "how long to wait after the last answer for the server to process everything")
	baseline := fs.Bool("baseline", true, "also measure a bare batched insert of the same payloads into TILLTAL_DATABASE")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	o.AppSecret = os.Getenv("TILLTAL_META_APP_SECRET")
	if o.AppSecret == "" {
		return errors.New("loadtest: set TILLTAL_META_APP_SECRET to the server's app secret")
	}
	if *drainTimeout <= 0 {
		return errors.New("loadtest: --drain-timeout must be positive")
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	mark, err := loadtest.MarkNow(ctx, d)
	if err != nil {
		return err
	}
	res, err := loadtest.Run(ctx, o)
	if err != nil {
		return err
	}
	reportAcks(stdout, res)
	drained, err := loadtest.Drain(ctx, d, mark, res, *drainTimeout)
	if err != nil {
		return err
	}
	if drained.Unprocessed > 0 {
		return fmt.Errorf("loadtest: %d deliveries still unprocessed %s after the last answer (--drain-timeout)", drained.Unprocessed, *drainTimeout)
	}
	reportProcessed(stdout, res, drained, o.PageID)
	if !*baseline {
		return nil
	}
	base, err := loadtest.MeasureBaseline(ctx, d, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "baseline: %.0f rows/s, a bare batched insert (%d rows per INSERT and transaction) of %d of the same payloads into %s\n",
		base.PerSecond, loadtest.BaselineBatch, base.Rows, d.Dialect)
	// A baseline row is one payload of o.EventsPerDelivery events.
	baseEvents := base.PerSecond * float64(res.Payloads.Events)
	fmt.Fprintf(stdout, "ratio to the baseline, acknowledged: %.3f× (target ≥ %.2g×)\n", res.EventsPerSecond()/baseEvents, ackTarget)
	fmt.Fprintf(stdout, "ratio to the baseline, processed: %.3f× (target ≥ %.2g×)\n", drained.PerSecond()/baseEvents, processedTarget)
	return nil
}

func reportAcks(w io.Writer, r loadtest.Result) {
	fmt.Fprintf(w, "sent %d deliveries in %s: %d acknowledged (%.0f deliveries/s, %.0f events/s), %d failed\n",
		r.Sent, r.Elapsed.Round(time.Millisecond), r.OK, r.PerSecond(), r.EventsPerSecond(), r.Failed)
	var codes []int
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "  status %d: %d\n", c, r.Statuses[c])
	}
	fmt.Fprintf(w, "ack latency: p50 %s  p90 %s  p99 %s  max %s\n", ms(r.Percentile(50)), ms(r.Percentile(90)), ms(r.Percentile(99)), ms(r.Percentile(100)))
}

func reportProcessed(w io.Writer, r loadtest.Result, d loadtest.Drained, page string) {
	fmt.Fprintf(w, "processed: %d items from %d acknowledged events in %s from the first send (%.0f events/s)\n",
		d.Items, r.Events, d.Total.Round(time.Millisecond), d.PerSecond())
	fmt.Fprintf(w, "drain: %s after the last answer\n", d.After.Round(time.Millisecond))
	if d.Items == 0 && r.Events > 0 {
		fmt.Fprintf(w, "  no items were made: page %q is no channel's (tilltal channel add --platform facebook --external-id %s …)\n", page, page)
	}
}

// ms rounds a latency for reading: to 0.01 ms below 10 ms, else to 0.1 ms.
func ms(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}
