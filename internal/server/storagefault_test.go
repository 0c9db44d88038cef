package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/loadtest"
	"tilltal/internal/server"
)

// faultServer is Tilltal on a database the test can take away, with the
// deliveries it acknowledged.
type faultServer struct {
	t     *testing.T
	app   *server.App
	srv   *httptest.Server
	logs  *lockedBuffer
	seq   int64
	acked []int64 // sequence numbers of deliveries answered 200
}

func startFaultServer(t *testing.T, dsn, dataDir string) *faultServer {
	t.Helper()
	settings := map[string]string{
		"TILLTAL_DATABASE":        dsn,
		"TILLTAL_DATA_DIR":        dataDir,
		"TILLTAL_KEY_FILE":        filepath.Join(t.TempDir(), "secret.key"),
		"TILLTAL_META_APP_SECRET": appSecret,
	}
	cfg, err := config.FromEnv(func(k string) string { return settings[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	// The job queue runs through the fault as it does in production.
	if err := app.Queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Queue.Stop(ctx)
	})
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return &faultServer{t: t, app: app, srv: srv, logs: logs}
}

// deliver sends one signed delivery with n comments and remembers it when
// it was acknowledged; it returns the status and the Retry-After header.
func (f *faultServer) deliver(n int) (int, string) {
	f.t.Helper()
	f.seq++
	body := loadtest.Delivery("fault-page", f.seq, n, time.Now())
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/webhooks/meta", bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", loadtest.Sign(appSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		f.acked = append(f.acked, f.seq)
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		f.t.Fatalf("delivery %d answered %d: only 200 means stored", f.seq, resp.StatusCode)
	case resp.StatusCode != http.StatusServiceUnavailable:
		f.t.Fatalf("delivery %d answered %d, want 200 or 503", f.seq, resp.StatusCode)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func (f *faultServer) get(path string) string {
	f.t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (f *faultServer) ready() int {
	f.t.Helper()
	resp, err := http.Get(f.srv.URL + "/readyz")
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// until polls cond until it holds or the deadline passes.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkStoredOnce: every acknowledged delivery's comments are stored and
// archived exactly once, and the archive verifies.
func (f *faultServer) checkStoredOnce(comments int) {
	f.t.Helper()
	ctx := context.Background()
	d := f.app.DB
	// Acknowledged means stored; the archive records come when the
	// delivery is processed, after the answer.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := f.app.Intake.WaitProcessed(wctx); err != nil {
		f.t.Fatalf("acknowledged deliveries were not processed: %v", err)
	}
	for _, seq := range f.acked {
		for i := range comments {
			id := fmt.Sprintf("lt_%d_%d", seq, i)
			var events, archived int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM platform_events WHERE object_id = ?", id).Scan(&events); err != nil {
				f.t.Fatal(err)
			}
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM platform_events e JOIN archive_deliveries a ON a.delivery_id = e.delivery_id
				WHERE e.object_id = ?`, id).Scan(&archived); err != nil {
				f.t.Fatal(err)
			}
			if events != 1 || archived != 1 {
				f.t.Errorf("acknowledged comment %s: stored %d times, archived %d times", id, events, archived)
			}
		}
	}
	rep, err := archive.Verify(ctx, d)
	if err != nil {
		f.t.Fatal(err)
	}
	if !rep.OK() {
		f.t.Fatalf("archive does not verify: %v", rep.Problems)
	}
}

// TestPostgresAwayAndBack stops Tilltal's PostgreSQL server under it and
// starts it again: while it is down every delivery is answered 503 with
// Retry-After (never 200 for what was not stored) and readiness says not
// ready; once it is back Tilltal recovers without a restart, and every
// acknowledged delivery is in the archive exactly once.
func TestPostgresAwayAndBack(t *testing.T) {
	t.Parallel()
	pg := dbtest.StartPostgres(t)
	f := startFaultServer(t, pg.URL, t.TempDir())
	for range 5 {
		if st, _ := f.deliver(2); st != http.StatusOK {
			t.Fatalf("before the stop: %d", st)
		}
	}
	if f.ready() != http.StatusOK {
		t.Fatal("not ready before the stop")
	}

	pg.Stop()
	for range 5 {
		st, retry := f.deliver(2)
		if st != http.StatusServiceUnavailable || retry == "" {
			t.Fatalf("database down: delivery answered %d, Retry-After %q", st, retry)
		}
	}
	if f.ready() != http.StatusServiceUnavailable {
		t.Fatal("ready while the database is down")
	}
	// Pages and the API say "not now" too, rather than 500 or "log in".
	for _, path := range []string{"/inkorg", "/api/v1/channels"} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer tilltal_0123456789abcdef0123456789abcdef")
		req.AddCookie(&http.Cookie{Name: "tilltal_session", Value: "0123456789abcdef0123456789abcdef"})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s with the database down: %d, Retry-After %q", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if metrics := f.get("/metrics"); !strings.Contains(metrics, `tilltal_storage_unavailable_total{surface="webhook_meta"}`) {
		t.Error("the webhook's 503s are not counted in /metrics")
	}
	if !strings.Contains(f.logs.String(), "not stored") {
		t.Errorf("the log does not say that deliveries were not stored:\n%s", f.logs.String())
	}

	pg.Start()
	until(t, "a delivery is stored after the restart", func() bool { st, _ := f.deliver(2); return st == http.StatusOK })
	until(t, "ready after the restart", func() bool { return f.ready() == http.StatusOK })
	for range 5 {
		if st, _ := f.deliver(2); st != http.StatusOK {
			t.Fatalf("after recovery: %d", st)
		}
	}
	f.checkStoredOnce(2)
	if len(f.acked) < 11 {
		t.Fatalf("only %d deliveries acknowledged", len(f.acked))
	}
}

// mountTiny mounts a tmpfs of size bytes for the test, unmounted when it
// ends. Mounting needs root: CI runs as root, and under CI=true the test
// must run; elsewhere it is skipped with a message.
func mountTiny(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the disk-full test mounts a tmpfs and must run as root under CI")
		}
		t.Skip("the disk-full test mounts a tmpfs and needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// fill writes a file that leaves only room bytes free on dir's file system.
func fill(t *testing.T, dir string, room int64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	if free <= room {
		t.Fatalf("only %d bytes free before filling", free)
	}
	path := filepath.Join(dir, "filler")
	if err := os.WriteFile(path, make([]byte, free-room), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDiskFull runs Tilltal on SQLite on a tiny file system and fills it:
// deliveries are answered 503 with Retry-After (never 500, never 200 for
// what was not stored), readiness says not ready, the log says why; a
// blob (an attachment) cannot be written either and leaves nothing
// behind. Once space is freed Tilltal recovers by itself, and every
// acknowledged delivery is archived exactly once.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	dir := mountTiny(t, 16<<20)
	f := startFaultServer(t, "sqlite:"+filepath.Join(dir, "tilltal.db"), dir)
	for range 3 {
		if st, _ := f.deliver(5); st != http.StatusOK {
			t.Fatalf("before the disk filled: %d", st)
		}
	}
	filler := fill(t, dir, 256<<10)

	full := false
	for i := 0; i < 2000 && !full; i++ {
		st, retry := f.deliver(5)
		if st == http.StatusServiceUnavailable {
			if retry == "" {
				t.Fatal("503 without Retry-After")
			}
			full = true
		}
	}
	if !full {
		t.Fatal("the disk never filled up")
	}
	for range 3 {
		if st, _ := f.deliver(5); st != http.StatusServiceUnavailable {
			t.Fatalf("disk full: delivery answered %d", st)
		}
	}
	if f.ready() != http.StatusServiceUnavailable {
		t.Logf("write failure: %v; probe: %v", f.app.DB.WriteFailure(), f.app.DB.CheckWrite(context.Background()))
		t.Error("ready while the disk is full")
	}
	if logs := f.logs.String(); !strings.Contains(logs, "not stored") || !strings.Contains(logs, "full") {
		t.Errorf("the log does not say that deliveries were not stored for a full disk:\n%s", logs)
	}

	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("bilaga "), 200_000) // 1.4 MB, more than is left
	if _, _, err := blobs.Put(context.Background(), bytes.NewReader(big)); err == nil || !db.IsUnavailable(err) {
		t.Fatalf("blob on a full disk: %v, want an error meaning unavailable", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "blobs", "tmp", "*")); len(left) > 0 {
		t.Errorf("a failed blob write left %v", left)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	until(t, "a delivery is stored once space is freed", func() bool { st, _ := f.deliver(5); return st == http.StatusOK })
	until(t, "ready once space is freed", func() bool { return f.ready() == http.StatusOK })
	for range 3 {
		if st, _ := f.deliver(5); st != http.StatusOK {
			t.Fatalf("after recovery: %d", st)
		}
	}
	hash, _, err := blobs.Put(context.Background(), bytes.NewReader(big))
	if err != nil {
		t.Fatalf("blob after space was freed: %v", err)
	}
	if ok, _ := blobs.Has(context.Background(), hash); !ok {
		t.Fatal("blob not kept")
	}
	f.checkStoredOnce(5)
}
