package server_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/dbtest"
	"tilltal/internal/demo"
	"tilltal/internal/server"
)

// TestDemoTrafficOnAllPlatforms: with the simulated platforms connected,
// the job queue polls every demo channel and traffic arrives in the inbox
// on all four platforms.
func TestDemoTrafficOnAllPlatforms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"TILLTAL_DATABASE": dbtest.DSN(t, "sqlite"), "TILLTAL_DATA_DIR": dir, "TILLTAL_KEY_FILE": filepath.Join(dir, "k")}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Options{Connectors: demo.Connectors(7), PollEvery: time.Second, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := demo.Seed(ctx, app.Org); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, p := range []string{"facebook", "instagram", "linkedin", "youtube"} {
		if _, err := app.DB.Exec(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)",
			i+1, p, "demo-"+p, "Exempelby på "+p, now, now); err != nil {
			t.Fatal(err)
		}
	}
	// The demo seed has channels of its own on the four platforms.
	if n, err := demo.Connect(ctx, app.DB, app.Credentials); err != nil || n < 4 {
		t.Fatalf("connect: %d %v", n, err)
	}
	if err := app.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = app.Queue.Stop(sctx)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var platforms int
		if err := app.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT platform) FROM items").Scan(&platforms); err != nil {
			t.Fatal(err)
		}
		if platforms == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("traffic on %d of 4 platforms after 30 s", platforms)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
