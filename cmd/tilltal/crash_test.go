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

	"tilltal/internal/archive"
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
// it each time. A delivery is answered once stored and processed after, so
// a kill often falls between the two. After one more start, which finishes
// what the kills interrupted, every delivery that got a 200 must have been
// stored once, made one inbox item with one version record in the archive,
// and been archived raw once; and the archive's chain must verify.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "tilltal.db")
	var acked sync.Map // comment id → true
	start := func() (*exec.Cmd, string) {
		addr := freeAddr(t)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), serveEnv+"=1", "TILLTAL_DATABASE="+dsn, "TILLTAL_DATA_DIR="+dir, "TILLTAL_LISTEN="+addr, "TILLTAL_META_APP_SECRET="+crashSecret)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, "http://"+addr)
		return cmd, addr
	}
	for round := 0; round < 20; round++ {
		cmd, addr := start()
		if round == 0 {
			addCrashChannel(t, dsn)
		}
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
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	left := unprocessed(t, d)
	// One more start processes what the kills left.
	cmd, _ := start()
	for deadline := time.Now().Add(2 * time.Minute); unprocessed(t, d) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still unprocessed after restart", unprocessed(t, d))
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	count := func(q, id string) int {
		var n int
		if err := d.QueryRow(ctx, q, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, id := range ids {
		if n := count("SELECT COUNT(*) FROM platform_events WHERE object_id = ?", id); n != 1 {
			t.Errorf("acknowledged comment %s stored %d times", id, n)
		}
		if n := count("SELECT COUNT(*) FROM items WHERE external_id = ?", id); n != 1 {
			t.Errorf("acknowledged comment %s made %d items", id, n)
		}
		if n := count("SELECT COUNT(*) FROM archive_records WHERE kind = 'item_version' AND external_id = ?", id); n != 1 {
			t.Errorf("acknowledged comment %s has %d version records", id, n)
		}
		if n := count("SELECT COUNT(*) FROM archive_deliveries a JOIN platform_events e ON e.delivery_id = a.delivery_id WHERE e.object_id = ?", id); n != 1 {
			t.Errorf("the delivery of comment %s archived %d times", id, n)
		}
	}
	rep, err := archive.Verify(ctx, d)
	if err != nil || !rep.OK() {
		t.Fatalf("archive does not verify: %+v %v", rep, err)
	}
	t.Logf("%d acknowledged deliveries across 20 kills (%d of all deliveries unprocessed at the last kill), each stored, processed and archived once", len(ids), left)
}

// addCrashChannel registers the page the crash test's deliveries are for,
// so that they become inbox items.
func addCrashChannel(t *testing.T, dsn string) {
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now().UTC()
	err = d.InTx(ctx, func(tx *db.Tx) error {
		dep, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunikation', 'CRASH', ?, ?)", now, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', 'crash-page', 'Krocksidan', 'active', ?, ?)", dep, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func unprocessed(t *testing.T, d *db.DB) int {
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM webhook_arrivals").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
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
