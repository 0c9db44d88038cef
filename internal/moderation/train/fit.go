package main

import (
	"fmt"
	"io"

	"tilltal/internal/moderation/model"
	"tilltal/internal/moderation/token"
)

// options were chosen on the held-out check: more epochs overfit our few
// hand-written examples, a lower rate leaves the rare heads unlearnt.
var options = model.Options{Epochs: 12, Rate: 0.5, L2: 1e-6, Seed: 20260301}

func fit(ts []text) (*model.Model, error) {
	ex := make([]model.Example, len(ts))
	for i, t := range ts {
		ex[i] = model.Example{Feats: model.Features(token.Split(t.text), nil), Target: t.target, Weight: t.weight}
	}
	return model.Train(Heads, ex, options)
}

// evaluate writes precision and recall of every head on the held-out
// texts, at p >= 0.5 and at p >= 0.75.
func evaluate(w io.Writer, m *model.Model, test []text) {
	type count struct{ tp, fp, fn, pos, n int }
	cuts := []float64{0.5, 0.75}
	counts := make([][2]count, len(Heads))
	out := make([]float64, len(Heads))
	for _, t := range test {
		m.Predict(model.Features(token.Split(t.text), nil), out)
		for h, y := range t.target {
			if y < 0 {
				continue
			}
			for k, cut := range cuts {
				c := &counts[h][k]
				c.n++
				yes := out[h] >= cut
				switch {
				case yes && y == 1:
					c.tp++
				case yes:
					c.fp++
				case y == 1:
					c.fn++
				}
				if y == 1 {
					c.pos++
				}
			}
		}
	}
	fmt.Fprintf(w, "| head | texts | positives | precision p≥0.5 | recall p≥0.5 | precision p≥0.75 | recall p≥0.75 |\n|---|---|---|---|---|---|---|\n")
	for h, cs := range counts {
		a, b := cs[0], cs[1]
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s |\n", Heads[h], a.n, a.pos, ratio(a.tp, a.tp+a.fp), ratio(a.tp, a.tp+a.fn), ratio(b.tp, b.tp+b.fp), ratio(b.tp, b.tp+b.fn))
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}
