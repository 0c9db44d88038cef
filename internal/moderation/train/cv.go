package main

import (
	"fmt"
	"hash/fnv"
	"io"

	"tilltal/internal/moderation/score"
)

// folds is the number of parts of the cross-validation.
const folds = 5

// sweep are the operating points of the threat and hate heads that the
// cross-validation compares: the probability from which the model flags
// alone.
var sweep = []float64{0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9}

// labelled reports whether a text is a comment labelled by hand for every
// category: those are what the whole classifier is measured on.
func labelled(t text) bool { return t.source == "own" || t.source == "tuning" }

// fold puts a text in one of the folds by a hash of its text.
func fold(t text) int {
	h := fnv.New32a()
	h.Write([]byte(t.text))
	return int(h.Sum32()>>8) % folds
}

// cvCounts are one operating point's outcomes in one category.
type cvCounts struct{ tp, fp, fn, pos int }

// crossValidate measures the whole classifier (the rules of the build
// and a model) on the hand-labelled comments, each part with a model
// trained without it, and writes per category precision and recall at
// the shipped operating points, then for threat and hate at each point of
// the sweep. The operating points in internal/moderation/score are chosen
// from this table, never from the evaluation split. (The rules were
// written with these texts in view, so the rules' share is optimistic;
// the model's is not.)
func crossValidate(w io.Writer, texts []text) error {
	shipped := score.ModelFlagAt()
	var at [score.NumCategories]cvCounts
	swept := make([][2]cvCounts, len(sweep))
	harmless, falseAlarms := 0, make([]int, len(sweep)+1)
	for k := range folds {
		var train, test []text
		for _, t := range texts {
			if labelled(t) && fold(t) == k {
				test = append(test, t)
			} else {
				train = append(train, t)
			}
		}
		m, err := fit(train)
		if err != nil {
			return err
		}
		models := []*score.Model{score.NewModel(m, shipped)}
		for _, p := range sweep {
			f := shipped
			f[score.Threat], f[score.Hate] = p, p
			models = append(models, score.NewModel(m, f))
		}
		for _, t := range test {
			clean := true
			for c := range score.NumCategories {
				if t.target[c] == 1 {
					clean = false
				}
			}
			if clean {
				harmless++
			}
			for i, sm := range models {
				res := score.ClassifyWith(sm, t.text)
				if clean && len(res.Flags) > 0 {
					falseAlarms[i]++
				}
				for c := range score.NumCategories {
					cnt := (*cvCounts)(nil)
					switch {
					case i == 0:
						cnt = &at[c]
					case c == score.Threat:
						cnt = &swept[i-1][0]
					case c == score.Hate:
						cnt = &swept[i-1][1]
					default:
						continue
					}
					cnt.add(t.target[c] == 1, res.Flagged(c))
				}
			}
		}
	}
	fmt.Fprintf(w, "\n## Cross-validation of the whole classifier\n\n")
	fmt.Fprintf(w, "The hand-labelled comments (own examples, tuning and dev splits) in %d parts by a hash of the text; each part classified by the rules and a model trained without it. At the shipped operating points (%d of %d harmless texts flagged):\n\n", folds, falseAlarms[0], harmless)
	fmt.Fprintf(w, "| category | positives | precision | recall |\n|---|---|---|---|\n")
	for c, cnt := range at {
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", score.Category(c), cnt.pos, ratio(cnt.tp, cnt.tp+cnt.fp), ratio(cnt.tp, cnt.tp+cnt.fn))
	}
	fmt.Fprintf(w, "\nThe model's operating point for threat and hate (it flags alone from this probability):\n\n")
	fmt.Fprintf(w, "| flags from p ≥ | threat precision | threat recall | hate precision | hate recall | harmless flagged |\n|---|---|---|---|---|---|\n")
	for i, p := range sweep {
		t, h := swept[i][0], swept[i][1]
		fmt.Fprintf(w, "| %.2f | %s | %s | %s | %s | %d |\n", p, ratio(t.tp, t.tp+t.fp), ratio(t.tp, t.tp+t.fn), ratio(h.tp, h.tp+h.fp), ratio(h.tp, h.tp+h.fn), falseAlarms[i+1])
	}
	return nil
}

func (c *cvCounts) add(want, got bool) {
	if want {
		c.pos++
	}
	switch {
	case want && got:
		c.tp++
	case got:
		c.fp++
	case want:
		c.fn++
	}
}
