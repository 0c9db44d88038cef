package score

import (
	"slices"
	"testing"

	"tilltal/internal/moderation/token"
)

// TestRuleExamples checks every rule against the examples and counters
// written beside it in the rules file: an example must be matched by its
// rule at full weight, a counter must not be (a negated or quoted match is
// fine).
func TestRuleExamples(t *testing.T) {
	t.Parallel()
	rs := theRules
	for i, r := range rs.rules {
		t.Run(r.id, func(t *testing.T) {
			t.Parallel()
			for _, ex := range r.examples {
				if !fullHit(rs, int32(i), ex) {
					t.Errorf("line %d: example not matched: %q", r.line, ex)
				}
			}
			for _, ex := range r.counters {
				if fullHit(rs, int32(i), ex) {
					t.Errorf("line %d: counter matched: %q", r.line, ex)
				}
			}
		})
	}
}

func fullHit(rs *ruleSet, rule int32, text string) bool {
	for _, h := range newMatcher(rs, token.Split(text)).scan() {
		if h.rule == rule && h.factor == 1 {
			return true
		}
	}
	return false
}

// TestPlainSpelling checks that the rules match words written without å,
// ä and ö ("jag ska morda dig"), and that a respelling that is a word of
// its own ("våra" as "vara", "bränn" as "brann") or too short to tell
// ("dö" as "do") is not made.
func TestPlainSpelling(t *testing.T) {
	t.Parallel()
	rule := func(id string) int32 {
		for i, r := range theRules.rules {
			if r.id == id {
				return int32(i)
			}
		}
		t.Fatalf("no rule %s", id)
		return -1
	}
	for text, id := range map[string]string{
		"jag ska morda dig":             "threat.kill",
		"jag ska skara halsen av dig":   "threat.kill",
		"vi ska branna ner kommunhuset": "threat.hurt",
		"du kommer att angra dig":       "threat.regret",
	} {
		if !fullHit(theRules, rule(id), text) {
			t.Errorf("%q: %s does not match", text, id)
		}
	}
	got := plainForms([]form{{exact, "döda"}, {exact, "våra"}, {exact, "bränn"}, {exact, "dö"}, {prefix, "mörd"}, {exact, "doda"}, {special, "#emoji"}})
	want := []form{{prefix, "mord"}}
	if !slices.Equal(got, want) {
		t.Errorf("plainForms = %v, want %v", got, want)
	}
}
