package model

import (
	"math"
	"math/rand/v2"
)

// Example is one labelled text for training.
type Example struct {
	Feats []uint32
	// Target holds per head 1 (yes), 0 (no) or -1 (unknown: this example
	// does not teach this head anything).
	Target []int8
	// Weight says how much the example counts: the Danish data counts less
	// than Swedish comments.
	Weight float32
}

// Options steer training.
type Options struct {
	Epochs int
	Rate   float64 // initial learning rate
	L2     float64 // weight decay per update
	Seed   uint64
}

// Train fits a model to the examples by stochastic gradient descent on the
// logistic loss, each head on the examples that know its answer. Positive
// examples of a rare head weigh more (by the square root of the class
// ratio), so that a head with few examples still learns them.
func Train(heads []string, ex []Example, o Options) (*Model, error) {
	m, err := New(heads)
	if err != nil {
		return nil, err
	}
	nh := len(heads)
	posWeight := classWeights(nh, ex)
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	var grad [MaxHeads]float32
	for epoch := range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := float32(o.Rate / (1 + float64(epoch)))
		decay := 1 - float32(o.L2)
		for _, i := range order {
			e := &ex[i]
			x := scale(len(e.Feats))
			var z [MaxHeads]float32
			copy(z[:nh], m.bias)
			for _, f := range e.Feats {
				for h, v := range m.w[int(f)*nh : int(f)*nh+nh] {
					z[h] += x * v
				}
			}
			for h := range nh {
				grad[h] = 0
				if e.Target[h] < 0 {
					continue
				}
				p := float32(sigmoid(float64(z[h])))
				w := e.Weight
				if e.Target[h] == 1 {
					w *= posWeight[h]
				}
				grad[h] = (p - float32(e.Target[h])) * w
				m.bias[h] -= rate * grad[h] * 0.1
			}
			for _, f := range e.Feats {
				row := m.w[int(f)*nh : int(f)*nh+nh]
				for h := range row {
					if e.Target[h] >= 0 {
						row[h] = row[h]*decay - rate*grad[h]*x
					}
				}
			}
		}
	}
	return m, nil
}

func classWeights(nh int, ex []Example) []float32 {
	pos, neg := make([]float64, nh), make([]float64, nh)
	for _, e := range ex {
		for h, t := range e.Target {
			switch t {
			case 1:
				pos[h] += float64(e.Weight)
			case 0:
				neg[h] += float64(e.Weight)
			}
		}
	}
	w := make([]float32, nh)
	for h := range w {
		w[h] = 1
		if pos[h] > 0 && neg[h] > pos[h] {
			w[h] = float32(math.Min(math.Sqrt(neg[h]/pos[h]), 8))
		}
	}
	return w
}
