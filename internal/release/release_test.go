package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/release"
)

const (
	pnr      = "19580404-3643"
	secretMD = "Min son har diagnosen ADHD och går på Solrosens förskola"
	comment1 = "Hej! Jag heter Åsa Öberg och mitt personnummer är " + pnr + ". " + secretMD + ". När öppnar badhuset igen?"
	comment2 = "Badhuset är stängt hela mars, det är en skandal."
)

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRedactionOutsideTextIsRefused: a span before the text, past its end,
// empty, reversed, or overlapping a redaction already made is refused with
// a Swedish message, and nothing changes: no redaction, no audit entry.
func TestRedactionOutsideTextIsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		_, seq := f.comment(t, "c1", "Åsa Öberg", comment2)
		req := f.open(t)
		if err := f.s.Select(ctx, req.ID, []int64{seq}); err != nil {
			t.Fatal(err)
		}
		n := utf8.RuneCountInString(comment2)
		if _, err := f.s.Redact(ctx, req.ID, seq, 0, 7, "OSL 21 kap. 7 §"); err != nil {
			t.Fatal(err)
		}
		before := count(t, d, "SELECT COUNT(*) FROM audit_log")
		for _, c := range []struct {
			name       string
			start, end int
			ground     string
			want       string
		}{
			{"before the start", -1, 3, "OSL 21 kap. 7 §", "före textens början"},
			{"past the end", 10, n + 1, "OSL 21 kap. 7 §", "efter textens slut"},
			{"empty", 9, 9, "OSL 21 kap. 7 §", "sluta efter att den börjat"},
			{"reversed", 12, 9, "OSL 21 kap. 7 §", "sluta efter att den börjat"},
			{"overlapping", 5, 12, "OSL 21 kap. 7 §", "överlappar"},
			{"no ground", 10, 12, "  ", "rättsliga grunden"},
		} {
			_, err := f.s.Redact(ctx, req.ID, seq, c.start, c.end, c.ground)
			if err == nil || !strings.Contains(apperr.Message(err), c.want) {
				t.Errorf("%s: got %v, want a message with %q", c.name, err, c.want)
			}
			if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
				t.Errorf("%s: kind %v", c.name, k)
			}
		}
		if _, err := f.s.RedactPassage(ctx, req.ID, seq, "simhallen", "OSL 21 kap. 7 §"); err == nil || !strings.Contains(apperr.Message(err), "finns inte") {
			t.Errorf("absent passage: %v", err)
		}
		rs, err := f.s.Redactions(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Start != 0 || rs[0].End != 7 {
			t.Fatalf("redactions changed: %+v", rs)
		}
		if after := count(t, d, "SELECT COUNT(*) FROM audit_log"); after != before {
			t.Fatalf("refused redactions wrote %d audit entries", after-before)
		}
		// The span up to the last code point is inside.
		if _, err := f.s.Redact(ctx, req.ID, seq, n-1, n, "OSL 21 kap. 7 §"); err != nil {
			t.Fatalf("last character: %v", err)
		}
		// Once the first redaction is removed the overlapping span fits.
		if err := f.s.Unredact(ctx, req.ID, rs[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Redact(ctx, req.ID, seq, 5, 12, "OSL 21 kap. 7 §"); err != nil {
			t.Fatalf("after removal: %v", err)
		}
		// Taking the record out of the selection takes its redactions too.
		if err := f.s.Unselect(ctx, req.ID, seq); err != nil {
			t.Fatal(err)
		}
		if left := count(t, d, "SELECT COUNT(*) FROM release_redactions WHERE request_id = ?", req.ID); left != 0 {
			t.Fatalf("%d redactions left after unselecting", left)
		}
		if _, err := f.s.Redact(ctx, req.ID, seq, 0, 3, "OSL 21 kap. 7 §"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("redacting an unselected record: %v", err)
		}
	})
}

// TestReleasedBundleHoldsNoRedactedText is the "done when": the
// bundle of a partly refused request contains none of what was masked or
// withheld in any file — HTML, JSON, checksums, file names, and the text
// the PDFs draw — while the released text and the markers are there; the
// archive records are unchanged and the chain verifies.
func TestReleasedBundleHoldsNoRedactedText(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		item1, seq1 := f.comment(t, "c1", "Åsa Öberg", comment1)
		_, seq2 := f.comment(t, "c2", "Kalle Karlsson", comment2)
		withheldText := "Grannen på Ekvägen 12 slår sina barn, gör något!"
		_, seq3 := f.comment(t, "c3", "Anonym Anmälare", withheldText)
		attSeq := f.attachment(t, item1, seq1, "Foto på Åsa Öberg vid entrén", "https://cdn.example/foto-asa-oberg.jpg")
		itemQ, seqQ := f.comment(t, "c4", "Okänd Avsändare", "Titta här")
		attQ := f.attachment(t, itemQ, seqQ, "Karantänbild ohyggligt", "https://cdn.example/karantan-ohygglig.jpg")
		archived := f.records(t)

		req := f.open(t)
		if req.DiaryNumber == "" || req.Status != release.Received {
			t.Fatalf("opened: %+v", req)
		}
		if err := f.s.Select(ctx, req.ID, []int64{seq1, seq2, seq3, attSeq, attQ}); err != nil {
			t.Fatal(err)
		}
		// The attachment is quarantined after it was selected: it and its
		// metadata must still never leave.
		f.quarantine(t, itemQ)
		if err := f.s.Select(ctx, req.ID, []int64{attQ}); err == nil || !strings.Contains(apperr.Message(err), "karantän") {
			t.Fatalf("selecting quarantined media: %v", err)
		}

		recs, err := f.s.Records(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sel1 release.Selected
		for _, x := range recs {
			if x.Seq == seq1 {
				sel1 = x
			}
		}
		// The suggestions find the personnummer at its code-point span.
		var pnrSpan *release.Suggestion
		for _, s := range release.Suggest(sel1, nil) {
			if s.Kind == "personnummer" {
				pnrSpan = &s
			}
		}
		if pnrSpan == nil {
			t.Fatalf("no personnummer suggested: %+v", release.Suggest(sel1, nil))
		}
		if got := string([]rune(comment1)[pnrSpan.Start:pnrSpan.End]); got != pnr {
			t.Fatalf("suggested span %q", got)
		}
		if _, err := f.s.Redact(ctx, req.ID, seq1, pnrSpan.Start, pnrSpan.End, pnrSpan.Ground); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RedactPassage(ctx, req.ID, seq1, "Åsa Öberg", "OSL 21 kap. 7 §"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RedactPassage(ctx, req.ID, seq1, secretMD, "OSL 23 kap. 2 §"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RedactPassage(ctx, req.ID, attSeq, "Åsa Öberg", "OSL 21 kap. 7 §"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Withhold(ctx, req.ID, seq1, release.Withholding{Author: true, AuthorGround: "OSL 21 kap. 7 §"}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Withhold(ctx, req.ID, seq3, release.Withholding{Record: true, RecordGround: "OSL 26 kap. 1 §"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Granted}); err == nil {
			t.Fatal("a release in full with redactions was accepted")
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.PartlyRefused}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Redact(ctx, req.ID, seq2, 0, 3, "OSL 21 kap. 7 §"); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("redaction after the decision: %v", err)
		}
		b, err := f.s.Release(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		files := unzip(t, b.Data)
		for _, want := range []string{"index.html", "handlingar.pdf", "beslut.html", "beslut.pdf", "manifest.json", "SHA256SUMS"} {
			if files[want] == nil {
				t.Fatalf("bundle lacks %s: %v", want, b.Files)
			}
		}

		secrets := []string{pnr, "Åsa Öberg", "Åsa", secretMD, "ADHD", "Solrosens", withheldText, "Ekvägen", "fb-user-c1",
			"Karantänbild", "karantan-ohygglig", "comment_id=c1", "Okänd Avsändare"}
		for name, data := range files {
			for _, s := range secrets {
				if strings.Contains(name, s) {
					t.Errorf("file name %s holds %q", name, s)
				}
				if !strings.HasSuffix(name, ".pdf") && (bytes.Contains(data, []byte(s)) || bytes.Contains(data, []byte(jsonEscaped(s)))) {
					t.Errorf("%s holds %q", name, s)
				}
			}
			if strings.HasSuffix(name, ".pdf") {
				texts := pdfTexts(t, data)
				all := strings.Join(texts, "\n")
				for _, s := range secrets {
					if strings.Contains(squeeze(all), squeeze(s)) {
						t.Errorf("%s draws %q", name, s)
					}
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s holds %q in its bytes", name, s)
					}
				}
				// The extraction works: it reads what was released.
				want := "badhuset"
				if name == "beslut.pdf" {
					want = "kammarrätten"
				}
				if !strings.Contains(all, want) || (name == "handlingar.pdf" && !strings.Contains(all, "█████ (OSL 21 kap. 7 §)")) {
					t.Errorf("%s: extracted text lacks %q or the marker:\n%s", name, want, all)
				}
			}
		}
		page := string(files["handlingar/handling-"+itoa(seq1)+".html"])
		for _, want := range []string{"█████ (OSL 21 kap. 7 §)", "█████ (OSL 23 kap. 2 §)", "När öppnar badhuset igen?", sel1.Record.Hash} {
			if !strings.Contains(page, want) {
				t.Errorf("record page lacks %q:\n%s", want, page)
			}
		}
		if files["handlingar/handling-"+itoa(seq3)+".html"] != nil || files["handlingar/handling-"+itoa(attQ)+".html"] != nil {
			t.Error("a withheld or quarantined record was released")
		}
		if !strings.Contains(string(files["handlingar/handling-"+itoa(seq2)+".html"]), "Kalle Karlsson") {
			t.Error("an author not withheld is missing")
		}
		// The manifest's checksums are the files'.
		var m struct {
			Files []struct{ Name, SHA256 string }
		}
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Files) != len(files)-2 {
			t.Fatalf("manifest lists %d of %d files", len(m.Files), len(files))
		}
		for _, mf := range m.Files {
			if sha(files[mf.Name]) != mf.SHA256 {
				t.Errorf("manifest checksum of %s is wrong", mf.Name)
			}
		}

		got, err := f.s.Get(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != release.Released || got.BundleSHA256 != b.SHA256 {
			t.Fatalf("after release: %+v", got)
		}
		for _, action := range []string{"release.open", "release.select", "release.redact", "release.withhold", "release.decide", "release.release"} {
			if count(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_id = ?", action, itoa(req.ID)) == 0 {
				t.Errorf("no audit entry %s", action)
			}
		}
		// The audit log never repeats what was masked.
		if n := count(t, d, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE ? OR detail LIKE ?", "%"+pnr+"%", "%"+pnr+"%"); n != 0 {
			t.Errorf("the audit log holds the personnummer %d times", n)
		}
		after := f.records(t)
		for seq, v := range archived {
			if after[seq] != v {
				t.Errorf("archive record %d changed", seq)
			}
		}
		rep, err := archive.Verify(ctx, d)
		if err != nil || !rep.OK() {
			t.Fatalf("archive verify after release: %v %+v", err, rep.Problems)
		}
	})
}

// TestLeakStopsRelease: a masked name still standing in another released
// record stops the release with a message naming where, and nothing is
// recorded as released.
func TestLeakStopsRelease(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		_, seq1 := f.comment(t, "c1", "Åsa Öberg", "Ring Bertil Bengtsson om saken.")
		_, seq2 := f.comment(t, "c2", "Kalle Karlsson", "Bertil Bengtsson har fel.")
		req := f.open(t)
		if err := f.s.Select(ctx, req.ID, []int64{seq1, seq2}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RedactPassage(ctx, req.ID, seq1, "Bertil Bengtsson", "OSL 21 kap. 7 §"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.PartlyRefused}); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.Release(ctx, req.ID)
		if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(apperr.Message(err), "handling "+itoa(seq1)) || strings.Contains(apperr.Message(err), "Bertil") {
			t.Fatalf("leak: %v", err)
		}
		if got, _ := f.s.Get(ctx, req.ID); got.Status != release.Decided || got.BundleSHA256 != "" {
			t.Fatalf("a stopped release was recorded: %+v", got)
		}
	})
}

// TestRefusalHasAppealNotice: a refused request gets a decision citing its
// grounds with the besvärshänvisning (kammarrätten, sent to the
// municipality, three weeks, what to write), in HTML and PDF, and nothing
// else is released.
func TestRefusalHasAppealNotice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		_, seq := f.comment(t, "c1", "Åsa Öberg", "Min dotter på Solrosens förskola mår dåligt.")
		req, err := f.s.Open(ctx, release.Open{Anonymous: true, RequesterName: "ska inte sparas", ReceivedAt: t0, Subject: "Kommentarer om förskolan", Register: true, DepartmentID: 1})
		if err != nil {
			t.Fatal(err)
		}
		if req.RequesterName != "" || req.Requester() != "Anonym sökande" {
			t.Fatalf("anonymous requester kept a name: %+v", req)
		}
		if err := f.s.Select(ctx, req.ID, []int64{seq}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Refused}); err == nil || !strings.Contains(apperr.Message(err), "rättsliga grunden") {
			t.Fatalf("a refusal without a ground: %v", err)
		}
		if _, err := f.s.Decide(ctx, req.ID, release.Decision{Outcome: release.Refused, Grounds: "OSL 23 kap. 2 §", Reasoning: "Uppgifterna rör ett barn i förskolan."}); err != nil {
			t.Fatal(err)
		}
		doc, err := f.s.Decision(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		html, err := release.DecisionHTML(doc)
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := release.DecisionPDF(doc)
		if err != nil {
			t.Fatal(err)
		}
		pdfText := strings.Join(pdfTexts(t, pdf), "\n")
		for _, want := range []string{"avslå begäran", "OSL 23 kap. 2 §", "kammarrätten", "Exempelby kommun", "inom tre veckor från den dag du fick del av beslutet",
			"inte till kammarrätten", "hur du vill att beslutet ska ändras", req.DiaryNumber, "Anonym sökande", "Handling " + itoa(seq) + " lämnas inte ut"} {
			if !strings.Contains(string(html), want) {
				t.Errorf("decision HTML lacks %q", want)
			}
			if !strings.Contains(squeeze(pdfText), squeeze(want)) {
				t.Errorf("decision PDF lacks %q", want)
			}
		}
		b, err := f.s.Release(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		files := unzip(t, b.Data)
		if files["beslut.pdf"] == nil || files["handlingar/handling-"+itoa(seq)+".html"] != nil {
			t.Fatalf("refusal bundle: %v", b.Files)
		}
		for name, data := range files {
			if bytes.Contains(data, []byte("Solrosens")) {
				t.Errorf("%s holds the refused record's text", name)
			}
		}
		if got, _ := f.s.Get(ctx, req.ID); got.Status != release.Decided {
			t.Fatalf("a refusal became %s", got.Status)
		}
	})
}

func itoa(n int64) string { return strconvItoa(n) }

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
