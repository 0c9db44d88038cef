package score

import (
	"sort"
	"strings"
	"sync"

	"tilltal/internal/moderation/model"
	"tilltal/internal/moderation/token"
	"tilltal/internal/swedish"
)

// theModel is the embedded statistical model, read at start-up, at the
// shipped operating points.
var theModel = mustLoadModel()

// Model is a statistical model with the probabilities from which it flags
// each category alone.
type Model struct {
	m      *model.Model
	heads  heads
	flagAt [NumCategories]float64
}

// heads maps the model's outputs to categories.
type heads struct {
	category  [NumCategories]int // -1 when the model has no such head
	offensive int
	question  int
}

// NewModel wraps a trained model for ClassifyWith; flagAt gives per
// category the probability from which the model flags alone (in (0.5, 1)).
// The trainer uses it to measure the whole classifier on texts the model
// has not seen.
func NewModel(m *model.Model, flagAt [NumCategories]float64) *Model {
	var h heads
	for c := range NumCategories {
		h.category[c] = m.Head(c.String())
	}
	h.offensive, h.question = m.Head("offensive"), m.Head("question")
	return &Model{m: m, heads: h, flagAt: flagAt}
}

// ModelFlagAt returns the shipped operating points of the model.
func ModelFlagAt() [NumCategories]float64 { return modelFlagAt }

func mustLoadModel() *Model {
	f, err := dataFS.Open("data/model.bin.gz")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	m, err := model.Read(f)
	if err != nil {
		panic(err)
	}
	return NewModel(m, modelFlagAt)
}

// How much the model may add. It learnt from few examples of most
// categories, so there it supports the rules rather than replacing them:
// alone it reaches the threshold only when it is very sure (p ≥ 0.92).
// Threats and hate are worded in more ways than rules can list, and a
// missed threat costs more than a false alarm in a review queue, so there
// the model flags alone from a lower probability, chosen on the trainer's
// cross-validation of the whole classifier (data/model-report.txt, never
// the evaluation split): the point of highest recall, and of those the
// fewest false alarms. With the model of November 2026, p ≥ 0.6 gives
// threat precision 0.95 and recall 0.98 there, with 32 of 837 harmless
// texts flagged; 0.55 adds no recall and flags 8 more harmless texts (and
// calls to others, uppvigling, as threats too); 0.65 and above lose recall.
// The offensive head, trained on thousands of comments, adds to
// harassment.
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

// evidence is what a head's probability p adds to category c.
func (m *Model) evidence(c Category, p float64) float64 {
	if p <= modelFloor {
		return 0
	}
	return min(modelMax, threshold*(p-modelFloor)/(m.flagAt[c]-modelFloor))
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
	mdl := ev.mdl
	mdl.m.Predict(feats, p[:])
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
		h := mdl.heads.category[c]
		if h < 0 {
			continue
		}
		w := mdl.evidence(c, p[h]) * float64(ev.damp[c]) * short
		if c == Harassment && mdl.heads.offensive >= 0 {
			w = or(w, offensiveWeight*ramp(p[mdl.heads.offensive]))
		}
		if w > 0.05 {
			ev.add(c, ev.modelReason(toks, h, len(feats), w))
		}
	}
	var out modelOut
	if mdl.heads.question >= 0 {
		out.question = p[mdl.heads.question]
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
		if c := ev.mdl.m.Contribution(f[0], head, n); c > 0 {
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
