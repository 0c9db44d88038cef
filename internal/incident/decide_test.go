package incident

import (
	"tilltal/internal/pdfdoc"

	"testing"

	"tilltal/internal/moderation/score"
)

// TestDecide: the strongest action of the rules whose score is reached
// wins; a case goes to the highest-scoring criminal category whose rule
// opens one.
func TestDecide(t *testing.T) {
	t.Parallel()
	scores := func(kv map[score.Category]float64) score.Result {
		var r score.Result
		for c, v := range kv {
			r.Scores[c] = v
		}
		return r
	}
	rules := []Rule{
		{Category: score.Threat, Action: ActionNotify, MinScore: 0.5},
		{Category: score.Hate, Action: ActionHide, MinScore: 0.7, OpenCase: true},
		{Category: score.Harassment, Action: ActionHide, MinScore: 0.5},
		{Category: score.Violence, Action: ActionFlag, MinScore: 0.5, OpenCase: true},
	}
	cases := []struct {
		name    string
		res     score.Result
		matched bool
		want    decision
	}{
		{"nothing reached", scores(map[score.Category]float64{score.Threat: 0.4}), false, decision{}},
		{"notify", scores(map[score.Category]float64{score.Threat: 0.9}), true, decision{action: ActionNotify, category: score.Threat, score: 0.9}},
		{"hide beats notify", scores(map[score.Category]float64{score.Threat: 0.9, score.Harassment: 0.6}), true, decision{action: ActionHide, category: score.Threat, score: 0.9}},
		{"case on hate", scores(map[score.Category]float64{score.Threat: 0.95, score.Hate: 0.8}), true, decision{action: ActionHide, openCase: true, category: score.Hate, score: 0.8}},
		{"case to the higher of two", scores(map[score.Category]float64{score.Hate: 0.75, score.Violence: 0.9}), true, decision{action: ActionHide, openCase: true, category: score.Violence, score: 0.9}},
		{"a flag rule may open a case", scores(map[score.Category]float64{score.Violence: 0.6}), true, decision{action: ActionFlag, openCase: true, category: score.Violence, score: 0.6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := decide(rules, tc.res)
			if ok != tc.matched || got != tc.want {
				t.Fatalf("got %+v %v, want %+v %v", got, ok, tc.want, tc.matched)
			}
		})
	}
}

// TestPrintable: what the PDF cannot draw or must not obey is dropped or
// replaced, the rest kept.
func TestPrintable(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"Åsa Öberg på Ängsvägen", "Åsa Öberg på Ängsvägen"},
		{"rad ett\nrad två\tflik", "rad ett\nrad två flik"},
		{"\u202egnalb\u202c dold", "gnalb dold"},
		{"noll\x00byte\x07", "nollbyte"},
		{"hot 🔪", "hot ?"},
	}
	for _, tc := range cases {
		if got := pdfdoc.Printable(tc.in); got != tc.want {
			t.Errorf("pdfdoc.Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReportNumbers: the police's numbers are accepted as people write
// them and stored one way; anything else is refused.
func TestReportNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"K123456-26", "K123456-26", true},
		{"5000-k 123456-26", "5000-K123456-26", true},
		{"k42", "K42", true},
		{"123456-26", "", false},
		{"K-", "", false},
		{"K123<script>", "", false},
	}
	for _, tc := range cases {
		got, err := NormaliseReportNumber(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormaliseReportNumber(%q) = %q, %v", tc.in, got, err)
		}
	}
}
