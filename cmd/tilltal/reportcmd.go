package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	reports "tilltal/internal/report"
)

// runReportRebuild recomputes the reports' pre-aggregated figures from
// every item, in the foreground; a running server goes on refreshing them
// beside it. Prints how many days of figures there are afterwards.
func runReportRebuild(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("report rebuild takes no arguments")
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
	if err := migrations.Up(ctx, d, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))); err != nil {
		return err
	}
	start := time.Now()
	if err := (&reports.Store{DB: d, Now: clock.Real{}.Now}).Rebuild(ctx); err != nil {
		return err
	}
	var rows int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM report_days").Scan(&rows); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d rows of daily figures in %s\n", rows, time.Since(start).Round(time.Millisecond))
	return err
}
