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

// runLoadtest drives a running Tilltal with signed webhook deliveries and
// prints what it measured, with the bare-insert baseline when the database
// is reachable.
func runLoadtest(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := loadtest.Options{}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "Tilltal's base URL (loopback)")
	fs.StringVar(&o.PageID, "page", "loadtest-page", "the Facebook page id the comments are for")
	fs.Float64Var(&o.Rate, "rate", 0, "deliveries per second; 0 sends flat out")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send (at most 10m)")
	fs.IntVar(&o.Concurrency, "concurrency", 8, "parallel senders")
	fs.IntVar(&o.EventsPerDelivery, "events", 1, "comments per delivery")
	baseline := fs.Bool("baseline", true, "also measure a bare insert into TILLTAL_DATABASE for the same time")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	o.AppSecret = os.Getenv("TILLTAL_META_APP_SECRET")
	if o.AppSecret == "" {
		return errors.New("loadtest: set TILLTAL_META_APP_SECRET to the server's app secret")
	}
	res, err := loadtest.Run(ctx, o)
	if err != nil {
		return err
	}
	report(stdout, res)
	if !*baseline {
		return nil
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
	base, err := loadtest.Baseline(ctx, d, o.Duration, o.PageID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "baseline: %.0f bare inserts/s into %s\n", base, d.Dialect)
	fmt.Fprintf(stdout, "ratio: deliveries acknowledged %.2f× the bare insert rate; events %.2f×\n", res.PerSecond()/base, res.EventsPerSecond()/base)
	return nil
}

func report(w io.Writer, r loadtest.Result) {
	fmt.Fprintf(w, "sent %d deliveries in %s: %d acknowledged (%.0f/s, %.0f events/s), %d failed\n",
		r.Sent, r.Elapsed.Round(time.Millisecond), r.OK, r.PerSecond(), r.EventsPerSecond(), r.Failed)
	fmt.Fprintf(w, "latency: p50 %s  p90 %s  p99 %s  max %s\n", r.Percentile(50), r.Percentile(90), r.Percentile(99), r.Percentile(100))
	var codes []int
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "  status %d: %d\n", c, r.Statuses[c])
	}
}
