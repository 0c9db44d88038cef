package score

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

type flagCase struct {
	Name  string     `json:"name"`
	Text  string     `json:"text"`
	Flags []Category `json:"flags"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestClassifyFlags checks the flags of every category, with negation,
// reported speech and the false-positive traps of each category.
func TestClassifyFlags(t *testing.T) {
	t.Parallel()
	var cases []flagCase
	readJSON(t, "testdata/cases.json", &cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			res := Classify(c.Text)
			if !slices.Equal(res.Flags, c.Flags) && !(len(res.Flags) == 0 && len(c.Flags) == 0) {
				b, _ := json.Marshal(res.Reasons)
				t.Fatalf("Classify(%q) flags %v, want %v\nscores %v\nreasons %s", c.Text, res.Flags, c.Flags, res.Scores, b)
			}
			for _, f := range res.Flags {
				if len(res.Reasons[f]) == 0 {
					t.Errorf("flag %s has no reason", f)
				}
			}
		})
	}
}

// TestReasonSpans checks, over every text of the test sets, that each
// reason points at what it says it matched, in code points.
func TestReasonSpans(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"data/eval.jsonl", "testdata/tuning.jsonl", "testdata/tuning2.jsonl", "testdata/dev.jsonl"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var l Labelled
			if err := json.Unmarshal([]byte(line), &l); err != nil {
				t.Fatal(err)
			}
			checkResult(t, l.Text, Classify(l.Text))
		}
	}
}

// checkResult checks what must hold for every result: scores in [0, 1],
// flags at or above the threshold, spans inside the text and matching it.
func checkResult(t *testing.T, text string, res Result) {
	t.Helper()
	runes := []rune(text)
	n := utf8.RuneCountInString(text)
	for c, s := range res.Scores {
		if !(s >= 0 && s <= 1) {
			t.Fatalf("%q: score %s = %v", text, Category(c), s)
		}
	}
	for _, f := range res.Flags {
		if res.Scores[f] < Threshold(f) {
			t.Fatalf("%q: flagged %s below the threshold", text, f)
		}
	}
	for c, rs := range res.Reasons {
		for _, r := range rs {
			if r.Start < 0 || r.End < r.Start || r.End > n {
				t.Fatalf("%q: %s reason %s span %d-%d outside 0-%d", text, c, r.Rule, r.Start, r.End, n)
			}
			// Compared as code points: invalid UTF-8 in the text is one
			// U+FFFD per byte on both sides.
			if r.Match != "" && string(runes[r.Start:r.End]) != string([]rune(r.Match)) {
				t.Fatalf("%q: %s reason %s: span %d-%d is %q, match says %q", text, c, r.Rule, r.Start, r.End, string(runes[r.Start:r.End]), r.Match)
			}
			if r.Weight < 0 || r.Weight > 1 || r.Why == "" || r.Rule == "" {
				t.Fatalf("%q: bad reason %+v", text, r)
			}
		}
	}
	if s := res.Sentiment; s.Score < 0 || s.Score > 1 || s.Polarity < -1 || s.Polarity > 1 {
		t.Fatalf("%q: sentiment %+v", text, s)
	}
	if q := res.Question; q.Score < 0 || q.Score > 1 {
		t.Fatalf("%q: question %+v", text, q)
	}
}

func TestSentiment(t *testing.T) {
	t.Parallel()
	cases := []struct{ text, want string }{
		{"Tack för hjälpen!", Positive},
		{"Vad fint det blev ❤️", Positive},
		{"Bra jobbat med nya lekplatsen", Positive},
		{"Toppen, tack för snabbt svar!", Positive},
		{"Jättebra initiativ", Positive},
		{"Skandal att snöröjningen inte kommit, skärp er!", Negative},
		{"Vilken katastrof", Negative},
		{"Tack för inget", Negative},
		{"Det var inte bra alls", Negative},
		{"Skolmaten är dålig", Negative},
		{"När öppnar badhuset?", Neutral},
		{"Jag bor på Storgatan", Neutral},
		{"Jag ska döda dig, tack", Negative},
	}
	for _, c := range cases {
		if got := Classify(c.text).Sentiment; got.Label != c.want {
			t.Errorf("%q: sentiment %+v, want %s", c.text, got, c.want)
		}
	}
}

func TestQuestion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		want bool
	}{
		{"När öppnar badhuset?", true},
		{"Hur ansöker man om bygglov", true},
		{"Kan ni laga gatlampan på Björkvägen", true},
		{"Jag undrar om biblioteket är öppet på söndag", true},
		{"Finns det plats på förskolan i höst?", true},
		{"Tack för hjälpen!", false},
		{"Skandal att snöröjningen inte kommit, skärp er!", false},
		{"Vi har varit på badhuset idag", false},
		{"Se https://exempel.se/?fråga=1", false},
	}
	for _, c := range cases {
		if got := Classify(c.text).Question; got.IsQuestion != c.want {
			t.Errorf("%q: question %+v, want %v", c.text, got, c.want)
		}
	}
}

// TestEvaluationSplit guards the quality measured on the shipped
// evaluation split against regressions. The target is a recall of
// at least 0.9 for threats and hate at the flag threshold. The split's
// first measurement gave 0.85 for threats (testdata/eval-first-measurement.txt);
// the classifier was then improved on fresh dev splits and the training
// data only, and measures 0.90 for threats (precision 0.90) and 0.99 for
// hate (precision 1.00): see testdata/dev-measurements.txt. A threat that
// is no longer caught fails this test.
func TestEvaluationSplit(t *testing.T) {
	t.Parallel()
	rep, err := Evaluate(EvaluationSet())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteTable(&b)
	t.Log("\n" + b.String())
	for c, cnt := range rep.Categories {
		cat := Category(c)
		if cnt.Positives < 40 {
			t.Errorf("%s: only %d labelled texts", cat, cnt.Positives)
		}
		if p := cnt.Precision(); p < 0.85 {
			t.Errorf("%s: precision %.2f", cat, p)
		}
		if r := cnt.Recall(); r < 0.85 {
			t.Errorf("%s: recall %.2f", cat, r)
		}
	}
	// The target, and the precision reached less a margin of 0.05.
	for c, floor := range map[Category]struct{ recall, precision float64 }{Threat: {0.9, 0.85}, Hate: {0.9, 0.95}} {
		if r := rep.Categories[c].Recall(); r < floor.recall {
			t.Errorf("%s: recall %.2f, below %.2f", c, r, floor.recall)
		}
		if p := rep.Categories[c].Precision(); p < floor.precision {
			t.Errorf("%s: precision %.2f, below %.2f", c, p, floor.precision)
		}
	}
	if rep.Harmless < 200 || float64(rep.FalseAlarm)/float64(rep.Harmless) > 0.05 {
		t.Errorf("%d of %d harmless texts flagged", rep.FalseAlarm, rep.Harmless)
	}
}

// TestScoresJSON checks the wire format of scores: every category by name.
func TestScoresJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Classify("Jag ska döda dig"))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Scores Scores     `json:"scores"`
		Flags  []Category `json:"flags"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Scores[Threat] < 0.9 || !slices.Equal(back.Flags, []Category{Threat}) {
		t.Fatalf("round trip: %s", b)
	}
	for _, c := range Categories() {
		if !strings.Contains(string(b), `"`+c.String()+`":`) {
			t.Errorf("no score for %s in %s", c, b)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Jag ska döda dig", "j a g  s k a  d ö d a", "Hans personnummer är 19850101-2382, jävla svin", "\xff\xfe\x00", "dö💀da 🔪", "https://thepiratebay.org/x?y", `"citat" "`, strings.Repeat("a ", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkResult(t, s, Classify(s))
	})
}
