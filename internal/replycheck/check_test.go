package replycheck

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// checkCase is one row of testdata/cases.json: a reply, its context and
// every finding it must give, as kind, severity and the text it covers.
type checkCase struct {
	Name          string   `json:"name"`
	Text          string   `json:"text"`
	ThreadTexts   []string `json:"thread_texts"`
	ThreadAuthors []string `json:"thread_authors"`
	SignOffs      []string `json:"sign_offs"`
	Allow         []string `json:"allow"`
	Want          []struct {
		Kind     Kind     `json:"kind"`
		Severity Severity `json:"severity"`
		Text     string   `json:"text"`
	} `json:"want"`
}

func (c checkCase) input() Input {
	return Input{Text: c.Text, ThreadTexts: c.ThreadTexts, ThreadAuthors: c.ThreadAuthors,
		Rules: Rules{SignOffs: c.SignOffs}, Allow: c.Allow}
}

func loadCases(t testing.TB) []checkCase {
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []checkCase
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// describe renders findings as "kind/severity:text" with the text cut out
// by code points, so that wrong offsets show up as wrong text.
func describe(text string, fs []Finding) []string {
	rs := []rune(text)
	out := []string{}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s/%s:%s", f.Kind, f.Severity, string(rs[f.Start:f.End])))
	}
	return out
}

func TestCheckCases(t *testing.T) {
	t.Parallel()
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			got := Check(context.Background(), c.input())
			want := []string{}
			for _, w := range c.Want {
				want = append(want, fmt.Sprintf("%s/%s:%s", w.Kind, w.Severity, w.Text))
			}
			if g := describe(c.Text, got); !slices.Equal(g, want) {
				t.Errorf("findings\n got %q\nwant %q", g, want)
			}
			for _, f := range got {
				if f.Message == "" {
					t.Errorf("%s has no message", f.Kind)
				}
			}
		})
	}
}

// TestCodePointOffsets pins offsets by hand: letters outside ASCII, emoji
// with a skin tone and invalid UTF-8 before a finding each count as one
// code point per character, not by their bytes.
func TestCodePointOffsets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		text       string
		start, end int
	}{
		// "Åsa," 0-3, space 4, "öppna" 5-9, space 10, 😀 11, 👍 12, 🏽 13,
		// space 14, "här:" 15-18, space 19: the number is 20-31.
		{"Swedish letters and emoji", "Åsa, öppna 😀👍🏽 här: 800102-2394", 20, 31},
		{"ASCII only", "Nummer: 800102-2394", 8, 19},
		// Two invalid bytes count one code point each, then a space.
		{"invalid UTF-8", "\xff\xfe 800102-2394", 3, 14},
		// "ÅÄÖ åäö " is 8 code points (16 bytes in UTF-8).
		{"at the end after letters", "ÅÄÖ åäö 800102-2394", 8, 19},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := Check(context.Background(), Input{Text: tt.text})
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.Kind == KindPersonnummer })
			if i < 0 {
				t.Fatalf("no personnummer in %q: %v", tt.text, fs)
			}
			if fs[i].Start != tt.start || fs[i].End != tt.end {
				t.Errorf("span = [%d, %d), want [%d, %d)", fs[i].Start, fs[i].End, tt.start, tt.end)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string
	}{
		{"clean text is an empty array", "Tack för din fråga!", `[]`},
		{"finding", "Ring 070-174 06 05", `[{"kind":"phone","start":5,"end":18,"severity":"block","message":"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(Check(context.Background(), Input{Text: tt.text}))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), tt.want) {
				t.Errorf("JSON = %s, want it to start with %s", b, tt.want)
			}
		})
	}
}

func TestBlocking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"Ditt personnummer 800102-2394 syns.", true},
		{"Ditt personnummer 800102-2395 syns.", false},
		{"Jag tror att det stämmer.", false},
	}
	for _, tt := range tests {
		if got := Blocking(Check(context.Background(), Input{Text: tt.text})); got != tt.want {
			t.Errorf("Blocking(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestCancelled shows that a cancelled check stops early instead of
// scanning a long thread.
func TestCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fs := Check(ctx, Input{Text: "Jag tror att Erik Svensson vet.", ThreadTexts: []string{"Erik Svensson"}})
	if slices.ContainsFunc(fs, func(f Finding) bool { return f.Kind == KindSpeculation }) {
		t.Errorf("cancelled check ran every rule: %v", fs)
	}
}
