package replycheck

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

var validKinds = map[Kind]bool{
	KindPersonnummer: true, KindSamordningsnummer: true, KindInterim: true, KindPhone: true,
	KindEmail: true, KindAddress: true, KindName: true, KindQuoteWithoutLink: true,
	KindSpeculation: true, KindTone: true, KindReadability: true,
}

// FuzzCheck: whatever the text, Check does not panic, and every finding
// lies within the text's code points, is known and explained.
func FuzzCheck(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(c.Text, strings.Join(c.ThreadTexts, "\n"), strings.Join(c.SignOffs, ""))
	}
	f.Add("\xff\xfe»\"”<namn", "Anna <b", "<")
	f.Add("§§ 1 ”\n\n” 🇸🇪🇸\u200d", "", "/Förnamn")
	f.Fuzz(func(t *testing.T, text, thread, signOff string) {
		in := Input{Text: text, ThreadTexts: []string{thread}, ThreadAuthors: []string{thread},
			Rules: Rules{SignOffs: []string{signOff}}, Allow: []string{thread}}
		n := utf8.RuneCountInString(text)
		for _, fd := range Check(context.Background(), in) {
			if fd.Start < 0 || fd.Start > fd.End || fd.End > n {
				t.Fatalf("%s finding [%d, %d) outside [0, %d]", fd.Kind, fd.Start, fd.End, n)
			}
			if !validKinds[fd.Kind] || fd.Severity != Block && fd.Severity != Warn || fd.Message == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}
