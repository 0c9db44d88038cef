package archive_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// t0 is when the test's events happen on the platform.
var t0 = time.Date(2025, 2, 3, 10, 0, 0, 0, time.UTC)

// fixture is an archive with two channels of one department and a clock
// the test moves.
type fixture struct {
	d        *db.DB
	s        *archive.Store
	blobs    *blob.Dir
	mu       sync.Mutex
	now      time.Time
	ch1, ch2 int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, blobs: blobs, now: t0.Add(time.Minute)}
	f.s = &archive.Store{DB: d, Blobs: blobs, Now: f.clock}
	f.exec(t, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kultur och fritid', 'KOF', ?, ?)", t0, t0)
	f.exec(t, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby bibliotek', 'active', ?, ?)", t0, t0)
	f.exec(t, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'instagram', 'ig-1', 'Exempelby fritid', 'active', ?, ?)", t0, t0)
	f.ch1, f.ch2 = 1, 2
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) setNow(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// ingest applies an event through the inbox, as intake does.
func (f *fixture) ingest(t *testing.T, channel int64, ev platform.Event) int64 {
	t.Helper()
	var id int64
	err := f.d.InTx(context.Background(), func(tx *db.Tx) error {
		r, err := inbox.Ingest(context.Background(), tx, channel, ev, f.clock())
		id = r.ItemID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// comment is an event about a citizen's comment on post-1.
func comment(id, text string, verb platform.Verb, at time.Time) platform.Event {
	return platform.Event{Platform: platform.Facebook, AccountID: "page-1", EventID: id + string(verb) + text, Verb: verb, OccurredAt: at,
		Object: platform.Object{ExternalID: id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: text,
			Author: platform.Author{ExternalID: "u1", Name: "Åsa Öberg"}, CreatedAt: at}}
}

func (f *fixture) verify(t *testing.T) archive.Report {
	t.Helper()
	rep, err := archive.Verify(context.Background(), f.d)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("chain does not verify: %v", rep.Problems)
	}
	return rep
}

func (f *fixture) search(t *testing.T, flt archive.Filter) []archive.Record {
	t.Helper()
	rs, err := archive.Search(context.Background(), f.d, flt)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
