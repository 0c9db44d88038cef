package score

import (
	"math"
	"slices"
	"unicode/utf8"

	"tilltal/internal/moderation/token"
)

// Result is what Classify finds in a text.
type Result struct {
	// Scores holds a score in [0, 1] per category.
	Scores Scores `json:"scores"`
	// Flags lists the categories whose score reached the review
	// threshold, in category order, except that harassment is not flagged
	// beside a criminal category. Never nil.
	Flags []Category `json:"flags"`
	// Reasons says, per category with any evidence, what gave it: the
	// rules and words that matched. A flagged category always has one.
	Reasons   map[Category][]Reason `json:"reasons"`
	Sentiment Sentiment             `json:"sentiment"`
	Question  Question              `json:"question"`
}

// Flagged reports whether the result flags category c.
func (r Result) Flagged(c Category) bool { return slices.Contains(r.Flags, c) }

// Reason is one piece of evidence for a category.
type Reason struct {
	// Rule names the evidence: a rule of the rules file ("threat.kill"),
	// "pii.personnummer" and the like, or "model" for the statistical model.
	Rule string `json:"rule"`
	// Why explains the rule in Swedish, for the editor.
	Why string `json:"why"`
	// Match is the matched text as written, Start and End its place in
	// the text in Unicode code points: Match == string([]rune(text)[Start:End]).
	Match string `json:"match"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Weight is what the evidence added, after Note's discount.
	Weight float64 `json:"weight"`
	// Note says why the weight was lowered, if it was: "negerat" (a
	// negation: "jag skulle aldrig …"), "citat i en redogörelse" (a
	// reported threat), "återgivet", "citat", "undantag".
	Note string `json:"note,omitempty"`
}

// threshold is the score from which a category is flagged for a human
// to review. One threshold for all: the rule weights are set against it.
const threshold = 0.5

// Threshold returns the score from which category c is flagged.
func Threshold(c Category) float64 { return threshold }

// Classify scores a text in every category, and gives its sentiment and
// whether it asks a question. It is safe for concurrent use.
func Classify(text string) Result { return ClassifyWith(theModel, text) }

// ClassifyWith is Classify with another statistical model than the
// embedded one: the trainer measures the whole classifier with models
// trained without the texts it measures on.
func ClassifyWith(m *Model, text string) Result {
	toks := token.Split(text)
	ev := evidence{text: text, mdl: m}
	ev.rules(toks)
	probs := ev.model(toks)
	ev.personalData()
	ev.copiedArticle(toks)
	res := Result{Flags: []Category{}, Reasons: map[Category][]Reason{}}
	criminal := false
	for c := range NumCategories {
		res.Scores[c] = round3(math.Min(1, math.Max(0, ev.score[c])))
		if len(ev.reasons[c]) > 0 {
			res.Reasons[c] = ev.reasons[c]
		}
		if res.Scores[c] < Threshold(c) {
			continue
		}
		if c == Harassment && criminal {
			// Harassment is for abuse the law's list does not cover: a
			// threat that also insults is flagged as a threat only.
			continue
		}
		criminal = criminal || c.Criminal()
		res.Flags = append(res.Flags, c)
	}
	res.Sentiment = theLexicon.sentiment(toks)
	if len(res.Flags) > 0 && res.Sentiment.Label != Negative && (res.Flags[0] != Copyright || len(res.Flags) > 1) {
		// A threat said kindly is still hostile.
		res.Sentiment = Sentiment{Label: Negative, Score: 0.5, Polarity: math.Min(res.Sentiment.Polarity, -polarityCut)}
	}
	res.Question = question(toks, probs.question)
	return res
}

// evidence gathers the scores and reasons of one text.
type evidence struct {
	text    string
	mdl     *Model
	score   [NumCategories]float64
	reasons [NumCategories][]Reason
	// damp is, per category whose rule matches were all negated or
	// quoted, the largest factor among them: the model cannot see
	// negation or quotation, so its weight is lowered alike. It is 1 where
	// a rule matched at full weight or none matched. Exceptions (rules of
	// negative weight) lower it further.
	damp [NumCategories]float32
	offs []int // byte offset of each code point, made when first needed
}

// add adds independent evidence w for category c: scores combine as
// 1 - Π(1 - w), so two rules make a stronger case than one, and no
// amount of evidence passes 1.
func (ev *evidence) add(c Category, r Reason) {
	ev.score[c] = or(ev.score[c], r.Weight)
	r.Weight = round3(r.Weight)
	ev.reasons[c] = append(ev.reasons[c], r)
}

// span returns the text between two code-point offsets.
func (ev *evidence) span(start, end int) string {
	if ev.offs == nil {
		ev.offs = make([]int, 0, len(ev.text)+1)
		for i := 0; i < len(ev.text); {
			ev.offs = append(ev.offs, i)
			_, n := utf8.DecodeRuneInString(ev.text[i:])
			i += n
		}
		ev.offs = append(ev.offs, len(ev.text))
	}
	return ev.text[ev.offs[start]:ev.offs[end]]
}

// rules adds the evidence of the rules file: per rule its strongest match,
// and every match as a reason.
func (ev *evidence) rules(toks []token.Token) {
	m := newMatcher(theRules, toks)
	hits := m.scan()
	applyExceptions(hits)
	var best map[int32]float32
	for c := range ev.damp {
		ev.damp[c] = 1
	}
	var full, damped [NumCategories]bool
	var dampMax [NumCategories]float32
	for _, h := range hits {
		for c, w := range theRules.rules[h.rule].weight {
			switch {
			case w <= 0:
			case h.factor == 1:
				full[c] = true
			default:
				damped[c] = true
				dampMax[c] = max(dampMax[c], h.factor)
			}
		}
	}
	for c := range ev.damp {
		if damped[c] && !full[c] {
			ev.damp[c] = dampMax[c]
		}
	}
	ev.exceptions(hits, toks)
	for _, h := range hits {
		if best == nil {
			best = map[int32]float32{}
		}
		best[h.rule] = max(best[h.rule], h.factor)
	}
	for _, h := range hits {
		r := &theRules.rules[h.rule]
		start, end := toks[h.start].Start, toks[h.end-1].End
		// Only the strongest match of a rule counts; the others are shown
		// with no weight of their own.
		counts := h.factor == best[h.rule]
		for c, w := range r.weight {
			if w <= 0 {
				continue
			}
			reason := Reason{Rule: r.id, Why: r.why, Match: ev.span(start, end), Start: start, End: end, Note: h.note}
			if counts {
				reason.Weight = float64(w * h.factor)
			}
			ev.add(Category(c), reason)
		}
		if counts {
			best[h.rule] = -1
		}
	}
}

// exceptions applies the rules of negative weight: a harmless phrasing
// that looks like a threat to the model ("skjuta upp mötet", "jag vet inte
// var du bor") lowers what the model may add, and is shown as a reason of
// no weight so that the editor sees why.
func (ev *evidence) exceptions(hits []hit, toks []token.Token) {
	for _, h := range hits {
		r := &theRules.rules[h.rule]
		if h.factor < 1 {
			continue // a negated exception is no exception
		}
		for c, w := range r.weight {
			if w >= 0 {
				continue
			}
			ev.damp[c] = min(ev.damp[c], 1+w)
			start, end := toks[h.start].Start, toks[h.end-1].End
			ev.reasons[c] = append(ev.reasons[c], Reason{Rule: r.id, Why: r.why, Match: ev.span(start, end), Start: start, End: end, Note: "undantag"})
		}
	}
}

// applyExceptions lowers the matches that an exception overlaps in the
// same category: "vi kommer att spränga alla rekord" matches the bomb
// rule, and the exception for records takes it back.
func applyExceptions(hits []hit) {
	for _, e := range hits {
		if e.factor < 1 {
			continue
		}
		for c, w := range theRules.rules[e.rule].weight {
			if w >= 0 {
				continue
			}
			for i := range hits {
				h := &hits[i]
				if h.start < e.end && e.start < h.end && theRules.rules[h.rule].weight[c] > 0 {
					h.factor, h.note = h.factor*(1+w), "undantag"
				}
			}
		}
	}
}
