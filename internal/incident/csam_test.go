package incident_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
	"tilltal/internal/report"
)

// TestChildAbuseMaterialKeepsMetadataOnly: for signs of child sexual
// abuse material the media is never fetched and is quarantined at the
// flag; the vault and the bundle hold metadata only (not the text, not the
// attachment's address), the bundle carries the tip for the police's form;
// the quarantine is purged when the police have acted.
func TestChildAbuseMaterialKeepsMetadataOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		text := testdata(t, "csam.txt")
		media := "https://cdn.example.invalid/material.jpg"
		item := f.ingest(post{id: "c9", text: text, attachment: media})
		err := d.InTx(f.ctx, func(tx *db.Tx) error {
			return f.store.ApplyTx(f.ctx, tx, incident.Classified{ItemID: item, ChannelID: f.channel, Result: score.Classify(text)})
		})
		if err != nil {
			t.Fatal(err)
		}
		if q, err := incident.Quarantined(f.ctx, d, item); err != nil || !q {
			t.Fatalf("media not quarantined at the flag: %v %v", q, err)
		}
		id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if f.fetched != 0 {
			t.Fatalf("media fetched %d times", f.fetched)
		}
		vt, err := f.store.Vault(f.ctx, f.viewer("jurist"), id)
		if err != nil {
			t.Fatal(err)
		}
		if !vt.Manifest.MetadataOnly || len(vt.Manifest.Parts) != 1 || vt.Manifest.Parts[0].Name != "metadata.json" {
			t.Fatalf("vault %+v", vt.Manifest)
		}
		var zipped bytes.Buffer
		if err := f.store.WriteBundle(f.ctx, f.viewer("jurist"), id, &zipped); err != nil {
			t.Fatal(err)
		}
		if err := incident.VerifyBundle(bytes.NewReader(zipped.Bytes()), int64(zipped.Len())); err != nil {
			t.Fatal(err)
		}
		files := unzip(t, zipped.Bytes())
		tip := string(files["tips.txt"])
		if !strings.Contains(tip, "comment_id=c9") || !strings.Contains(tip, "https://www.facebook.com/argperson") || !strings.Contains(tip, "ECPAT") {
			t.Fatalf("tip:\n%s", tip)
		}
		for name, data := range files {
			if bytes.Contains(data, []byte("nakna barn")) || bytes.Contains(data, []byte("material.jpg")) || bytes.Contains(data, []byte("PNG picture")) {
				t.Errorf("%s holds content or media", name)
			}
		}
		if err := f.store.RecordReport(f.ctx, f.viewer("jurist"), id, "K1-26"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.RecordTip(f.ctx, f.viewer("agare"), id, "Tips 2026-4711", "fb-report-88"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.PoliceActed(f.ctx, f.viewer("agare"), id); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM media_quarantine WHERE item_id = ? AND purged_at IS NOT NULL", item); n != 1 {
			t.Fatal("the quarantine was not purged")
		}
		// A threat case takes no tip.
		other := f.ingest(post{id: "c10", text: testdata(t, "threat.txt")})
		oid, _, _ := f.store.Open(f.ctx, incident.OpenRequest{ItemID: other, FromFlags: true})
		if err := f.store.RecordTip(f.ctx, f.viewer("jurist"), oid, "x", ""); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("tip on a threat: %v", err)
		}
	})
}

// TestModerationReport counts cases by crime and channel, removal times
// against the target, and what was reported.
func TestModerationReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		from := f.now
		a := f.ingest(post{id: "a", text: testdata(t, "threat.txt")})
		b := f.ingest(post{id: "b", text: testdata(t, "threat.txt")})
		c := f.ingest(post{id: "c", text: testdata(t, "csam.txt")})
		var ids []int64
		for _, item := range []int64{a, b, c} {
			id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		mark := func(item int64, after time.Duration) {
			if _, err := d.Exec(f.ctx, "UPDATE incidents SET removed_at = ?, removal = 'hidden' WHERE item_id = ?", f.now.Add(after), item); err != nil {
				t.Fatal(err)
			}
		}
		mark(a, 10*time.Minute)
		mark(b, 2*time.Hour)
		if err := f.store.RecordReport(f.ctx, f.viewer("jurist"), ids[0], "K42-26"); err != nil {
			t.Fatal(err)
		}
		r, err := f.store.Report(f.ctx, nil, from, from.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := incident.Report{Total: 3, Removed: 2, WithinTarget: 1, StillVisible: 1, PoliceReports: 1, Unreported: 2,
			MedianRemoval: 2 * time.Hour, MaxRemoval: 2 * time.Hour}
		if r.Total != want.Total || r.Removed != want.Removed || r.WithinTarget != want.WithinTarget || r.StillVisible != want.StillVisible ||
			r.PoliceReports != want.PoliceReports || r.Unreported != want.Unreported || r.MaxRemoval != want.MaxRemoval || r.MedianRemoval != want.MedianRemoval {
			t.Fatalf("report %+v", r)
		}
		if len(r.ByCategory) != 2 || r.ByCategory[0] != (incident.Count{Label: "olaga hot", N: 2}) || r.ByChannel[0].N != 3 {
			t.Fatalf("breakdowns %+v %+v", r.ByCategory, r.ByChannel)
		}
		if r, _ := f.store.Report(f.ctx, []int64{f.other}, from, from.Add(24*time.Hour)); r.Total != 0 {
			t.Fatal("another channel's cases counted")
		}
		// The same cases as the report package's figures, per crime.
		day := calendar.DateOf(from)
		figs, err := f.store.IncidentFigures(f.ctx, report.Filter{From: day, To: day})
		if err != nil {
			t.Fatal(err)
		}
		wantFigs := []report.IncidentFigure{
			{Category: "olaga hot", Cases: 2, Removed: 2, Median: 10 * time.Minute, P90: 2 * time.Hour, Reported: 1},
			{Category: "barnpornografibrott (tecken på)", Cases: 1},
		}
		if len(figs) != len(wantFigs) || figs[0] != wantFigs[0] || figs[1] != wantFigs[1] {
			t.Fatalf("figures %+v", figs)
		}
		if figs, _ := f.store.IncidentFigures(f.ctx, report.Filter{From: day, To: day, Channels: []int64{f.other}}); len(figs) != 0 {
			t.Fatal("figures outside the scope")
		}
	})
}
