package score

import (
	"bufio"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// The rules file (data/rules.txt) holds every rule with its reason and its
// examples. Its syntax:
//
//	# a comment
//	define NAME = PATTERN | PATTERN …
//	wordlist NAME = FILE except ENTRY, ENTRY …
//	                a class of the lines of a word list in data/, less some
//	rule ID CATEGORY=WEIGHT [CATEGORY=WEIGHT …]
//	                a negative weight makes an exception: a harmless phrasing
//	                ("skjuta upp mötet") that lowers what the statistical
//	                model may add to the category, which cannot see it
//	  why: the reason shown to the editor, in Swedish
//	  match: PATTERN                (one or more)
//	  options: nonegate noquote     (optional)
//	  unless: WORDS                 (optional) a word anywhere in the sentence that
//	                                makes the match harmless ("svtplay" for "se hela serien gratis")
//	  requires: WORDS               (optional) a word anywhere in the text without which
//	                                the match does not count (an age under 18 for "nakenbilder")
//	  example: a text the rule must flag            (tested)
//	  counter: a text the rule must not flag        (tested)
//
// Classes named negator, subordinator and report must be defined: they
// drive negation ("jag ska inte …") and the damping of quoted threats.

// rule is one rule of the rules file.
type rule struct {
	id       string
	why      string
	weight   [NumCategories]float32
	noNegate bool
	noQuote  bool
	unless   int32 // an atom, or -1
	requires int32 // an atom, or -1
	examples []string
	counters []string
	line     int
}

// flat is one expanded sequence of a rule's patterns.
type flat struct {
	rule    int32
	elems   []elem
	atStart bool
	// hasNeg is set when the pattern itself spells out a negation ("du
	// kommer inte att överleva"): then a negator inside the match is part
	// of the threat, not a denial of it.
	hasNeg bool
}

// class is a defined class: one atom when every alternative is a single
// word, else a group of sequences.
type class struct {
	atom int32
	alts [][]pnode
}

// compiler reads a rules file.
type compiler struct {
	classes map[string]*class
	atoms   [][]form
	atomKey map[string]int32
	rules   []rule
	flats   []flat
	ands    []andAtom
	files   fs.FS
}

// andAtom is an atom that needs all of its parts on one token.
type andAtom struct {
	id    int32
	parts []int32
}

// compileRules parses a rules file into a ruleSet.
func compileRules(src string, files fs.FS) (*ruleSet, error) {
	c := &compiler{classes: map[string]*class{}, atomKey: map[string]int32{}, files: files}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var cur *rule
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		var err error
		switch {
		case strings.HasPrefix(line, "define "):
			cur, err = nil, c.define(trimmed[len("define "):])
		case strings.HasPrefix(line, "wordlist "):
			cur, err = nil, c.wordlist(trimmed[len("wordlist "):])
		case strings.HasPrefix(line, "rule "):
			cur, err = c.newRule(trimmed, n)
		case cur != nil && (line[0] == ' ' || line[0] == '\t'):
			err = c.ruleLine(cur, trimmed)
		default:
			err = fmt.Errorf("unexpected line")
		}
		if err != nil {
			return nil, fmt.Errorf("rules line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return c.finish()
}

func (c *compiler) define(s string) error {
	name, body, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " @|") {
		return fmt.Errorf("define NAME = …")
	}
	if _, dup := c.classes[name]; dup {
		return fmt.Errorf("class %s defined twice", name)
	}
	p := &parser{c: c, toks: lex(body)}
	alts, err := p.alt()
	if err != nil {
		return fmt.Errorf("class %s: %w", name, err)
	}
	if p.pos != len(p.toks) {
		return fmt.Errorf("class %s: unexpected %q", name, p.toks[p.pos])
	}
	alts = c.mergeAlts(alts)
	cl := &class{atom: -1, alts: alts}
	var forms []form
	for _, a := range alts {
		if len(a) != 1 || a[0].alts != nil || a[0].kind != eAtom || a[0].optional {
			forms = nil
			break
		}
		forms = append(forms, c.atoms[a[0].atom]...)
	}
	if forms != nil {
		cl.atom, cl.alts = c.atomFor(forms), nil
	}
	c.classes[name] = cl
	return nil
}

// wordlist defines a class from a word list: one entry (a word or a phrase)
// per line, less the entries after "except", which are too mild or too
// ambiguous for the purpose.
func (c *compiler) wordlist(s string) error {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("wordlist NAME = FILE except …")
	}
	file, except, _ := strings.Cut(strings.TrimSpace(rest), " except ")
	b, err := fs.ReadFile(c.files, strings.TrimSpace(file))
	if err != nil {
		return err
	}
	drop := map[string]bool{}
	for e := range strings.SplitSeq(except, ",") {
		drop[strings.TrimSpace(e)] = true
	}
	var alts []string
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || drop[line]:
		case strings.Contains(line, " "):
			alts = append(alts, "("+line+")")
		default:
			alts = append(alts, line)
		}
	}
	if len(alts) == 0 {
		return fmt.Errorf("word list %s is empty", file)
	}
	return c.define(name + "=" + strings.Join(alts, " | "))
}

func (c *compiler) newRule(s string, line int) (*rule, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return nil, fmt.Errorf("rule ID CATEGORY=WEIGHT …")
	}
	r := rule{id: f[1], line: line, unless: -1, requires: -1}
	for _, old := range c.rules {
		if old.id == r.id {
			return nil, fmt.Errorf("rule %s defined twice", r.id)
		}
	}
	for _, cw := range f[2:] {
		name, w, ok := strings.Cut(cw, "=")
		cat, err := ParseCategory(name)
		if !ok || err != nil {
			return nil, fmt.Errorf("bad category weight %q", cw)
		}
		v, err := strconv.ParseFloat(w, 32)
		if err != nil || v == 0 || v > 1 || v < -1 {
			return nil, fmt.Errorf("weight %q must be in [-1, 0) or (0, 1]", w)
		}
		r.weight[cat] = float32(v)
	}
	c.rules = append(c.rules, r)
	return &c.rules[len(c.rules)-1], nil
}

func (c *compiler) ruleLine(r *rule, s string) error {
	key, val, ok := strings.Cut(s, ":")
	val = strings.TrimSpace(val)
	if !ok || val == "" {
		return fmt.Errorf("expected why:, match:, options:, example: or counter:")
	}
	switch key {
	case "why":
		r.why = val
	case "example":
		r.examples = append(r.examples, val)
	case "counter":
		r.counters = append(r.counters, val)
	case "unless", "requires":
		words := slices.DeleteFunc(strings.Fields(val), func(w string) bool { return w == "|" })
		id, err := c.wordAtom(strings.Join(words, "|"))
		if err != nil {
			return err
		}
		if key == "unless" {
			r.unless = id
		} else {
			r.requires = id
		}
	case "options":
		for _, o := range strings.Fields(val) {
			switch o {
			case "nonegate":
				r.noNegate = true
			case "noquote":
				r.noQuote = true
			default:
				return fmt.Errorf("unknown option %q", o)
			}
		}
	case "match":
		return c.match(r, val)
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

func (c *compiler) match(r *rule, s string) error {
	p := &parser{c: c, toks: lex(s)}
	alts, err := p.alt()
	if err != nil {
		return err
	}
	if p.pos != len(p.toks) {
		return fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	idx := int32(len(c.rules) - 1)
	for _, a := range alts {
		flats, err := expand(a)
		if err != nil {
			return err
		}
		for _, es := range flats {
			for len(es) > 0 && es[len(es)-1].kind == eGap {
				es = es[:len(es)-1]
			}
			atStart := len(es) > 0 && es[0].kind == eStart
			if atStart {
				es = es[1:]
			}
			if len(es) == 0 || es[0].kind != eAtom {
				return fmt.Errorf("a pattern must start with a word (after an optional ^)")
			}
			for _, e := range es {
				if e.kind == eStart {
					return fmt.Errorf("^ may only start a pattern")
				}
			}
			c.flats = append(c.flats, flat{rule: idx, elems: es, atStart: atStart})
		}
	}
	return nil
}
