package pii

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

type wantFinding struct {
	Kind string  `json:"kind"`
	Text string  `json:"text"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

type scanCase struct {
	Name string        `json:"name"`
	Text string        `json:"text"`
	Want []wantFinding `json:"want"`
}

func loadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestScanCases(t *testing.T) {
	t.Parallel()
	var cases []scanCase
	loadJSON(t, "testdata/scan_cases.json", &cases)
	if len(cases) < 50 {
		t.Fatalf("only %d cases loaded", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			got := Scan(tc.Text)
			checkSpans(t, tc.Text, got)
			if len(got) != len(tc.Want) {
				t.Fatalf("Scan(%q) = %s, want %d findings", tc.Text, describe(got), len(tc.Want))
			}
			for i, w := range tc.Want {
				g := got[i]
				if g.Kind.String() != w.Kind || g.Text != w.Text {
					t.Errorf("finding %d = %s %q, want %s %q", i, g.Kind, g.Text, w.Kind, w.Text)
				}
				if w.Min > 0 && g.Confidence < w.Min || w.Max > 0 && g.Confidence > w.Max {
					t.Errorf("finding %d %q confidence %.2f, want in [%.2f, %.2f]", i, g.Text, g.Confidence, w.Min, w.Max)
				}
			}
		})
	}
}

// checkSpans asserts the invariants every Scan result keeps.
func checkSpans(t testing.TB, text string, fs []Finding) {
	t.Helper()
	prevEnd := 0
	for _, f := range fs {
		switch {
		case f.Start < prevEnd || f.Start >= f.End || f.End > len(text):
			t.Fatalf("bad span [%d,%d) after %d in text of %d bytes: %s", f.Start, f.End, prevEnd, len(text), describe(fs))
		case f.Text != text[f.Start:f.End]:
			t.Fatalf("Text %q is not text[%d:%d]", f.Text, f.Start, f.End)
		case f.Confidence <= 0 || f.Confidence > 1:
			t.Fatalf("confidence %v out of range", f.Confidence)
		case f.Reason == "" || f.Kind.String() == "okänd":
			t.Fatalf("finding without kind or reason: %+v", f)
		}
		prevEnd = f.End
	}
}

func describe(fs []Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s %q (%.2f)", f.Kind, f.Text, f.Confidence)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
