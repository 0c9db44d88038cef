package sim

import (
	"testing"
	"time"

	"tilltal/internal/moderation/score"
	"tilltal/internal/platform"
)

// TestOrdinaryTrafficRarelyFlagged runs the moderation classifier over the
// sim's ordinary traffic — questions, praise, complaints, rumours, private
// messages, replies and the municipality's own posts — and checks that
// hardly any of it is flagged for review: a classifier tuned for recall on
// threats must not fill the review queue with everyday comments. The sim's
// threats must still be flagged.
func TestOrdinaryTrafficRarelyFlagged(t *testing.T) {
	t.Parallel()
	ordinary, flagged, threats, caught := 0, 0, 0, 0
	for _, p := range []platform.Name{platform.Facebook, platform.Instagram} {
		for seed := range uint64(3) {
			g := gen{platform: p, account: "exempelby", seed: seed + 1, start: start, interval: time.Second}
			for k := range 1500 {
				it := g.item(k)
				res := score.Classify(it.obj.Text)
				switch it.cat {
				case CatThreat:
					threats++
					if len(res.Flags) > 0 {
						caught++
					}
				case CatPersonnr, CatPhone:
					// Personal data may rightly be flagged next to hostile words.
				default:
					ordinary++
					if len(res.Flags) > 0 {
						flagged++
						t.Logf("flagged %v: %q", res.Flags, it.obj.Text)
					}
				}
			}
		}
	}
	t.Logf("%d of %d ordinary items flagged; %d of %d threats", flagged, ordinary, caught, threats)
	if ordinary < 5000 || float64(flagged) > 0.005*float64(ordinary) {
		t.Errorf("%d of %d ordinary items flagged, more than 0.5%%", flagged, ordinary)
	}
	if threats == 0 || caught < threats*9/10 {
		t.Errorf("%d of %d of the sim's threats and hate flagged", caught, threats)
	}
}
