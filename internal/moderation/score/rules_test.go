package score

import (
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
