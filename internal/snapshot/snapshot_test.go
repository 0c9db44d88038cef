package snapshot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
	"tilltal/internal/snapshot"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

type fixture struct {
	d     *db.DB
	blobs *blob.Dir
	s     *snapshot.Service
	clock time.Time
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, blobs: blobs, clock: now}
	f.s = &snapshot.Service{DB: d, Blobs: blobs, Now: func() time.Time { return f.clock }}
	ctx := context.Background()
	for _, q := range []string{
		"INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kultur', 'KUL', ?, ?)",
		"INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby bibliotek', 'active', ?, ?)",
		"INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'instagram', 'ig-1', 'Exempelby fritid', 'active', ?, ?)",
		"INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'instagram', 'ig-2', 'Gammal kanal', 'closed', ?, ?)",
	} {
		if _, err := d.Exec(ctx, q, now, now); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) ingest(t *testing.T, channel int64, obj platform.Object, at time.Time) int64 {
	t.Helper()
	obj.CreatedAt = at
	var id int64
	err := f.d.InTx(context.Background(), func(tx *db.Tx) error {
		r, err := inbox.Ingest(context.Background(), tx, channel, platform.Event{Platform: platform.Facebook, EventID: obj.ExternalID, Verb: platform.VerbCreate, OccurredAt: at, Object: obj}, at)
		id = r.ItemID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// thread makes a post with n comments and a reply by the page to the first.
func (f *fixture) thread(t *testing.T, post string, n int, at time.Time) {
	t.Helper()
	page := platform.Author{Name: "Exempelby bibliotek", IsPage: true}
	f.ingest(t, 1, platform.Object{ExternalID: post, Kind: platform.KindPost, ThreadID: post, Text: "Nytt i biblioteket: " + post, Author: page}, at)
	for i := 0; i < n; i++ {
		f.ingest(t, 1, platform.Object{ExternalID: fmt.Sprintf("%s_c%d", post, i), Kind: platform.KindComment, ParentID: post, ThreadID: post,
			Text: fmt.Sprintf("Kommentar %d om %s, lite längre text så att rutorna fyller sidan.", i, post), Author: platform.Author{ExternalID: "u1", Name: "Åsa Öberg"}}, at.Add(time.Duration(i+1)*time.Minute))
	}
	f.ingest(t, 1, platform.Object{ExternalID: post + "_r", Kind: platform.KindReply, ParentID: post + "_c0", ThreadID: post, Text: "Tack för frågan!", Author: page}, at.Add(time.Hour))
}

func (f *fixture) file(t *testing.T, hash string) []byte {
	t.Helper()
	r, err := f.blobs.Open(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSnapshotRendersAndArchives: a snapshot of a channel renders the
// recent threads, with their comments and replies, to a PDF of several
// pages and an escaped HTML page; both are blobs named by an archive record
// of kind snapshot, which search finds; secret text, the text of an item
// whose media is in quarantine and older threads are left out, and the
// chain verifies.
func TestSnapshotRendersAndArchives(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.thread(t, "p1", 40, now.AddDate(0, -1, 0))
		f.thread(t, "p2", 2, now.AddDate(0, -2, 0))
		f.thread(t, "old", 1, now.AddDate(-1, 0, 0))
		hostile := f.ingest(t, 1, platform.Object{ExternalID: "p2_x", Kind: platform.KindComment, ParentID: "p2", ThreadID: "p2",
			Text: `<script>alert("x")</script> Läskigt`, Author: platform.Author{ExternalID: "u2", Name: "<b>Bo</b>"}}, now.AddDate(0, -2, 0).Add(2*time.Hour))
		secret := f.ingest(t, 1, platform.Object{ExternalID: "p2_s", Kind: platform.KindComment, ParentID: "p2", ThreadID: "p2",
			Text: "Min diagnos är hemlig", Author: platform.Author{ExternalID: "u3", Name: "Cecilia"}}, now.AddDate(0, -2, 0).Add(3*time.Hour))
		_ = hostile
		flagged := f.ingest(t, 1, platform.Object{ExternalID: "p2_q", Kind: platform.KindComment, ParentID: "p2", ThreadID: "p2",
			Text: "Säljer förbjudna bilder", Author: platform.Author{ExternalID: "u4", Name: "Okänd Profil"}}, now.AddDate(0, -2, 0).Add(4*time.Hour))
		if _, err := d.Exec(ctx, "INSERT INTO media_quarantine (item_id, reason, quarantined_at) VALUES (?, 'test', ?)", flagged, now); err != nil {
			t.Fatal(err)
		}
		as := &archive.Store{DB: d, Now: func() time.Time { return now }}
		if err := as.SetClass(ctx, secret, archive.ClassSecret, "Hälsouppgift", "OSL 25 kap. 1 §"); err != nil {
			t.Fatal(err)
		}
		sn, err := f.s.Take(ctx, 1, snapshot.Manual)
		if err != nil {
			t.Fatal(err)
		}
		if sn.Posts != 2 || sn.Items != 1+40+1+1+2+1+2+1 {
			t.Fatalf("snapshot: %+v", sn)
		}
		pdf := f.file(t, sn.PDFSHA256)
		pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1))
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 3 {
			t.Fatalf("pdf: %d bytes, %d pages", len(pdf), pages)
		}
		page := string(f.file(t, sn.HTMLSHA256))
		for _, want := range []string{`<html lang="sv">`, "<h1>Ögonblicksbild av Exempelby bibliotek</h1>", "Nytt i biblioteket: p1", "Kommentar 39 om p1",
			"Tack för frågan!", `class="d2"`, "&lt;script&gt;", "&lt;b&gt;Bo&lt;/b&gt;", "sekretess", "i karantän"} {
			if !strings.Contains(page, want) {
				t.Errorf("html lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>", "Min diagnos", "Nytt i biblioteket: old", "förbjudna bilder"} {
			if strings.Contains(page, bad) {
				t.Errorf("html has %q", bad)
			}
		}
		rec, err := archive.Get(ctx, d, sn.RecordSeq)
		if err != nil {
			t.Fatal(err)
		}
		var c snapshot.Content
		if err := json.Unmarshal(rec.Content, &c); err != nil || rec.Kind != archive.KindSnapshot || rec.ChannelID != 1 || c.PDF.SHA256 != sn.PDFSHA256 ||
			c.HTML.SHA256 != sn.HTMLSHA256 || c.HTML.Size != int64(len(page)) || c.Reason != snapshot.Manual {
			t.Fatalf("record: %+v %+v %v", rec, c, err)
		}
		hits, err := archive.Search(ctx, d, archive.Filter{Kind: archive.KindSnapshot, Query: "ögonblicksbild"})
		if err != nil || len(hits) != 1 || hits[0].Seq != sn.RecordSeq {
			t.Fatalf("search: %+v %v", hits, err)
		}
		if hits, _ := archive.Search(ctx, d, archive.Filter{Kind: archive.KindSnapshot, Query: "diagnos"}); len(hits) != 0 {
			t.Fatal("the secret text is searchable in the snapshot")
		}
		if hits, _ := archive.Search(ctx, d, archive.Filter{Kind: archive.KindSnapshot, Query: "förbjudna"}); len(hits) != 0 {
			t.Fatal("the quarantined item's text is searchable in the snapshot")
		}
		list, err := f.s.List(ctx, 1)
		if err != nil || len(list) != 1 || list[0].ID != sn.ID {
			t.Fatalf("list: %+v %v", list, err)
		}
		r, ctype, name, err := f.s.Open(ctx, list[0], "html")
		if err != nil || ctype != "text/html; charset=utf-8" || !strings.HasSuffix(name, ".html") {
			t.Fatalf("open: %s %s %v", ctype, name, err)
		}
		r.Close()
		if rep, err := archive.Verify(ctx, d); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep.Problems, err)
		}
	})
}

// TestDueSnapshots: the job takes a snapshot of every channel in use that
// has none or whose last is older than six months, and of no other.
func TestDueSnapshots(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.thread(t, "p1", 1, now.AddDate(0, -1, 0))
		due, err := f.s.Due(ctx, 10)
		if err != nil || len(due) != 2 || due[0] != 1 || due[1] != 2 {
			t.Fatalf("due at first: %v %v", due, err)
		}
		if n, err := f.s.TakeDue(ctx); err != nil || n != 2 {
			t.Fatalf("take due: %d %v", n, err)
		}
		if due, _ := f.s.Due(ctx, 10); len(due) != 0 {
			t.Fatalf("due right after: %v", due)
		}
		f.clock = now.AddDate(0, 5, 0)
		if due, _ := f.s.Due(ctx, 10); len(due) != 0 {
			t.Fatalf("due after five months: %v", due)
		}
		f.clock = now.AddDate(0, 6, 1)
		if due, _ := f.s.Due(ctx, 10); len(due) != 2 {
			t.Fatalf("due after six months: %v", due)
		}
		list, _ := f.s.List(ctx, 2)
		if len(list) != 1 || list[0].Reason != snapshot.Periodic || list[0].Posts != 0 {
			t.Fatalf("empty channel's snapshot: %+v", list)
		}
	})
}

// TestSnapshotCulled: a retention rule for snapshots culls the record and
// its PDF and HTML files, and the chain still verifies.
func TestSnapshotCulled(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.thread(t, "p1", 1, now.AddDate(0, -1, 0))
		old, err := f.s.Take(ctx, 1, snapshot.Periodic)
		if err != nil {
			t.Fatal(err)
		}
		clock := now.AddDate(0, 13, 0)
		f.clock = clock
		fresh, err := f.s.Take(ctx, 2, snapshot.Periodic)
		if err != nil {
			t.Fatal(err)
		}
		as := &archive.Store{DB: d, Blobs: f.blobs, Now: func() time.Time { return clock }}
		if _, err := as.AddRetentionRule(ctx, archive.RetentionRule{Name: "Ögonblicksbilder", RecordKind: archive.KindSnapshot, KeepMonths: 12}); err != nil {
			t.Fatal(err)
		}
		if n, err := as.Cull(ctx); err != nil || n != 1 {
			t.Fatalf("culled %d %v", n, err)
		}
		for _, h := range []string{old.PDFSHA256, old.HTMLSHA256} {
			if ok, _ := f.blobs.Has(ctx, h); ok {
				t.Fatalf("the culled snapshot's file %s is still stored", h)
			}
		}
		for _, h := range []string{fresh.PDFSHA256, fresh.HTMLSHA256} {
			if ok, _ := f.blobs.Has(ctx, h); !ok {
				t.Fatalf("the new snapshot's file %s was deleted", h)
			}
		}
		if _, _, _, err := f.s.Open(ctx, old, "pdf"); err == nil || !strings.Contains(err.Error(), "gallrad") {
			t.Fatalf("open a culled snapshot: %v", err)
		}
		if rep, err := archive.Verify(ctx, d); err != nil || !rep.OK() || rep.Culled != 1 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

// stallingStore is a blob store whose first Put waits until released, as a
// slow upload to S3 would in the middle of a snapshot.
type stallingStore struct {
	blob.Store
	started, release chan struct{}
	once             sync.Once
}

func (s *stallingStore) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	s.once.Do(func() {
		close(s.started)
		<-s.release
	})
	return s.Store.Put(ctx, r)
}

// TestSnapshotRendersOutsideTheLock: while a snapshot's files are being
// stored (its posts read and rendered), other transactions append to the
// archive and take in new items — on SQLite through the only writer. A
// snapshot that held the archive's lock (or the writer) meanwhile would
// make them wait for the upload, which waits for them here: the deadline
// ends the wait and the test fails. The snapshot then records what it read
// before, after the record appended meanwhile, and the chain verifies.
func TestSnapshotRendersOutsideTheLock(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.thread(t, "p1", 3, now.AddDate(0, -1, 0))
		stall := &stallingStore{Store: f.blobs, started: make(chan struct{}), release: make(chan struct{})}
		s := &snapshot.Service{DB: d, Blobs: stall, Now: func() time.Time { return now }}
		type result struct {
			sn  snapshot.Snapshot
			err error
		}
		done := make(chan result, 1)
		go func() {
			sn, err := s.Take(ctx, 1, snapshot.Manual)
			done <- result{sn, err}
		}()
		select {
		case <-stall.started:
		case r := <-done:
			t.Fatalf("the snapshot ended before storing its files: %v", r.err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		var meanwhile int64
		err := d.InTx(wctx, func(tx *db.Tx) error {
			rec, err := archive.AppendTx(wctx, tx, archive.Record{Kind: archive.KindPost, ChannelID: 1, Direction: archive.Internal,
				CapturedAt: now, Content: []byte(`{"text":"skrivet medan ögonblicksbilden lagras"}`)})
			meanwhile = rec.Seq
			if err != nil {
				return err
			}
			_, err = inbox.Ingest(wctx, tx, 1, platform.Event{Platform: platform.Facebook, EventID: "p1_late", Verb: platform.VerbCreate, OccurredAt: now,
				Object: platform.Object{ExternalID: "p1_late", Kind: platform.KindComment, ParentID: "p1", ThreadID: "p1", Text: "Sen kommentar",
					Author: platform.Author{ExternalID: "u9", Name: "Sen"}, CreatedAt: now}}, now)
			return err
		})
		close(stall.release)
		r := <-done
		if err != nil {
			t.Fatalf("a write waited for the snapshot's files: %v", err)
		}
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.sn.Items != 1+3+1 || r.sn.RecordSeq <= meanwhile {
			t.Fatalf("snapshot %+v, record appended meanwhile %d", r.sn, meanwhile)
		}
		if page := string(f.file(t, r.sn.HTMLSHA256)); !strings.Contains(page, "Kommentar 2 om p1") || strings.Contains(page, "Sen kommentar") {
			t.Fatal("the snapshot does not show the channel as it was read")
		}
		if rep, err := archive.Verify(ctx, d); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep.Problems, err)
		}
	})
}
