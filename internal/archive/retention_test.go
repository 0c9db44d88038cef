package archive_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform"
	"tilltal/internal/swedish"
)

// withPicture is a comment with an image attachment at url.
func withPicture(id, text, url string, at time.Time) platform.Event {
	ev := comment(id, text, platform.VerbCreate, at)
	ev.Object.Attachments = []platform.Attachment{{Kind: "image", URL: url, Title: "Bild på gungan", ContentType: "image/jpeg"},
		{Kind: "link", URL: "https://www.exempelby.se/lekparker"}}
	return ev
}

// pictureServer serves the test picture; fail makes it answer 404.
func pictureServer(t *testing.T, picture []byte, fail *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(picture)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAttachmentFetchedAndRetried fetches an attachment into the blob
// store; one that cannot be fetched says so and is fetched later.
func TestAttachmentFetchedAndRetried(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		picture := readFile(t, "picture.txt")
		var fail atomic.Bool
		fail.Store(true)
		srv := pictureServer(t, picture, &fail)
		f.ingest(t, f.ch1, withPicture("c1", "Gungan är trasig", srv.URL+"/gunga.jpg", t0))
		src := f.search(t, archive.Filter{Kind: archive.KindItemVersion})[0]
		if n, failed, err := f.s.FetchDue(ctx, 10); err != nil || n != 0 || failed != 1 {
			t.Fatalf("first fetch: %d %d %v", n, failed, err)
		}
		atts, err := f.s.Attachments(ctx, src.Seq)
		if err != nil || len(atts) != 2 {
			t.Fatalf("attachments: %+v %v", atts, err)
		}
		if a := atts[0]; a.Status != archive.AttachmentFailed || a.Attempts != 1 || !strings.Contains(a.LastError, "404") || !a.NextAttempt.After(f.clock()) {
			t.Fatalf("after a failure: %+v", a)
		}
		if atts[1].Status != archive.AttachmentLink {
			t.Fatalf("link: %+v", atts[1])
		}
		// The archive holds a record that says the attachment is missing
		// and when it is tried again.
		missing := f.search(t, archive.Filter{Kind: archive.KindAttachment})
		if len(missing) != 1 {
			t.Fatalf("%d attachment records after the failure, want 1", len(missing))
		}
		var mc archive.AttachmentContent
		if rec, err := archive.Get(ctx, d, missing[0].Seq); err != nil || json.Unmarshal(rec.Content, &mc) != nil ||
			mc.Status != archive.AttachmentNotFetched || !strings.Contains(mc.Error, "404") || mc.NextAttempt == nil || mc.SHA256 != "" || rec.RefSeq != src.Seq {
			t.Fatalf("record of the failure: %+v %v", mc, err)
		}
		// Not due yet: nothing is tried.
		if n, failed, _ := f.s.FetchDue(ctx, 10); n+failed != 0 {
			t.Fatal("tried before it was due")
		}
		fail.Store(false)
		f.setNow(f.clock().Add(2 * time.Minute))
		if n, _, err := f.s.FetchDue(ctx, 10); err != nil || n != 1 {
			t.Fatalf("retry: %d %v", n, err)
		}
		atts, _ = f.s.Attachments(ctx, src.Seq)
		a := atts[0]
		if a.Status != archive.AttachmentFetched || a.RecordSeq == 0 || a.Size != int64(len(picture)) {
			t.Fatalf("after the retry: %+v", a)
		}
		if ok, _ := f.blobs.Has(ctx, a.BlobSHA256); !ok {
			t.Fatal("blob not stored")
		}
		rec, err := archive.Get(ctx, d, a.RecordSeq)
		if err != nil {
			t.Fatal(err)
		}
		var c archive.AttachmentContent
		if err := json.Unmarshal(rec.Content, &c); err != nil || c.SHA256 != a.BlobSHA256 || rec.RefSeq != src.Seq || rec.ItemID != src.ItemID || c.ContentType != "image/jpeg" || c.Status != "" {
			t.Fatalf("attachment record: %+v %+v %v", rec, c, err)
		}
		f.verify(t)
	})
}

// TestAttachmentGivenUpSaysSo: an attachment that never comes is tried
// with growing waits, and after the last attempt the archive says Tilltal
// gave up; between the first and the last failure no record is added.
func TestAttachmentGivenUpSaysSo(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var fail atomic.Bool
		fail.Store(true)
		srv := pictureServer(t, nil, &fail)
		f.ingest(t, f.ch1, withPicture("c1", "Gungan är trasig", srv.URL+"/gunga.jpg", t0))
		src := f.search(t, archive.Filter{Kind: archive.KindItemVersion})[0]
		var waits []time.Duration
		for i := 0; i < 40; i++ {
			atts, err := f.s.Attachments(ctx, src.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if atts[0].GaveUp() {
				break
			}
			if i > 0 {
				waits = append(waits, atts[0].NextAttempt.Sub(f.clock()))
			}
			f.setNow(atts[0].NextAttempt)
			if _, failed, err := f.s.FetchDue(ctx, 10); err != nil || failed != 1 {
				t.Fatalf("attempt %d: %d failed, %v", i+1, failed, err)
			}
		}
		atts, _ := f.s.Attachments(ctx, src.Seq)
		if !atts[0].GaveUp() || atts[0].Attempts != 30 {
			t.Fatalf("after the attempts: %+v", atts[0])
		}
		backoff := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour}
		if len(waits) != 29 || !slices.Equal(waits[:6], backoff) || waits[28] != 24*time.Hour {
			t.Fatalf("waits do not grow: %v", waits)
		}
		rs := f.search(t, archive.Filter{Kind: archive.KindAttachment})
		if len(rs) != 2 {
			t.Fatalf("%d attachment records, want 2 (not fetched, gave up)", len(rs))
		}
		var last archive.AttachmentContent
		if rec, err := archive.Get(ctx, d, rs[0].Seq); err != nil || json.Unmarshal(rec.Content, &last) != nil || last.Status != archive.AttachmentGaveUp || last.Attempts != 30 {
			t.Fatalf("give-up record: %+v %v", last, err)
		}
		// Nothing more is tried.
		f.setNow(f.clock().AddDate(1, 0, 0))
		if n, failed, _ := f.s.FetchDue(ctx, 10); n+failed != 0 {
			t.Fatal("tried after giving up")
		}
		f.verify(t)
	})
}

// cullingFixture makes two years of comments on two channels: old
// questions about opening hours (minor), an old complaint (kept in order),
// an old registered item, an old item on a held thread, and new ones.
type cullingFixture struct {
	*fixture
	oldMinor, oldOrdered, oldRegistered, newMinor, heldMinor, otherChannel int64
}

func newCullingFixture(t *testing.T, d *db.DB, pictureURL string) *cullingFixture {
	t.Helper()
	f := &cullingFixture{fixture: newFixture(t, d)}
	ctx := context.Background()
	old := t0.AddDate(-2, 0, 0)
	f.oldMinor = f.ingest(t, f.ch1, withPicture("c1", "Vilka öppettider har biblioteket?", pictureURL, old))
	f.ingest(t, f.ch1, comment("c1", "Vilka öppettider har biblioteket i sommar?", platform.VerbEdit, old.Add(time.Minute)))
	f.oldOrdered = f.ingest(t, f.ch1, comment("c2", "Gungan i lekparken är trasig, någon kan skada sig.", platform.VerbCreate, old))
	f.oldRegistered = f.ingest(t, f.ch1, comment("c3", "Har ni öppet imorgon?", platform.VerbCreate, old))
	if err := f.s.SetClass(ctx, f.oldRegistered, archive.ClassRegistered, "Klagomål som ska diarieföras", ""); err != nil {
		t.Fatal(err)
	}
	held := comment("c4", "När öppnar simhallen?", platform.VerbCreate, old)
	held.Object.ParentID, held.Object.ThreadID = "post-2", "post-2"
	f.heldMinor = f.ingest(t, f.ch1, held)
	other := comment("i1", "Öppettider på fritidsgården?", platform.VerbCreate, old)
	other.Platform, other.AccountID = platform.Instagram, "ig-1"
	f.otherChannel = f.ingest(t, f.ch2, other)
	f.newMinor = f.ingest(t, f.ch1, comment("c5", "Öppettider i påsk?", platform.VerbCreate, t0))
	return f
}

func (f *cullingFixture) threadOf(t *testing.T, item int64) int64 {
	t.Helper()
	var id int64
	if err := f.d.QueryRow(context.Background(), "SELECT thread_id FROM items WHERE id = ?", item).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// culledItems lists the items that have culled records, and checks that
// every culled record lost its content and search text.
func (f *cullingFixture) culledItems(t *testing.T) []int64 {
	t.Helper()
	var out []int64
	for _, r := range f.search(t, archive.Filter{Limit: archive.MaxLimit}) {
		full, err := archive.Get(context.Background(), f.d, r.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if full.Culled() != (full.Content == nil) {
			t.Fatalf("record %d: culled %v but content %q", r.Seq, full.Culled(), full.Content)
		}
		if full.Culled() && !slices.Contains(out, full.ItemID) {
			out = append(out, full.ItemID)
		}
	}
	slices.Sort(out)
	return out
}

// inboxCulled checks that an inbox item was culled to a stub.
func (f *cullingFixture) inboxCulled(t *testing.T, id int64, rule string) {
	t.Helper()
	var body, search, atts, author string
	var culled sql.NullTime
	if err := f.d.QueryRow(context.Background(), "SELECT body, search_text, attachments, author_name, culled_at FROM items WHERE id = ?", id).
		Scan(&body, &search, &atts, &author, &culled); err != nil {
		t.Fatal(err)
	}
	if want := archive.CulledStub(f.clock(), rule); body != want || search != "" || atts != "[]" || author != "" || !culled.Valid {
		t.Fatalf("item %d after culling: %q %q %s %q %v, want the stub %q", id, body, search, atts, author, culled.Valid, want)
	}
	if !strings.HasPrefix(body, "Gallrad 20") || !strings.Contains(body, "enligt ”"+rule+"”") {
		t.Fatalf("stub %q", body)
	}
	var left int
	if err := f.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM item_versions WHERE item_id = ? AND body <> ''", id).Scan(&left); err != nil || left != 0 {
		t.Fatalf("item %d keeps %d versions' text", id, left)
	}
}

// inboxWhole checks that an inbox item keeps its text and versions.
func (f *cullingFixture) inboxWhole(t *testing.T, id int64) {
	t.Helper()
	var body string
	var culled sql.NullTime
	var versions int
	if err := f.d.QueryRow(context.Background(), "SELECT body, culled_at, (SELECT COUNT(*) FROM item_versions v WHERE v.item_id = items.id AND v.body <> '') FROM items WHERE id = ?", id).
		Scan(&body, &culled, &versions); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(body, "Gallrad") || culled.Valid || versions == 0 {
		t.Fatalf("item %d was culled: %q", id, body)
	}
}

// inboxSearch counts the items the inbox's full-text index finds a word in.
func (f *cullingFixture) inboxSearch(t *testing.T, word string) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?"
	if f.d.Dialect == db.Postgres {
		q = "SELECT COUNT(*) FROM items WHERE search_vector @@ to_tsquery('simple', ?)"
	}
	term := swedish.IndexText(word)
	var n int
	if err := f.d.QueryRow(context.Background(), q, strings.TrimSpace(term)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCullingRemovesExactlyWhatTheRuleSays runs a rule "comments of minor
// importance are culled after 12 months" and checks what went: the old
// minor items on the rule's channel, their attachment and its file; not
// the registered one, the held thread, the other channel, or anything new;
// and the chain still verifies, with a culling record naming each culled
// record.
func TestCullingRemovesExactlyWhatTheRuleSays(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var fail atomic.Bool
		srv := pictureServer(t, readFile(t, "picture.txt"), &fail)
		f := newCullingFixture(t, d, srv.URL+"/bild.jpg")
		ctx := context.Background()
		if n, _, err := f.s.FetchDue(ctx, 10); err != nil || n != 1 {
			t.Fatalf("fetch: %d %v", n, err)
		}
		atts, _ := f.s.Attachments(ctx, f.search(t, archive.Filter{ItemID: f.oldMinor, Kind: archive.KindItemVersion})[1].Seq)
		blobHash := atts[0].BlobSHA256
		rule := archive.RetentionRule{Name: "Ringa betydelse, Facebook", Class: archive.ClassMinor, ChannelID: f.ch1, KeepMonths: 12, Decision: "Dokumenthanteringsplan KS 2024/0117, 3.2"}
		if _, err := f.s.AddRetentionRule(ctx, rule); err != nil {
			t.Fatal(err)
		}
		// A hold placed after the rule still keeps what it covers.
		if _, err := f.s.PlaceHold(ctx, archive.HoldThread, f.threadOf(t, f.heldMinor), "Begärd av polisen i ärende 5000-K123-26"); err != nil {
			t.Fatal(err)
		}
		before := f.verify(t)
		if n := f.inboxSearch(t, "biblioteket"); n != 1 {
			t.Fatalf("the inbox's search finds the text in %d items before culling, want 1", n)
		}
		n, err := f.s.Cull(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Two versions and the attachment of the old minor item.
		if n != 3 {
			t.Fatalf("culled %d records, want 3", n)
		}
		if got := f.culledItems(t); !slices.Equal(got, []int64{f.oldMinor}) {
			t.Fatalf("culled items %v, want only %d", got, f.oldMinor)
		}
		if ok, _ := f.blobs.Has(ctx, blobHash); ok {
			t.Fatal("the attachment's file was not deleted")
		}
		if hits := f.search(t, archive.Filter{Query: "biblioteket"}); len(hits) != 0 {
			t.Fatalf("culled text still found: %+v", hits)
		}
		// The inbox's copy went too: the culled item is a stub that says
		// when and under which rule, its versions and attachments are
		// empty, and the inbox's search no longer finds its text; every
		// other item is whole.
		f.inboxCulled(t, f.oldMinor, rule.Name)
		for _, id := range []int64{f.oldOrdered, f.oldRegistered, f.heldMinor, f.otherChannel, f.newMinor} {
			f.inboxWhole(t, id)
		}
		if n := f.inboxSearch(t, "biblioteket"); n != 0 {
			t.Fatalf("the inbox's search still finds the culled text in %d items", n)
		}
		after := f.verify(t)
		if after.Culled != 3 || after.Records != before.Records+1 {
			t.Fatalf("after culling: %+v (before %+v)", after, before)
		}
		log, err := f.s.Cullings(ctx, 10)
		if err != nil || len(log) != 1 || log[0].RecordCount != 3 || log[0].BlobCount != 1 || log[0].RuleName != rule.Name {
			t.Fatalf("culling log: %+v %v", log, err)
		}
		rec, _ := archive.Get(ctx, d, log[0].CullingSeq)
		var c archive.CullingContent
		if err := json.Unmarshal(rec.Content, &c); err != nil || c.Count != 3 || c.Decision != rule.Decision || rec.Kind != archive.KindCulling {
			t.Fatalf("culling record: %+v %v", c, err)
		}
		// Running again culls nothing more.
		if n, err := f.s.Cull(ctx); err != nil || n != 0 {
			t.Fatalf("second run culled %d %v", n, err)
		}
		// Once the hold is lifted, the held item goes too.
		holds, _ := f.s.Holds(ctx, true)
		if err := f.s.ReleaseHold(ctx, holds[0].ID, "Utredningen är avslutad"); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.Cull(ctx); err != nil || n != 1 {
			t.Fatalf("after release culled %d %v", n, err)
		}
		if got := f.culledItems(t); !slices.Equal(got, []int64{f.oldMinor, f.heldMinor}) {
			t.Fatalf("culled items %v", got)
		}
		f.inboxCulled(t, f.heldMinor, rule.Name)
		f.inboxWhole(t, f.oldRegistered)
		f.verify(t)
	})
}

// TestLegalHoldRefusesRule checks that a rule that would cull a held
// record is refused with a clear message, and changes nothing.
func TestLegalHoldRefusesRule(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCullingFixture(t, d, "https://cdn.example/bild.jpg")
		ctx := context.Background()
		recs := f.search(t, archive.Filter{ItemID: f.otherChannel})
		if _, err := f.s.PlaceHold(ctx, archive.HoldRecord, recs[0].Seq, "Underlag i tvist"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.PlaceHold(ctx, archive.HoldChannel, f.ch1, "Granskning av kanalen"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			rule archive.RetentionRule
			want string
		}{
			{"all channels", archive.RetentionRule{Name: "Allt ringa", Class: archive.ClassMinor, KeepMonths: 12}, "bevarandebeslut"},
			{"the held channel", archive.RetentionRule{Name: "Facebook", ChannelID: f.ch1, KeepMonths: 120}, "Granskning av kanalen"},
			{"registered records", archive.RetentionRule{Name: "Registrerat", Class: archive.ClassRegistered, KeepMonths: 12}, "bevaras"},
			{"culling records", archive.RetentionRule{Name: "Logg", RecordKind: archive.KindCulling, KeepMonths: 12}, "gallras aldrig"},
			{"no name", archive.RetentionRule{KeepMonths: 12}, "namn"},
			{"no time", archive.RetentionRule{Name: "Noll"}, "månader"},
		}
		for _, tt := range tests {
			_, err := f.s.AddRetentionRule(ctx, tt.rule)
			if err == nil || !strings.Contains(apperr.Message(err), tt.want) {
				t.Errorf("%s: %v, want …%s…", tt.name, err, tt.want)
			}
			if tt.name == "all channels" && apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("%s: kind %v, want conflict", tt.name, apperr.KindOf(err))
			}
		}
		rules, _ := f.s.RetentionRules(ctx)
		if len(rules) != 0 {
			t.Fatalf("refused rules were saved: %+v", rules)
		}
		// A rule clear of the holds is accepted, and the job still keeps
		// held records even if a hold comes after the rule.
		if _, err := f.s.AddRetentionRule(ctx, archive.RetentionRule{Name: "Instagram", ChannelID: f.ch2, RecordKind: archive.KindRawDelivery, KeepMonths: 12}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.Cull(ctx); err != nil || n != 0 {
			t.Fatalf("culled %d %v", n, err)
		}
		if got := f.culledItems(t); len(got) != 0 {
			t.Fatalf("held records culled: %v", got)
		}
		if holds := f.search(t, archive.Filter{Kind: archive.KindHold}); len(holds) != 2 {
			t.Fatalf("%d hold records, want 2", len(holds))
		}
		f.verify(t)
	})
}
