package score

import (
	"sort"
	"strings"
	"sync"

	"tilltal/internal/moderation/model"
	"tilltal/internal/moderation/token"
	"tilltal/internal/swedish"
)

// theModel is the embedded statistical model, read at start-up.
var theModel, modelHeads = mustLoadModel()

// heads maps the model's outputs to categories.
type heads struct {
	category  [NumCategories]int // -1 when the model has no such head
	offensive int
	question  int
}

func mustLoadModel() (*model.Model, heads) {
	f, err := dataFS.Open("data/model.bin.gz")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	m, err := model.Read(f)
	if err != nil {
		panic(err)
	}
	var h heads
	for c := range NumCategories {
		h.category[c] = m.Head(c.String())
	}
	h.offensive, h.question = m.Head("offensive"), m.Head("question")
	return m, h
}

// How much the model may add. It learnt from few examples of most
// categories, so there it supports the rules rather than replacing them:
// alone it reaches the threshold only when it is very sure (p ≥ 0.92).
// Threats and hate are worded in more ways than rules can list, and a
// missed threat costs more than a false alarm in a review queue, so there
// the model flags alone from p ≥ 0.6: when this was chosen, its threat
// head had precision 0.72 and recall 0.90 at p ≥ 0.5 on the trainer's
// held-out texts (data/model-report.txt has the current figures). The
// offensive head, trained on thousands of comments, adds to harassment.
var modelFlagAt = [NumCategories]float64{
	Threat: 0.6, Hate: 0.6,
	Integrity: 0.92, Incitement: 0.92, CSAM: 0.92, Violence: 0.92, Terrorism: 0.92, Copyright: 0.92, Harassment: 0.92,
}

const (
	offensiveWeight = 0.45
	modelFloor      = 0.5 // probabilities below this add nothing
	modelMax        = 0.9 // the model alone never makes a certainty
	shortText       = 4   // texts of fewer words get proportionally less weight
)

// modelEvidence is what a head's probability p adds to category c.
func modelEvidence(c Category, p float64) float64 {
	if p <= modelFloor {
		return 0
	}
	return min(modelMax, threshold*(p-modelFloor)/(modelFlagAt[c]-modelFloor))
}

var featPool = sync.Pool{New: func() any { s := make([]uint32, 0, 1024); return &s }}

// modelOut is what the model says about a text beyond the categories.
type modelOut struct {
	question float64
}

// model adds the model's evidence and returns its other outputs.
func (ev *evidence) model(toks []token.Token) modelOut {
	fp := featPool.Get().(*[]uint32)
	defer featPool.Put(fp)
	feats := model.Features(toks, (*fp)[:0])
	*fp = feats
	var p [model.MaxHeads]float64
	theModel.Predict(feats, p[:])
	// A text of a word or two gives the model too little to go on: one
	// name ("Breivik") must not flag a text.
	words := 0
	for _, t := range toks {
		if t.Kind == token.Word {
			words++
		}
	}
	short := min(1, float64(words)/shortText)
	for c := range NumCategories {
		h := modelHeads.category[c]
		if h < 0 {
			continue
		}
		w := modelEvidence(c, p[h]) * float64(ev.damp[c]) * short
		if c == Harassment && modelHeads.offensive >= 0 {
			w = or(w, offensiveWeight*ramp(p[modelHeads.offensive]))
		}
		if w > 0.05 {
			ev.add(c, ev.modelReason(toks, h, len(feats), w))
		}
	}
	var out modelOut
	if modelHeads.question >= 0 {
		out.question = p[modelHeads.question]
	}
	return out
}

func ramp(p float64) float64 { return max(0, (p-modelFloor)/(1-modelFloor)) }

// modelReason explains the model's weight by the words that pushed it up
// most: the reason points at the strongest, and names up to three.
func (ev *evidence) modelReason(toks []token.Token, head, n int, w float64) Reason {
	type word struct {
		i int
		c float64
	}
	var words []word
	var one [1]uint32
	for i, t := range toks {
		if t.Kind != token.Word || swedish.IsStopWord(t.Text) {
			continue // "är" and "du" say little to an editor
		}
		f := model.Features(toks[i:i+1], one[:0])
		if c := theModel.Contribution(f[0], head, n); c > 0 {
			words = append(words, word{i, c})
		}
	}
	r := Reason{Rule: "model", Why: "Statistisk modell: ordvalet liknar kända exempel i kategorin.", Weight: w}
	if len(words) == 0 {
		return r
	}
	sort.Slice(words, func(a, b int) bool { return words[a].c > words[b].c })
	var names []string
	for _, x := range words[:min(3, len(words))] {
		names = append(names, "\""+ev.span(toks[x.i].Start, toks[x.i].End)+"\"")
	}
	r.Why += " Starkast: " + strings.Join(names, ", ") + "."
	t := toks[words[0].i]
	r.Start, r.End, r.Match = t.Start, t.End, ev.span(t.Start, t.End)
	return r
}
