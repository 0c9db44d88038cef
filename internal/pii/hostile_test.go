package pii

import (
	"os"
	"strings"
	"testing"
)

// TestHostileInput scans input built to hurt a scanner: huge, repetitive,
// binary or malformed. Each must keep the span invariants, and a personnummer
// placed at the end must still be found. A quadratic scanner would make this
// test run for minutes.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	const pnr = "19450112-8278"
	const mb = 1 << 20
	tests := []struct {
		name string
		in   string
	}{
		{"digits", strings.Repeat("1", mb)},
		{"digit groups", strings.Repeat("1 ", mb/2)},
		{"dashed digit groups", strings.Repeat("12-", mb/3)},
		{"phone-like groups", strings.Repeat("070 ", mb/4)},
		{"plus signs", strings.Repeat("+4", mb/2)},
		{"at signs", strings.Repeat("@", mb)},
		{"local parts", strings.Repeat("a@", mb/2)},
		{"dotted domain", "a@" + strings.Repeat("b.", mb/2)},
		{"one long word", strings.Repeat("a", mb)},
		{"one long capitalised word", "A" + strings.Repeat("å", mb/2)},
		{"hyphenated word", strings.Repeat("Anna-", mb/5)},
		{"names", strings.Repeat("Anna ", mb/5)},
		{"streets", strings.Repeat("Storgatan ", mb/10)},
		{"street numbers", strings.Repeat("Storgatan 1 ", mb/12)},
		{"postcodes", strings.Repeat("111 20 ", mb/7)},
		{"control characters", strings.Repeat("\x00\x01\x1b[31m\r\n\t\x7f", mb/10)},
		{"invalid utf-8", strings.Repeat("\xff\xfe\xc3", mb/3)},
		{"cut utf-8 before digits", "\xc3" + "19450112-8278"},
		{"no-break spaces", strings.Repeat("\u00a0", mb/2)},
		{"html", strings.Repeat(`<a href="mailto:x@example.com" onclick="alert(1)">`, mb/50)},
		{"script", "<script>" + strings.Repeat("var a=070;", mb/10) + "</script>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := tc.in + " " + pnr
			fs := Scan(text)
			checkSpans(t, text, fs)
			if len(fs) == 0 || fs[len(fs)-1].Text != pnr || fs[len(fs)-1].Kind != KindPersonnummer {
				t.Fatalf("the personnummer at the end was not found last (%d findings)", len(fs))
			}
			if red := Redact(text, fs); !strings.HasSuffix(red, " [personnummer]") {
				t.Fatalf("Redact did not end with the redacted personnummer")
			}
		})
	}
}

func FuzzScan(f *testing.F) {
	var cases []scanCase
	loadJSON(f, "testdata/scan_cases.json", &cases)
	for _, c := range cases {
		f.Add(c.Text)
	}
	raw, err := os.ReadFile("testdata/comments.txt")
	if err != nil {
		f.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := Scan(text)
		checkSpans(t, text, fs)
		again := Scan(text)
		if len(again) != len(fs) {
			t.Fatalf("Scan is not deterministic: %d then %d findings", len(fs), len(again))
		}
		red := Redact(text, fs)
		for _, f := range fs {
			if f.Personal() && strings.Count(text, f.Text) == 1 && strings.Contains(red, f.Text) {
				t.Fatalf("Redact left %q in place", f.Text)
			}
		}
		ValidPersonnummer(text)
		ValidSamordningsnummer(text)
		ValidOrganisationsnummer(text)
	})
}
