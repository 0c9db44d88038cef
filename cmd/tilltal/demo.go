package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/demo"
	"tilltal/internal/server"
)

// runDemo starts the server on a fresh embedded database seeded with
// Exempelby kommun. With TILLTAL_DATABASE set it uses that database instead
// (seeding it only if empty), so the demo can run on PostgreSQL.
func runDemo(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	if os.Getenv("TILLTAL_DATABASE") == "" {
		path := filepath.Join(cfg.DataDir, "demo.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("demo: remove old demo database: %w", err)
			}
		}
		cfg.Database = "sqlite:" + path
	}
	ln, err := server.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	// The simulated platforms stand in for the real ones, and are polled
	// often so that traffic shows at once.
	a, err := server.New(ctx, cfg, newLogger(), server.Options{Connectors: demo.Connectors(2026), PollEvery: 5 * time.Second})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	if err := demo.Seed(ctx, a.Org); err != nil {
		ln.Close()
		return err
	}
	if _, err := demo.Connect(ctx, a.DB, a.Credentials); err != nil {
		ln.Close()
		return err
	}
	printDemoLogin(stdout, cfg.BaseURL)
	return a.Serve(ctx, ln)
}

func printDemoLogin(w io.Writer, base string) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nTilltal demo – %s\n\nÖppna %s/login och logga in som någon av:\n\n", demo.Municipality, base)
	for _, u := range demo.Users {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = r.Label()
		}
		fmt.Fprintf(&b, "  %-30s %s\n", u.Email, strings.Join(roles, ", "))
	}
	fmt.Fprintf(&b, "\nLösenord för alla: %s\n\nAvsluta med Ctrl+C.\n\n", demo.Password)
	_, _ = io.WriteString(w, b.String())
}
