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

// evaluate writes precision and recall of every head on the held-out texts.
func evaluate(w io.Writer, m *model.Model, test []text) {
	type count struct{ tp, fp, fn, pos, n int }
	counts := make([]count, len(Heads))
	out := make([]float64, len(Heads))
	for _, t := range test {
		m.Predict(model.Features(token.Split(t.text), nil), out)
		for h, y := range t.target {
			if y < 0 {
				continue
			}
			c := &counts[h]
			c.n++
			yes := out[h] >= 0.5
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
	fmt.Fprintf(w, "| head | texts | positives | precision | recall |\n|---|---|---|---|---|\n")
	for h, c := range counts {
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s |\n", Heads[h], c.n, c.pos, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}
