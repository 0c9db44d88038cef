package release_test

import (
	"encoding/json"
	"testing"

	"tilltal/internal/archive"
	"tilltal/internal/release"
)

// TestApplyCountsCodePoints: spans are code points, so text with
// multi-byte letters and emoji is cut where the registrar saw it.
func TestApplyCountsCodePoints(t *testing.T) {
	t.Parallel()
	text := "Åsa 👋 bor på Ängsvägen 3 i Öby."
	got := release.Apply(text, []release.Redaction{{Seq: 1, Start: 13, End: 24, Ground: "OSL 21 kap. 3 §"}, {Seq: 1, Start: 0, End: 3, Ground: "OSL 21 kap. 7 §"}})
	want := "█████ (OSL 21 kap. 7 §) 👋 bor på █████ (OSL 21 kap. 3 §) i Öby."
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// TestSuggestSecretRecordAndPersonalData: a record of the secrecy class is
// suggested whole on its own ground; personal data is suggested at its
// code-point span; a suggestion a redaction covers is marked done.
func TestSuggestSecretRecordAndPersonalData(t *testing.T) {
	t.Parallel()
	text := "Är 🙂 ni säkra? Mitt personnummer är 19580404-3643."
	content, _ := json.Marshal(map[string]string{"text": text})
	sel := release.Selected{Seq: 7, Record: archive.Record{Seq: 7, Kind: archive.KindItemVersion, ContentType: archive.ContentJSON, Content: content,
		Secret: true, SecrecyGround: "OSL 26 kap. 1 §"}}
	got := release.Suggest(sel, []release.Redaction{{Seq: 7, Start: 36, End: 49, Ground: "OSL 21 kap. 7 §"}})
	var secret, pnr bool
	for _, s := range got {
		switch s.Kind {
		case "sekretess":
			secret = s.Start == 0 && s.End == sel.Length() && s.Ground == "OSL 26 kap. 1 §" && !s.Redacted
		case "personnummer":
			pnr = string([]rune(text)[s.Start:s.End]) == "19580404-3643" && s.Redacted
		}
	}
	if !secret || !pnr {
		t.Fatalf("suggestions: %+v", got)
	}
}
