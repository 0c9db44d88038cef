package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/server"
)

// newLogger logs JSON when stderr is not a terminal (for log collectors) and
// text when a person watches.
func newLogger() *slog.Logger {
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}

func runServe(ctx context.Context, args []string, _ io.Reader, _ io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	// Listen before opening anything, so that a taken port is reported
	// before migrations run.
	ln, err := server.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	a, err := server.New(ctx, cfg, newLogger(), server.Options{})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	return a.Serve(ctx, ln)
}

func runMigrate(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := migrations.Up(ctx, d, log); err != nil {
		return err
	}
	n, err := migrations.Pending(ctx, d)
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = io.WriteString(stdout, "ok\n")
	}
	return err
}
