package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/blob/blobtest"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/demo"
	"tilltal/internal/loadtest"
	"tilltal/internal/notify"
	"tilltal/internal/server"
)

// countingMailer counts what it is asked to send, across instances.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(_ context.Context, to, subject, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[to+"|"+subject]++
	return nil
}

// TestTwoInstancesOnePostgres: two Tilltal instances started at once on one
// PostgreSQL and one S3 bucket migrate once, store a delivery sent to both
// once, run a job once, stream to a browser on one instance what arrived at
// the other, and serve from either an attachment that one of them fetched.
func TestTwoInstancesOnePostgres(t *testing.T) {
	t.Parallel()
	dsn := dbtest.DSN(t, db.Postgres)
	dir := t.TempDir()
	bucket := blobtest.NewS3Server(t)
	mailer := &countingMailer{sent: map[string]int{}}
	start := func(i int) (*server.App, *httptest.Server) {
		env := bucket.Env("exempelby/blobs")
		maps.Copy(env, map[string]string{"TILLTAL_DATABASE": dsn, "TILLTAL_DATA_DIR": filepath.Join(dir, fmt.Sprint(i)),
			"TILLTAL_KEY_FILE": filepath.Join(dir, "shared.key"), "TILLTAL_META_APP_SECRET": appSecret,
			"TILLTAL_SMTP_HOST": "unused"})
		cfg, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Error(err)
			return nil, nil
		}
		app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
			server.Options{Mailer: mailer, FetchPollInterval: 50 * time.Millisecond, PollEvery: time.Hour})
		if err != nil {
			t.Error(err)
			return nil, nil
		}
		return app, httptest.NewServer(app.Handler)
	}
	var apps [2]*server.App
	var srvs [2]*httptest.Server
	var wg sync.WaitGroup
	for i := range 2 { // a simultaneous start: the migrations run once
		wg.Add(1)
		go func() { defer wg.Done(); apps[i], srvs[i] = start(i) }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range 2 {
		defer apps[i].Close()
		defer srvs[i].Close()
		if err := apps[i].Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			_ = apps[i].Queue.Stop(sctx)
		}()
	}
	if err := demo.Seed(ctx, apps[0].Org); err != nil {
		t.Fatal(err)
	}
	a := &e2e{t: t, app: apps[0], srv: srvs[0]}
	b := &e2e{t: t, app: apps[1], srv: srvs[1]}
	ch, _ := a.seedItem("KFF", "scale-page", "first", "Första kommentaren")
	a.addMember("redaktor@exempelby.se", ch, "editor")

	// A browser on instance B follows the live inbox.
	viewer := b.login("redaktor@exempelby.se")
	var latest int64
	if err := apps[0].DB.QueryRow(ctx, "SELECT MAX(id) FROM items").Scan(&latest); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/inkorg/live?live_after=%d", srvs[1].URL, latest), nil)
	stream, err := viewer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()

	// The same delivery, sent to both instances at once (Meta's retry
	// racing the original), is stored once.
	body := loadtest.Delivery("scale-page", 42, 3, time.Now())
	var dw sync.WaitGroup
	for i := range 2 {
		dw.Add(1)
		go func() {
			defer dw.Done()
			e := []*e2e{a, b}[i]
			if st := e.deliver(body, meta256(body)); st != http.StatusOK {
				t.Errorf("instance %d: %d", i, st)
			}
		}()
	}
	dw.Wait()
	// Either instance may process it; both wait until no delivery is left.
	a.processed()
	b.processed()
	if n := a.count("SELECT COUNT(*) FROM items WHERE external_id LIKE 'lt_42_%'"); n != 3 {
		t.Fatalf("items from the raced delivery: %d, want 3", n)
	}
	// Instance A stored it (or B); the browser on B sees it either way.
	buf := make([]byte, 0, 8192)
	chunk := make([]byte, 2048)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(string(buf), "lt_42") && !strings.Contains(string(buf), "sopkärlen") {
		if time.Now().After(deadline) {
			t.Fatalf("the live stream on instance B never showed the items: %q", buf)
		}
		n, err := stream.Body.Read(chunk)
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		buf = append(buf, chunk[:n]...)
	}

	sharedAttachment(t, a, b, bucket, dir)

	// A notification job enqueued once is sent once, with both queues working.
	for i := 0; i < 5; i++ {
		if _, err := apps[i%2].Outbox.Enqueue(ctx, notify.Message{Email: fmt.Sprintf("p%d@exempelby.se", i), Subject: "Jobb", Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline = time.Now().Add(60 * time.Second)
	for a.count("SELECT COUNT(*) FROM notifications WHERE status = 'sent' AND subject = 'Jobb'") != 5 {
		if time.Now().After(deadline) {
			rows, _ := apps[0].DB.Query(ctx, "SELECT kind, state, attempt, COALESCE(errors::text, '') FROM river_job ORDER BY id")
			for rows.Next() {
				var k, st, e string
				var at int
				rows.Scan(&k, &st, &at, &e)
				t.Logf("job %s %s %d %s", k, st, at, e)
			}
			rows.Close()
			t.Fatal("timed out waiting for the notifications")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	mailer.mu.Lock()
	defer mailer.mu.Unlock()
	jobs := 0
	for k, n := range mailer.sent { // every notification, ours and the system's, once
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
		if strings.HasSuffix(k, "|Jobb") {
			jobs++
		}
	}
	if jobs != 5 {
		t.Fatalf("%d of our 5 mails sent", jobs)
	}
}

func meta256(body []byte) string { return loadtest.Sign(appSecret, body) }

// sharedAttachment: a comment with a photo delivered to instance A shows in
// the inbox on B; its photo is fetched once into the bucket, both instances
// serve it, and neither keeps it on its own disk.
func sharedAttachment(t *testing.T, a, b *e2e, bucket *blobtest.S3Server, dir string) {
	ctx := context.Background()
	picture := bytes.Repeat([]byte("JPEG gungan i parken "), 2000)
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(picture)
	}))
	defer pics.Close()
	photo := loadtest.PhotoDelivery("scale-page", 7, pics.URL+"/gunga.jpg", time.Now())
	if st := a.deliver(photo, meta256(photo)); st != http.StatusOK {
		t.Fatalf("photo delivery to A: %d", st)
	}
	// The 200 says the delivery is stored; its item is made after it (by
	// either instance: they share the database).
	a.processed()
	if st, page := b.get(b.login("redaktor@exempelby.se"), "/inkorg"); st != http.StatusOK || !strings.Contains(page, "Titta på gungan i parken, bild 7") {
		t.Fatalf("the item delivered to A is not in the inbox on B: %d", st)
	}
	// A fetches it (or B's periodic fetch, if it came first: the lease
	// lets only one of them).
	var seq int64
	var hash string
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, _, err := a.app.Archive.FetchDue(ctx, 10); err != nil {
			t.Fatal(err)
		}
		err := a.app.DB.QueryRow(ctx, "SELECT source_seq, blob_sha256 FROM archive_attachments WHERE url = ? AND status = 'fetched'", pics.URL+"/gunga.jpg").Scan(&seq, &hash)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the photo was never fetched: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := a.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'attachment'"); n != 1 {
		t.Fatalf("%d attachment records for one photo", n)
	}
	for i, e := range []*e2e{a, b} {
		st, body := e.get(e.login("registrator@exempelby.se"), fmt.Sprintf("/arkiv/%d/bilagor/0", seq))
		if st != http.StatusOK || body != string(picture) {
			t.Fatalf("instance %d serves the photo: %d, %d bytes", i, st, len(body))
		}
	}
	if !slices.Contains(bucket.Keys(t), blobtest.Key("exempelby/blobs", hash)) {
		t.Fatalf("the photo is not in the bucket: %v", bucket.Keys(t))
	}
	if local, _ := filepath.Glob(filepath.Join(dir, "*", "blobs")); len(local) != 0 {
		t.Fatalf("an instance kept blobs on its own disk: %v", local)
	}
	// Changed in the bucket, the photo is no longer what was archived: it
	// is not handed out, not even in part.
	forged := bytes.Repeat([]byte("X"), len(picture))
	bucket.Overwrite(t, blobtest.Key("exempelby/blobs", hash), forged)
	st, body := b.get(b.login("registrator@exempelby.se"), fmt.Sprintf("/arkiv/%d/bilagor/0", seq))
	if st != http.StatusInternalServerError || strings.Contains(body, "XXXX") {
		t.Fatalf("a changed attachment was served: %d, %d bytes", st, len(body))
	}
}
