package score

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"tilltal/internal/moderation/token"
	"tilltal/internal/swedish"
)

// wordAtom returns the atom for a word element: forms separated by "|",
// each a word, a wildcard, a special or a one-word class.
func (c *compiler) wordAtom(s string) (int32, error) {
	if strings.Contains(s, "&") {
		return c.andAtom(s)
	}
	var forms []form
	for part := range strings.SplitSeq(s, "|") {
		if strings.HasPrefix(part, "@") {
			cl, ok := c.classes[part[1:]]
			if !ok || cl.atom < 0 {
				return 0, fmt.Errorf("%s is not a one-word class", part)
			}
			forms = append(forms, c.atoms[cl.atom]...)
			continue
		}
		f, err := parseForm(part)
		if err != nil {
			return 0, err
		}
		if f.mode != special && !strings.Contains(f.text, ".") {
			if err := checkNormal(f.text); err != nil {
				return 0, err
			}
		}
		forms = append(forms, f)
	}
	return c.atomFor(forms), nil
}

// andAtom returns an atom that a token matches when it matches every
// part: "@group&*jävlar".
func (c *compiler) andAtom(s string) (int32, error) {
	var parts []int32
	for part := range strings.SplitSeq(s, "&") {
		id, err := c.wordAtom(part)
		if err != nil {
			return 0, err
		}
		parts = append(parts, id)
	}
	if len(parts) < 2 {
		return 0, fmt.Errorf("bad conjunction %q", s)
	}
	id := c.atomFor([]form{{special, "&" + s}})
	if !c.hasAnd(id) {
		c.ands = append(c.ands, andAtom{id: id, parts: parts})
	}
	return id, nil
}

func (c *compiler) hasAnd(id int32) bool {
	for _, a := range c.ands {
		if a.id == id {
			return true
		}
	}
	return false
}

// checkNormal makes sure a word in a pattern is written as the tokenizer
// writes it; "Döda" or "idé" would otherwise never match anything.
func checkNormal(w string) error {
	ts := token.Split(w)
	if len(ts) != 1 || ts[0].Text != w {
		return fmt.Errorf("%q is not a normalised word (the tokenizer reads it as %d tokens, first %q)", w, len(ts), firstText(ts))
	}
	return nil
}

func firstText(ts []token.Token) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0].Text
}

// atomFor returns the atom for a set of forms, sharing equal sets.
func (c *compiler) atomFor(forms []form) int32 {
	slices.SortFunc(forms, func(a, b form) int {
		if a.mode != b.mode {
			return int(a.mode) - int(b.mode)
		}
		return strings.Compare(a.text, b.text)
	})
	forms = slices.Compact(forms)
	var key strings.Builder
	for _, f := range forms {
		fmt.Fprintf(&key, "%d%s\x00", f.mode, f.text)
	}
	if id, ok := c.atomKey[key.String()]; ok {
		return id
	}
	id := int32(len(c.atoms))
	c.atoms = append(c.atoms, forms)
	c.atomKey[key.String()] = id
	return id
}

// finish checks the rules and builds the lookup structures.
func (c *compiler) finish() (*ruleSet, error) {
	for _, r := range c.rules {
		if r.why == "" || len(r.examples) == 0 {
			return nil, fmt.Errorf("rule %s (line %d) needs a why: and at least one example:", r.id, r.line)
		}
	}
	rs := &ruleSet{rules: c.rules, flats: c.flats, atoms: len(c.atoms), ands: c.ands, exact: map[string][]int32{}}
	for _, name := range []string{"negator", "subordinator", "report"} {
		cl, ok := c.classes[name]
		if !ok || cl.atom < 0 {
			return nil, fmt.Errorf("the one-word class %s must be defined", name)
		}
		switch name {
		case "negator":
			rs.negator = cl.atom
		case "subordinator":
			rs.subordinator = cl.atom
		case "report":
			rs.report = cl.atom
		}
	}
	for id, forms := range c.atoms {
		for _, f := range forms {
			rs.addForm(f, int32(id))
		}
		for _, f := range plainForms(forms) {
			rs.addForm(f, int32(id))
		}
	}
	rs.byFirst = make([][]int32, len(c.atoms))
	for i := range rs.flats {
		f := &rs.flats[i]
		first := f.elems[0].atom
		rs.byFirst[first] = append(rs.byFirst[first], int32(i))
		for _, e := range f.elems {
			if e.kind == eAtom && rs.atomHasNegator(c.atoms[e.atom], c.atoms[rs.negator]) {
				f.hasNeg = true
			}
		}
	}
	return rs, nil
}

// plainForms returns the forms of an atom as written without å, ä and ö
// ("doda", "morda", "javla"), as on a keyboard without them or to slip
// past a filter, where that spelling is not a Swedish word of its own:
// words of fewer than four letters ("sa", "har", "bor", "var") and the
// stop words are left alone, as are the longer words in plainClash. Web
// hosts and specials are never respelt.
func plainForms(forms []form) []form {
	var out []form
	for _, f := range forms {
		if f.mode == special || strings.Contains(f.text, ".") {
			continue
		}
		p := form{f.mode, plainReplacer.Replace(f.text)}
		if p.text == f.text || utf8.RuneCountInString(p.text) < 4 || swedish.IsStopWord(p.text) || plainClash[p.text] ||
			slices.Contains(forms, p) || slices.Contains(out, p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

var plainReplacer = strings.NewReplacer("å", "a", "ä", "a", "ö", "o")

// plainClash are words that a form without å, ä and ö would turn into:
// "våra" is not "vara", "bränn" is not "brann", "sätt" is not "satt".
var plainClash = map[string]bool{
	"vara": true, "bara": true, "tank": true, "tanka": true, "mata": true, "mota": true, "fatt": true, "ratt": true,
	"latt": true, "brann": true, "slapp": true, "hall": true, "halla": true, "saga": true, "tala": true, "hora": true,
	"vart": true, "kort": true, "satt": true, "satta": true, "lara": true, "fora": true, "rosta": true, "rora": true,
}

// atomHasNegator reports whether an atom spells out a negation word.
func (rs *ruleSet) atomHasNegator(forms, negators []form) bool {
	for _, f := range forms {
		if slices.Contains(negators, f) {
			return true
		}
	}
	return false
}
