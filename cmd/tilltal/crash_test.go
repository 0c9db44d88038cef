package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/loadtest"
)

// The crash test re-runs this test binary as the server: with this
// variable set, TestMain serves instead of testing.
const serveEnv = "TILLTAL_CRASHTEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		if err := dispatch(ctx, []string{"serve"}, nil, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const crashSecret = "crash-test-app-secret"

// TestCrashLosesNothing sends signed webhook deliveries to a real server
// process and kills it with SIGKILL at random moments, 20 times, restarting
// it each time. Every delivery that got a 200 must be stored exactly once.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "tilltal.db")
	var acked sync.Map // comment id → true
	for round := 0; round < 20; round++ {
		addr := freeAddr(t)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), serveEnv+"=1", "TILLTAL_DATABASE="+dsn, "TILLTAL_DATA_DIR="+dir, "TILLTAL_LISTEN="+addr, "TILLTAL_META_APP_SECRET="+crashSecret)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, "http://"+addr)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				send(ctx, "http://"+addr, round, w, &acked)
			}(w)
		}
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		cancel()
		wg.Wait()
	}
	ids := []string{}
	acked.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
	if len(ids) < 20 {
		t.Fatalf("only %d deliveries acknowledged; the test proves too little", len(ids))
	}
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, id := range ids {
		var events, items int
		if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM platform_events WHERE object_id = ?", id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM items WHERE external_id = ?", id).Scan(&items); err != nil {
			t.Fatal(err)
		}
		if events != 1 {
			t.Errorf("acknowledged comment %s stored %d times", id, events)
		}
		_ = items // unrouted page: events are kept, no channel owns them
	}
	t.Logf("%d acknowledged deliveries across 20 kills, each stored once", len(ids))
}

// send posts deliveries until the server dies, remembering what got a 200.
func send(ctx context.Context, base string, round, worker int, acked *sync.Map) {
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 0; ctx.Err() == nil; i++ {
		seq := int64(round*1_000_000 + worker*100_000 + i)
		body := loadtest.Delivery("crash-page", seq, 1, time.Now())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/meta", strings.NewReader(string(body)))
		req.Header.Set("X-Hub-Signature-256", loadtest.Sign(crashSecret, body))
		resp, err := client.Do(req)
		if err != nil {
			return // the server is gone
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			acked.Store(fmt.Sprintf("lt_%d_0", seq), true)
		}
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, base string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}
