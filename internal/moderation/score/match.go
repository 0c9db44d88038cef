package score

import (
	"strconv"

	"tilltal/internal/moderation/token"
)

// ruleSet is the compiled rules file.
type ruleSet struct {
	rules   []rule
	flats   []flat
	byFirst [][]int32 // atom → flats that start with it
	atoms   int

	exact    map[string][]int32
	prefixes trie
	suffixes trie
	minor    []int32 // atoms with #minor
	num      []int32
	url      []int32
	emoji    []int32

	ands []andAtom

	negator, subordinator, report int32
}

func (rs *ruleSet) addForm(f form, id int32) {
	switch f.mode {
	case exact:
		rs.exact[f.text] = append(rs.exact[f.text], id)
	case prefix:
		rs.prefixes.add(f.text, false, id)
	case suffix:
		rs.suffixes.add(f.text, true, id)
	case special:
		switch f.text {
		case "#minor":
			rs.minor = append(rs.minor, id)
		case "#num":
			rs.num = append(rs.num, id)
		case "#url":
			rs.url = append(rs.url, id)
		case "#emoji":
			rs.emoji = append(rs.emoji, id)
		}
		// A conjunction ("&…") is found by atomsOf, not by its form.
	}
}

// matcher matches the rules against one text's tokens.
type matcher struct {
	rs   *ruleSet
	toks []token.Token
	// The atoms of token i are atoms[at[i]:at[i+1]].
	at    []int32
	atoms []int32
}

func newMatcher(rs *ruleSet, toks []token.Token) *matcher {
	m := &matcher{rs: rs, toks: toks, at: make([]int32, len(toks)+1), atoms: make([]int32, 0, 2*len(toks))}
	for i, t := range toks {
		m.at[i] = int32(len(m.atoms))
		m.atoms = rs.atomsOf(t, m.atoms)
	}
	m.at[len(toks)] = int32(len(m.atoms))
	return m
}

// atomsOf appends the atoms that token t matches.
func (rs *ruleSet) atomsOf(t token.Token, dst []int32) []int32 {
	switch t.Kind {
	case token.Quote:
		return dst
	case token.Punct:
		return append(dst, rs.exact[t.Text]...) // "=" in "invandrare = parasiter"
	case token.Number:
		dst = append(dst, rs.num...)
		if n, err := strconv.Atoi(t.Text); err == nil && n > 0 && n < 18 && len(t.Text) <= 2 {
			dst = append(dst, rs.minor...)
		}
	case token.URL:
		dst = append(dst, rs.url...)
	case token.Emoji:
		dst = append(dst, rs.emoji...)
	}
	start := len(dst)
	dst = append(dst, rs.exact[t.Text]...)
	dst = rs.prefixes.collect(t.Text, false, dst)
	dst = rs.suffixes.collect(t.Text, true, dst)
	if len(dst)-start < 2 {
		return dst
	}
	for _, a := range rs.ands {
		if containsAll(dst[start:], a.parts) {
			dst = append(dst, a.id)
		}
	}
	return dst
}

func containsAll(have, want []int32) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// has reports whether token i matches atom a.
func (m *matcher) has(i int, a int32) bool {
	for _, x := range m.atoms[m.at[i]:m.at[i+1]] {
		if x == a {
			return true
		}
	}
	return false
}

// match matches a flat pattern at token i and returns the end of the match.
func (m *matcher) match(es []elem, i int) (int, bool) {
	for k, e := range es {
		switch e.kind {
		case eAtom:
			if i >= len(m.toks) || !m.has(i, e.atom) {
				return 0, false
			}
			i++
		case eNot:
			if i < len(m.toks) && m.has(i, e.atom) {
				return 0, false
			}
		case eGap:
			for g := 0; g <= int(e.max); g++ {
				if end, ok := m.match(es[k+1:], i+g); ok {
					return end, true
				}
				if i+g >= len(m.toks) || m.toks[i+g].Ends() {
					break
				}
			}
			return 0, false
		}
	}
	return i, true
}

// hit is one match of a rule.
type hit struct {
	rule       int32
	start, end int // token indices
	factor     float32
	note       string
}

// maxHitsPerRule bounds the reasons kept for one rule in one text.
const maxHitsPerRule = 3

// scan returns every match of every rule in the text, each with the factor
// that negation or quotation puts on it.
func (m *matcher) scan() []hit {
	var hits []hit
	for i := range m.toks {
		for _, a := range m.atoms[m.at[i]:m.at[i+1]] {
			for _, fi := range m.rs.byFirst[a] {
				f := &m.rs.flats[fi]
				if f.atStart && !m.clauseStart(i) {
					continue
				}
				end, ok := m.match(f.elems, i)
				if !ok || m.seen(hits, f.rule, i, end) {
					continue
				}
				if r := m.rs.rules[f.rule].requires; r >= 0 && !m.anywhere(r) {
					continue
				}
				h := hit{rule: f.rule, start: i, end: end, factor: 1}
				m.judge(&h, f)
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// clauseStart reports whether token i starts a sentence or clause.
func (m *matcher) clauseStart(i int) bool {
	if i == 0 {
		return true
	}
	k := m.toks[i-1].Kind
	return k == token.Punct || k == token.Quote
}

// seen reports whether the rule already has a match overlapping [start,
// end), or has matched often enough.
func (m *matcher) seen(hits []hit, r int32, start, end int) bool {
	n := 0
	for _, h := range hits {
		if h.rule != r {
			continue
		}
		if start < h.end && h.start < end {
			return true
		}
		n++
	}
	return n >= maxHitsPerRule
}

// The factors that lower a match's weight.
const (
	negatedFactor       = 0.1  // "jag ska inte döda dig", "jag skulle aldrig hota någon"
	reportQuoteFactor   = 0.25 // `han skrev "jag ska döda dig"`: a threat reported, not made
	reportFactor        = 0.45 // "han skrev att jag vet var du bor"
	quoteOnlyFactor     = 0.9  // a bare quotation may still be the writer's own threat
	unlessFactor        = 0.2  // the sentence names what makes it harmless (a lawful service)
	reportLookBack      = 12   // tokens before a match searched for a reporting verb
	negationLookBack    = 3    // tokens before a match searched for a negation
	subordinateLookBack = 3    // tokens before a negation searched for "om", "tills" …
)

// judge sets the factor and note of a hit: negated, or quoted or reported.
func (m *matcher) judge(h *hit, f *flat) {
	r := &m.rs.rules[f.rule]
	if !r.noNegate && m.negated(h, f) {
		h.factor, h.note = negatedFactor, "negerat"
		return
	}
	if r.unless >= 0 && m.inSentence(h, r.unless) {
		h.factor, h.note = unlessFactor, "undantag"
		return
	}
	if r.noQuote {
		return
	}
	quoted, reported := m.quoted(h), m.reported(h)
	switch {
	case quoted && reported:
		h.factor, h.note = reportQuoteFactor, "citat i en redogörelse"
	case reported:
		h.factor, h.note = reportFactor, "återgivet"
	case quoted:
		h.factor, h.note = quoteOnlyFactor, "citat"
	}
}

// negated reports a negation inside the match (where the pattern allows
// words between) or just before it in the same clause. A negation that
// belongs to a subordinate clause ("om du inte betalar ska jag …") does not
// count.
func (m *matcher) negated(h *hit, f *flat) bool {
	if !f.hasNeg {
		for i := h.start + 1; i < h.end; i++ {
			if m.has(i, m.rs.negator) {
				return true
			}
		}
	}
	if m.has(h.start, m.rs.subordinator) {
		return false // "Sluta, annars slår jag ihjäl dig": a new clause
	}
	for i := h.start - 1; i >= 0 && i >= h.start-negationLookBack; i-- {
		if m.toks[i].Kind == token.Punct {
			return false // the clause ends: "Ingen aning, jag vet var du bor"
		}
		if !m.has(i, m.rs.negator) {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-subordinateLookBack; j-- {
			if m.toks[j].Ends() {
				break
			}
			if m.has(j, m.rs.subordinator) {
				return false
			}
		}
		return true
	}
	return false
}

// anywhere reports whether any token of the text matches atom a.
func (m *matcher) anywhere(a int32) bool {
	for i := range m.toks {
		if m.has(i, a) {
			return true
		}
	}
	return false
}

// inSentence reports whether a token of the hit's sentence matches atom a.
func (m *matcher) inSentence(h *hit, a int32) bool {
	for i := h.start; i >= 0 && (i == h.start || !m.toks[i].Ends()); i-- {
		if m.has(i, a) {
			return true
		}
	}
	for i := h.start; i < len(m.toks) && !m.toks[i].Ends(); i++ {
		if m.has(i, a) {
			return true
		}
	}
	return false
}

// quoted reports a match between quotation marks.
func (m *matcher) quoted(h *hit) bool {
	before := 0
	for i := 0; i < h.start; i++ {
		if m.toks[i].Kind == token.Quote {
			before++
		}
	}
	if before%2 == 0 {
		return false
	}
	for i := h.end; i < len(m.toks); i++ {
		if m.toks[i].Kind == token.Quote {
			return true
		}
	}
	return false
}

// reported reports a reporting verb ("skrev", "hotade mig", "fick") before
// the match in its sentence. A colon does not end the sentence: "Fick det
// här sms:et: …" introduces what follows.
func (m *matcher) reported(h *hit) bool {
	for i := h.start - 1; i >= 0 && i >= h.start-reportLookBack; i-- {
		if m.toks[i].Ends() {
			return false
		}
		if m.has(i, m.rs.report) {
			return true
		}
	}
	return false
}
