package release_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/release"
)

// TestCullingSparesRecordsOfOpenRequests selects a record for a request
// and runs a rule that covers it: the record survives while the request
// is open (received, under review, decided), and goes once the request is
// released. A record culled anyway (here forced in the database, as a
// reopened request would find it) stops the decision and the bundle.
func TestCullingSparesRecordsOfOpenRequests(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		item, seq := f.comment(t, "c1", "Åsa Öberg", "Badhuset har varit stängt i tre veckor nu.")
		att := f.attachment(t, item, seq, "Bild på skylten", "https://cdn.example/skylt.jpg")
		_, other := f.comment(t, "c2", "Per Persson", "Varför är badhuset stängt?")
		arch := &archive.Store{DB: d, Now: func() time.Time { return t0.AddDate(1, 1, 0) }}
		if _, err := arch.AddRetentionRule(ctx, archive.RetentionRule{Name: "Kommentarer efter ett år", ChannelID: f.ch, KeepMonths: 12}); err != nil {
			t.Fatal(err)
		}
		req := f.open(t)
		if err := f.s.Select(ctx, req.ID, []int64{seq}); err != nil {
			t.Fatal(err)
		}
		culled := func(seq int64) bool {
			t.Helper()
			r, err := archive.Get(ctx, d, seq)
			if err != nil {
				t.Fatal(err)
			}
			return r.Culled()
		}
		// Only the unselected comment goes; the selected one and the
		// attachment about it stay.
		if n, err := arch.Cull(ctx); err != nil || n != 1 {
			t.Fatalf("cull while under review: %d %v, want 1", n, err)
		}
		if culled(seq) || culled(att) || !culled(other) {
			t.Fatalf("after culling: selected %v, its attachment %v, other %v", culled(seq), culled(att), culled(other))
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Granted}); err != nil {
			t.Fatal(err)
		}
		if n, err := arch.Cull(ctx); err != nil || n != 0 || culled(seq) {
			t.Fatalf("cull while decided: %d %v", n, err)
		}
		b, err := f.s.Release(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(unzip(t, b.Data)["handlingar/handling-"+strconvItoa(seq)+".html"]), "stängt i tre veckor") {
			t.Fatal("the released record lacks its text")
		}
		// Released: culling proceeds.
		if n, err := arch.Cull(ctx); err != nil || n != 2 || !culled(seq) || !culled(att) {
			t.Fatalf("cull after release: %d %v", n, err)
		}
		if rep, err := archive.Verify(ctx, d); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}

		// A record culled behind the review's back is refused.
		_, s3 := f.comment(t, "c3", "Eva Ek", "Öppnar badhuset till sommaren?")
		req2 := f.open(t)
		if err := f.s.Select(ctx, req2.ID, []int64{s3}); err != nil {
			t.Fatal(err)
		}
		f.exec(t, "UPDATE archive_records SET content = NULL, culled_at = ? WHERE seq = ?", t0, s3)
		_, err = f.s.Decide(ctx, req2.ID, release.Decision{Outcome: release.Granted})
		if err == nil || !strings.Contains(err.Error(), "har gallrats") {
			t.Fatalf("decide with a culled record: %v", err)
		}
		_, s4 := f.comment(t, "c4", "Eva Ek", "Tack för svaret!")
		req3 := f.open(t)
		if err := f.s.Select(ctx, req3.ID, []int64{s4}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Decide(ctx, req3.ID, release.Decision{Outcome: release.Granted}); err != nil {
			t.Fatal(err)
		}
		f.exec(t, "UPDATE archive_records SET content = NULL, culled_at = ? WHERE seq = ?", t0, s4)
		if _, err := f.s.Release(ctx, req3.ID); err == nil || !strings.Contains(err.Error(), "har gallrats") {
			t.Fatalf("release with a culled record: %v", err)
		}
		if got, _ := f.s.Get(ctx, req3.ID); got.Status != release.Decided {
			t.Fatalf("status after the refused release: %s", got.Status)
		}
	})
}

// TestSecretRecordNeedsReview checks that a record of the secrecy class
// is not released in full by one click: bifall is refused until the
// registrar records a secrecy review with reasons (audited), and a
// redaction is enough on its own.
func TestSecretRecordNeedsReview(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		item, seq := f.comment(t, "c1", "Åsa Öberg", "Min son Olle har fått en diagnos och behöver stöd i skolan.")
		arch := &archive.Store{DB: d, Now: func() time.Time { return t0.Add(time.Hour) }}
		if err := arch.SetClass(ctx, item, archive.ClassSecret, "Uppgifter om ett barns hälsa", "OSL 23 kap. 2 §"); err != nil {
			t.Fatal(err)
		}
		req := f.open(t)
		if err := f.s.Select(ctx, req.ID, []int64{seq}); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Granted})
		if err == nil || !strings.Contains(err.Error(), "sekretessklassad") {
			t.Fatalf("bifall of a secret record without review: %v", err)
		}
		_, err = f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Granted, SecrecyReviewed: true})
		if err == nil || !strings.Contains(err.Error(), "Motivera") {
			t.Fatalf("review without reasons: %v", err)
		}
		if got, _ := f.s.Get(ctx, req.ID); got.Outcome != "" {
			t.Fatalf("a refused decision was recorded: %+v", got)
		}
		// A redaction alone is enough (a partial refusal).
		if _, err := f.s.RedactPassage(ctx, req.ID, seq, "Olle har fått en diagnos", "OSL 23 kap. 2 §"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.PartlyRefused}); err != nil {
			t.Fatalf("partial refusal with the secret redacted: %v", err)
		}

		// A recorded review with reasons lets bifall through, and the
		// audit log names the records it covered.
		req2 := f.open(t)
		if err := f.s.Select(ctx, req2.ID, []int64{seq}); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Decide(ctx, req2.ID, release.Decision{Outcome: release.Granted, SecrecyReviewed: true,
			Reasoning: "Vårdnadshavaren har själv lämnat uppgifterna offentligt och samtycker till utlämnandet."})
		if err != nil || got.Outcome != release.Granted {
			t.Fatalf("bifall after review: %+v %v", got, err)
		}
		var detail string
		if err := d.QueryRow(ctx, "SELECT detail FROM audit_log WHERE action = 'release.decide' AND object_id = ?", strconvItoa(req2.ID)).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(detail, `"secrecy_reviewed":[`+strconvItoa(seq)+`]`) {
			t.Fatalf("audit detail %s does not record the review", detail)
		}
	})
}
