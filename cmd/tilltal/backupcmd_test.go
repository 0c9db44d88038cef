package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/blob"
	"tilltal/internal/blob/blobtest"
	"tilltal/internal/config"
	"tilltal/internal/loadtest"
	"tilltal/internal/org"
	"tilltal/internal/server"
)

// TestBackupRestoreWhileServing runs tilltal backup on a live embedded
// installation while it stores signed webhook deliveries with photos and
// fetches the photos into its blob store (the directory, or an S3 bucket);
// restores the copy into a fresh data directory as the README says; starts
// Tilltal on it; and tilltal archive verify --blobs passes there: the chain
// is whole and every attachment's blob is there and matches its hash.
func TestBackupRestoreWhileServing(t *testing.T) {
	for _, store := range []string{"dir", "s3"} {
		t.Run(store, func(t *testing.T) {
			live := t.TempDir()
			env := map[string]string{"TILLTAL_DATABASE": "sqlite:" + filepath.Join(live, "tilltal.db"), "TILLTAL_DATA_DIR": live,
				"TILLTAL_META_APP_SECRET": crashSecret, "TILLTAL_BLOB_STORE": "dir"}
			if store == "s3" {
				maps.Copy(env, blobtest.NewS3Server(t).Env("exempelby"))
			}
			for k, v := range env {
				t.Setenv(k, v)
			}
			app, base := startApp(t)
			addChannel(t, app, "backup-page")
			pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "image/jpeg")
				_, _ = w.Write(bytes.Repeat([]byte("bild "+r.URL.Path+" "), 500))
			}))
			defer pics.Close()

			// Traffic: deliveries from two senders, and the archive fetching
			// their photos, until the backup is done and a little after.
			ctx, stop := context.WithCancel(context.Background())
			var acked, fetched atomic.Int64
			var wg sync.WaitGroup
			for w := range 2 {
				wg.Go(func() {
					for i := int64(0); ctx.Err() == nil; i++ {
						seq := int64(w)*1_000_000 + i
						body := loadtest.PhotoDelivery("backup-page", seq, fmt.Sprintf("%s/%d.jpg", pics.URL, seq), time.Now())
						req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/meta", bytes.NewReader(body))
						req.Header.Set("X-Hub-Signature-256", loadtest.Sign(crashSecret, body))
						if resp, err := http.DefaultClient.Do(req); err == nil {
							resp.Body.Close()
							if resp.StatusCode == http.StatusOK {
								acked.Add(1)
							}
						}
					}
				})
			}
			wg.Go(func() {
				for ctx.Err() == nil {
					n, _, err := app.Archive.FetchDue(ctx, 10)
					if err != nil && ctx.Err() == nil {
						t.Error(err)
						return
					}
					fetched.Add(int64(n))
					if n == 0 {
						time.Sleep(5 * time.Millisecond)
					}
				}
			})
			waitFor(t, func() bool { return acked.Load() >= 20 && fetched.Load() >= 5 })
			fetchedBefore := fetched.Load()
			to := filepath.Join(t.TempDir(), "backup")
			out, err := run(t, env, "", "backup", "--to", to)
			ackedAfter := acked.Load()
			waitFor(t, func() bool { return acked.Load() >= ackedAfter+10 }) // the server goes on serving
			stop()
			wg.Wait()
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			m := regexp.MustCompile(`^(.+) \((\d+) blobs\)\n$`).FindStringSubmatch(out)
			if m == nil || m[1] != filepath.Join(to, "tilltal.db") {
				t.Fatalf("backup printed %q", out)
			}
			if n, _ := strconv.Atoi(m[2]); int64(n) < fetchedBefore {
				t.Fatalf("backup copied %d blobs; %d were fetched before it began", n, fetchedBefore)
			}

			// Restore: the database and blobs/ into a fresh data directory,
			// with the key file kept apart from the backup.
			fresh := t.TempDir()
			copyFile(t, filepath.Join(to, "tilltal.db"), filepath.Join(fresh, "tilltal.db"))
			if err := os.CopyFS(filepath.Join(fresh, "blobs"), os.DirFS(filepath.Join(to, "blobs"))); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(live, "secret.key"), filepath.Join(fresh, "secret.key"))
			restored := map[string]string{"TILLTAL_DATABASE": "sqlite:" + filepath.Join(fresh, "tilltal.db"), "TILLTAL_DATA_DIR": fresh,
				"TILLTAL_META_APP_SECRET": crashSecret, "TILLTAL_BLOB_STORE": "dir"}
			for k, v := range restored {
				t.Setenv(k, v)
			}
			app2, base2 := startApp(t)
			if st := get(t, base2+"/readyz"); st != http.StatusOK {
				t.Fatalf("restored Tilltal not ready: %d", st)
			}
			var atts int
			if err := app2.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM archive_attachments WHERE status = 'fetched'").Scan(&atts); err != nil {
				t.Fatal(err)
			}
			if int64(atts) < fetchedBefore {
				t.Fatalf("restored archive has %d fetched attachments, %d were fetched before the backup", atts, fetchedBefore)
			}
			out, err = run(t, restored, "", "archive", "verify", "--blobs")
			if err != nil || !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, fmt.Sprintf(", %d attachment blobs match their hashes", atts)) {
				t.Fatalf("archive verify --blobs on the restored copy: %q %v", out, err)
			}
			// Every restored blob, named or not by the snapshot, is sound.
			err = app2.Archive.Blobs.List(context.Background(), func(h string) error {
				_, err := blobtest.Read(t, app2.Archive.Blobs, h)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := app2.Archive.Blobs.(*blob.Dir); !ok {
				t.Fatalf("the restored installation uses %T", app2.Archive.Blobs)
			}
			t.Logf("%s: %d deliveries acknowledged, %d attachments in the restored archive", store, acked.Load(), atts)

			// And the check has teeth: a changed blob fails it.
			var hash string
			app2.DB.QueryRow(context.Background(), "SELECT blob_sha256 FROM archive_attachments WHERE status = 'fetched' LIMIT 1").Scan(&hash)
			if err := os.WriteFile(filepath.Join(fresh, "blobs", hash[:2], hash[2:4], hash), []byte("ändrad"), 0o640); err != nil {
				t.Fatal(err)
			}
			if _, err := run(t, restored, "", "archive", "verify", "--blobs"); err == nil || !strings.Contains(err.Error(), "does not match its hash") {
				t.Fatalf("archive verify --blobs with a changed blob: %v", err)
			}
		})
	}
}

// startApp builds Tilltal from the environment and serves it on loopback
// until the test ends.
func startApp(t *testing.T) (*server.App, string) {
	t.Helper()
	cfg, err := config.FromOS()
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.New(context.Background(), cfg, slog.New(slog.DiscardHandler), server.Options{PollEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(func() { srv.Close(); app.Close() })
	return app, srv.URL
}

// addChannel registers an active channel for a Facebook page, so that its
// deliveries become items whose attachments the archive fetches.
func addChannel(t *testing.T, app *server.App, page string) {
	t.Helper()
	ctx := context.Background()
	dep, err := app.Org.CreateDepartment(ctx, org.Department{Name: "Kultur och fritid", Code: "KFF"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := app.DB.Exec(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, ?, 'active', ?, ?)",
		dep.ID, page, "Kultur och fritid på Facebook", now, now); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor waits for cond, failing the test after a minute.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
