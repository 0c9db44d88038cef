package incident_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
)

// TestCasePreservesSealsAndBundles: a case on a threat gets a secret
// diary number, a sealed snapshot of every part with its SHA-256, and a
// bundle whose checksums verify; the vault refuses every change.
func TestCasePreservesSealsAndBundles(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		text := testdata(t, "threat.txt")
		item := f.ingest(post{id: "c1", text: text, attachment: "https://cdn.example.invalid/bild.png"})
		f.ctx = withUser(f.ctx, f.users["redaktor"])
		id, created, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: false, Category: score.Threat, Note: "Hot mot handläggare"})
		if err != nil || !created {
			t.Fatalf("open: %v %v", created, err)
		}
		if again, created, _ := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, Category: score.Threat}); again != id || created {
			t.Fatal("a second case was opened on the same item")
		}
		i, err := f.store.Get(f.ctx, f.viewer("jurist"), id)
		if err != nil {
			t.Fatal(err)
		}
		entry, err := f.store.Diary.ForObject(f.ctx, "incident", audit.ID(id))
		if err != nil || entry.Number != i.DiaryNumber || !entry.Secret || entry.SecrecyGround == "" || !strings.HasPrefix(i.DiaryNumber, "KS 2026/") {
			t.Fatalf("diary %+v, case number %q: %v", entry, i.DiaryNumber, err)
		}
		// The case's registration marks the item's archive records in the
		// same transaction, and the item is secret under the case's ground.
		regs, err := archive.Search(f.ctx, d, archive.Filter{DiaryNumber: i.DiaryNumber, ItemID: item})
		if err != nil || len(regs) < 2 || regs[0].Kind != archive.KindRegistration || regs[len(regs)-1].Kind != archive.KindItemVersion {
			t.Fatalf("archive under %s: %+v %v", i.DiaryNumber, regs, err)
		}
		if cls, err := (&archive.Store{DB: d}).ItemClassOf(f.ctx, item); err != nil || cls.Class != archive.ClassSecret || cls.SecrecyGround != entry.SecrecyGround {
			t.Fatalf("class after the case: %+v %v", cls, err)
		}
		f.advance(time.Minute)
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal("a second preservation failed:", err)
		}
		if err := f.store.Verify(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		vt, err := f.store.Vault(f.ctx, f.viewer("jurist"), id)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]incident.PartInfo{}
		for _, p := range vt.Manifest.Parts {
			names[p.Name] = p
		}
		for _, want := range []string{"text.txt", "inlagg.json", "forfattare.json", "trad.json", "versioner.json", "skarmbild.html", "plattform.json", "bilagor.json", "bilagor/1.png"} {
			if _, ok := names[want]; !ok {
				t.Errorf("the snapshot has no %s: %v", want, vt.Manifest.Parts)
			}
		}
		raw := 0
		for n := range names {
			if strings.HasPrefix(n, "handelser/") || strings.HasPrefix(n, "leveranser/") {
				raw++
			}
		}
		if raw != 2 || vt.Manifest.CapturedAt != fixedNow.Add(time.Minute) {
			t.Fatalf("raw parts %d, captured %s", raw, vt.Manifest.CapturedAt)
		}
		info, data, err := f.store.Part(f.ctx, f.viewer("agare"), id, names["text.txt"].Position)
		if err != nil || string(data) != text || info.SHA256 != incident.Hash([]byte(text)) {
			t.Fatalf("text part %q %+v %v", data, info, err)
		}
		// Stored encrypted: the text is not in the database in clear.
		if sealedContains(t, d, id, []byte("ångra dig")) {
			t.Fatal("evidence stored in clear")
		}
		for _, c := range []struct {
			q    string
			args []any
		}{
			{"UPDATE incident_evidence SET sha256 = 'x' WHERE incident_id = ?", []any{id}},
			{"DELETE FROM incident_evidence WHERE incident_id = ?", []any{id}},
			{"UPDATE incident_seals SET seal_sha256 = 'x' WHERE incident_id = ?", []any{id}},
			{"DELETE FROM incident_seals WHERE incident_id = ?", []any{id}},
			{"INSERT INTO incident_evidence (incident_id, position, name, content_type, size, sha256, sealed, captured_at) VALUES (?, 99, 'extra', 'text/plain', 1, 'x', ?, ?)",
				[]any{id, []byte{0}, f.now}},
		} {
			if _, err := d.Exec(f.ctx, c.q, c.args...); err == nil || !strings.Contains(err.Error(), "incident evidence is") && !strings.Contains(err.Error(), "append-only") {
				t.Errorf("the vault allowed %s: %v", c.q, err)
			}
		}
		var zipped bytes.Buffer
		if err := f.store.WriteBundle(f.ctx, f.viewer("jurist"), id, &zipped); err != nil {
			t.Fatal(err)
		}
		if err := incident.VerifyBundle(bytes.NewReader(zipped.Bytes()), int64(zipped.Len())); err != nil {
			t.Fatal(err)
		}
		files := unzip(t, zipped.Bytes())
		if !bytes.HasPrefix(files["sammanfattning.pdf"], []byte("%PDF-")) || string(files["bevis/text.txt"]) != text {
			t.Fatal("the bundle lacks the summary or the text")
		}
		if f.audits("incident.vault", "incident", id) != 3 {
			t.Fatalf("%d vault looks logged, want 3 (manifest, part, bundle)", f.audits("incident.vault", "incident", id))
		}
	})
}

// TestBundleTamperingIsFound: a changed byte anywhere in the bundle —
// evidence, summary, manifest — fails verification, even when the
// checksum list is forged to match.
func TestBundleTamperingIsFound(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		item := f.ingest(post{id: "c1", text: testdata(t, "threat.txt")})
		id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		var zipped bytes.Buffer
		if err := f.store.WriteBundle(f.ctx, f.viewer("jurist"), id, &zipped); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name      string
			change    func(files map[string][]byte)
			forgeSums bool
		}{
			{"evidence changed", func(fs map[string][]byte) { fs["bevis/text.txt"] = []byte("Något annat") }, false},
			{"evidence changed, sums forged", func(fs map[string][]byte) { fs["bevis/text.txt"] = []byte("Något annat") }, true},
			{"summary changed", func(fs map[string][]byte) { fs["sammanfattning.pdf"] = append(fs["sammanfattning.pdf"], ' ') }, false},
			{"manifest changed, sums forged", func(fs map[string][]byte) {
				fs["manifest.json"] = bytes.Replace(fs["manifest.json"], []byte(`"platform": "facebook"`), []byte(`"platform": "instagram"`), 1)
			}, true},
			{"file added", func(fs map[string][]byte) { fs["bevis/extra.txt"] = []byte("x") }, false},
			{"evidence removed, sums forged", func(fs map[string][]byte) { delete(fs, "bevis/text.txt") }, true},
		}
		for _, tc := range cases {
			files := unzip(t, zipped.Bytes())
			tc.change(files)
			if tc.forgeSums {
				var sums strings.Builder
				for name, data := range files {
					if name != "SHA256SUMS" {
						sums.WriteString(incident.Hash(data) + "  " + name + "\n")
					}
				}
				files["SHA256SUMS"] = []byte(sums.String())
			}
			b := rezip(t, files)
			if err := incident.VerifyBundle(bytes.NewReader(b), int64(len(b))); err == nil {
				t.Errorf("%s: verified", tc.name)
			}
		}
	})
}

// TestCaseVisibility: legal sees every case and the channel's owner its
// own; the editor who opened it, the owner of another channel and a
// communicator get not found, as for a case that does not exist, and each
// refused look is logged.
func TestCaseVisibility(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		item := f.ingest(post{id: "c1", text: testdata(t, "threat.txt")})
		id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			who string
			ok  bool
		}{{"jurist", true}, {"agare", true}, {"redaktor", false}, {"annan", false}, {"kommunikator", false}}
		for _, tc := range cases {
			v := f.viewer(tc.who)
			_, errGet := f.store.Get(f.ctx, v, id)
			_, errVault := f.store.Vault(f.ctx, v, id)
			_, _, errPart := f.store.Part(f.ctx, v, id, 1)
			errBundle := f.store.WriteBundle(f.ctx, v, id, io.Discard)
			for _, err := range []error{errGet, errVault, errPart, errBundle} {
				if tc.ok && err != nil {
					t.Errorf("%s: %v", tc.who, err)
				}
				if !tc.ok && apperr.KindOf(err) != apperr.NotFound {
					t.Errorf("%s: %v, want not found", tc.who, err)
				}
			}
			list, err := f.store.List(f.ctx, v, incident.Filter{})
			if err != nil || (len(list) == 1) != tc.ok {
				t.Errorf("%s lists %d cases: %v", tc.who, len(list), err)
			}
			n, err := f.store.ForItem(f.ctx, v, item)
			if err != nil || !n.UnderIncident || (n.IncidentID == id) != tc.ok {
				t.Errorf("%s: notice %+v %v", tc.who, n, err)
			}
		}
		if _, err := f.store.Get(f.ctx, f.viewer("redaktor"), id+1000); apperr.KindOf(err) != apperr.NotFound || apperr.Message(err) != "Ärendet finns inte" {
			t.Fatalf("a missing case answers %v", err)
		}
		if n := f.audits("incident.denied", "incident", id); n != 3*4 {
			t.Fatalf("%d refused looks logged, want 12", n)
		}
		if n := f.audits("incident.vault", "incident", id); n != 2*3 {
			t.Fatalf("%d vault looks logged, want 6", n)
		}
	})
}

// TestRemovalIsTimedAndEscalated: the case hides the item through the
// outbound queue; the platform's answer records the removal and its time
// from arrival; a failed hide, a missed target and an unreported case are
// told to the people who answer for them, once.
func TestRemovalIsTimedAndEscalated(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		item := f.ingest(post{id: "c1", text: testdata(t, "threat.txt")})
		id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Remove(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Remove(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		actions, err := f.store.Actions.ForItem(f.ctx, item)
		if err != nil || len(actions) != 1 || actions[0].Kind != outbound.KindHide {
			t.Fatalf("hide actions %+v %v", actions, err)
		}
		// The platform refuses: legal, the owner and the on-duty person hear of it.
		failed := actions[0].Action
		failed.Status, failed.Error = outbound.StatusFailed, "Plattformen svarade 500"
		if err := d.InTx(f.ctx, func(tx *db.Tx) error { return f.store.ActionFinished(f.ctx, tx, failed) }); err != nil {
			t.Fatal(err)
		}
		i, _ := f.store.Get(f.ctx, f.viewer("jurist"), id)
		if i.RemovalError == "" || !contains(f.notifications("jurist"), "Det gick inte att ta bort") || !contains(f.notifications("agare"), "Det gick inte att ta bort") {
			t.Fatalf("failed hide not escalated: %q %v", i.RemovalError, f.notifications("jurist"))
		}
		// Past the target with the content still up: one alert.
		f.advance(61 * time.Minute)
		for range 2 {
			if err := f.store.AlertLateRemovals(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := countOf(f.notifications("agare"), "Målet för borttagning missat"); n != 1 {
			t.Fatalf("%d late alerts to the owner", n)
		}
		done := actions[0].Action
		done.Status, done.DoneAt = outbound.StatusDone, f.now
		if err := d.InTx(f.ctx, func(tx *db.Tx) error { return f.store.ActionFinished(f.ctx, tx, done) }); err != nil {
			t.Fatal(err)
		}
		i, _ = f.store.Get(f.ctx, f.viewer("jurist"), id)
		took, removed := i.TimeToRemoval()
		if !removed || i.Removal != incident.RemovalHidden || took != 61*time.Minute || !i.RemovalLate(f.now) || i.RemovalError != "" {
			t.Fatalf("removal %+v after %s", i, took)
		}
		// Unreported after two days: the owner is reminded, weekly, until
		// the police's number is in.
		f.advance(48 * time.Hour)
		for range 2 {
			if err := f.store.RemindUnreported(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := countOf(f.notifications("agare"), "Ej polisanmält"); n != 1 {
			t.Fatalf("%d reminders", n)
		}
		if err := f.store.RecordReport(f.ctx, f.viewer("agare"), id, "5000-k 123456-26"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.RecordReport(f.ctx, f.viewer("agare"), id, "123456"); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("bad K-nummer: %v", err)
		}
		f.advance(8 * 24 * time.Hour)
		if err := f.store.RemindUnreported(f.ctx); err != nil {
			t.Fatal(err)
		}
		i, _ = f.store.Get(f.ctx, f.viewer("jurist"), id)
		if n := countOf(f.notifications("agare"), "Ej polisanmält"); n != 1 || i.PoliceReportNumber != "5000-K123456-26" || i.Status != incident.StatusReported {
			t.Fatalf("after the report: %d reminders, %+v", n, i)
		}
		// Deleting is the responsible person's decision.
		if err := f.store.Decide(f.ctx, f.viewer("redaktor"), id, incident.DecisionDelete); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("editor decided: %v", err)
		}
		if err := f.store.Decide(f.ctx, f.viewer("agare"), id, incident.DecisionDelete); err != nil {
			t.Fatal(err)
		}
		actions, _ = f.store.Actions.ForItem(f.ctx, item)
		if len(actions) != 2 || actions[1].Kind != outbound.KindDelete {
			t.Fatalf("no delete requested: %+v", actions)
		}
	})
}

// TestDeletedBeforeHiddenIsStillPreserved: an item its author deleted
// before Tilltal could hide it is preserved from what arrived, and its
// removal recorded as gone.
func TestDeletedBeforeHiddenIsStillPreserved(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		text := testdata(t, "threat.txt")
		item := f.ingest(post{id: "c1", text: text})
		id, _, err := f.store.Open(f.ctx, incident.OpenRequest{ItemID: item, FromFlags: true})
		if err != nil {
			t.Fatal(err)
		}
		f.advance(5 * time.Minute)
		f.ingest(post{id: "c1", verb: platform.VerbRemove})
		f.advance(5 * time.Minute)
		if err := f.store.Remove(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Preserve(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		i, _ := f.store.Get(f.ctx, f.viewer("jurist"), id)
		if took, ok := i.TimeToRemoval(); !ok || i.Removal != incident.RemovalGone || took != 5*time.Minute {
			t.Fatalf("removal %q after %s", i.Removal, took)
		}
		vt, _ := f.store.Vault(f.ctx, f.viewer("jurist"), id)
		_, data, err := f.store.Part(f.ctx, f.viewer("jurist"), id, vt.Manifest.Parts[0].Position)
		if err != nil || string(data) != text {
			t.Fatalf("text part %q %v", data, err)
		}
		if actions, _ := f.store.Actions.ForItem(f.ctx, item); len(actions) != 0 {
			t.Fatal("a hide was asked for an item already gone")
		}
	})
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func rezip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contains(list []string, prefix string) bool { return countOf(list, prefix) > 0 }

func countOf(list []string, prefix string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// sealedContains tells whether any stored ciphertext of a case holds b.
func sealedContains(t *testing.T, d *db.DB, id int64, b []byte) bool {
	t.Helper()
	rows, err := d.Query(t.Context(), "SELECT sealed FROM incident_evidence WHERE incident_id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sealed []byte
		if err := rows.Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		n++
		if bytes.Contains(sealed, b) {
			return true
		}
	}
	if n == 0 {
		t.Fatal("no evidence stored")
	}
	return false
}
