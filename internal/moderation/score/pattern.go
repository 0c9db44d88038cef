package score

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A pattern is written in the rules file as a sequence of elements:
//
//	döda            the word döda
//	döda|mörda      either word
//	död*            a word starting with "död"
//	*jävel          a word ending in "jävel" (compounds: "bögjävel")
//	@kill           a word or phrase of the class defined as kill
//	(ska | kommer att)
//	                one of several sequences
//	x?              x or nothing (x a word, class or group)
//	~2              up to two words of any kind, within the sentence
//	!upp|till       the next word is not one of these (it is not consumed)
//	#minor #num #url #emoji
//	                an age under 18, any number, any web address, any emoji
//	a|b&c           a word that matches (a or b) and c: "@group&*jävlar"
//	                finds "invandrarjävlar"
//	^               (first only) the match starts a sentence or clause:
//	                imperatives ("^bränn ner …")
//
// Words in forms that name web hosts may contain dots ("yts.", "1337x.");
// every other word must be written as the tokenizer normalises it (lower
// case, no accents but å ä ö), which compiling checks.
//
// Patterns are expanded into flat sequences at start-up, so that matching
// is a loop over tokens without allocation.

// formMode says how a word form is compared with a token.
type formMode uint8

const (
	exact formMode = iota
	prefix
	suffix
	special
)

// form is one way a word can be written in a pattern.
type form struct {
	mode formMode
	text string
}

func parseForm(s string) (form, error) {
	switch {
	case s == "":
		return form{}, fmt.Errorf("empty word")
	case strings.HasPrefix(s, "#"):
		if !specials[s] {
			return form{}, fmt.Errorf("unknown special %q", s)
		}
		return form{special, s}, nil
	case strings.HasPrefix(s, "*") && len(s) > 1 && !strings.HasSuffix(s, "*"):
		return form{suffix, s[1:]}, nil
	case strings.HasSuffix(s, "*") && len(s) > 1 && !strings.HasPrefix(s, "*"):
		return form{prefix, s[:len(s)-1]}, nil
	case strings.Contains(s, "*"):
		return form{}, fmt.Errorf("bad wildcard in %q", s)
	}
	return form{exact, s}, nil
}

var specials = map[string]bool{"#minor": true, "#num": true, "#url": true, "#emoji": true}

// elemKind is what a flat pattern element does.
type elemKind uint8

const (
	eAtom  elemKind = iota // one token that matches the atom
	eGap                   // up to max tokens of any kind within the sentence
	eNot                   // the next token does not match the atom (zero width)
	eStart                 // the match starts a sentence or clause (first only; zero width)
)

// elem is one element of a flat pattern.
type elem struct {
	kind elemKind
	max  uint8
	atom int32
}

// pnode is a parsed pattern element before expansion.
type pnode struct {
	kind     elemKind
	max      uint8
	atom     int32
	alts     [][]pnode // a group: one of these sequences (kind is unused)
	optional bool
}

// maxExpansions bounds how many flat sequences one pattern may become.
const maxExpansions = 4096

// lex splits a pattern into words, "(", ")", ")?" and "|".
func lex(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		for f != "" {
			switch {
			case f[0] == '(':
				out, f = append(out, "("), f[1:]
			case f[0] == ')':
				if strings.HasPrefix(f, ")?") {
					out, f = append(out, ")?"), f[2:]
				} else {
					out, f = append(out, ")"), f[1:]
				}
			default:
				k := strings.IndexAny(f, "()")
				if k < 0 {
					k = len(f)
				}
				out, f = append(out, f[:k]), f[k:]
			}
		}
	}
	return out
}

// parser parses patterns against the compiler's classes and atoms.
type parser struct {
	c    *compiler
	toks []string
	pos  int
}

func (p *parser) alt() ([][]pnode, error) {
	var alts [][]pnode
	for {
		seq, err := p.seq()
		if err != nil {
			return nil, err
		}
		if len(seq) == 0 {
			return nil, fmt.Errorf("empty alternative")
		}
		alts = append(alts, seq)
		if p.pos < len(p.toks) && p.toks[p.pos] == "|" {
			p.pos++
			continue
		}
		return alts, nil
	}
}

func (p *parser) seq() ([]pnode, error) {
	var seq []pnode
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		switch t {
		case "|", ")", ")?":
			return seq, nil
		case "(":
			p.pos++
			alts, err := p.alt()
			if err != nil {
				return nil, err
			}
			if p.pos >= len(p.toks) || p.toks[p.pos][0] != ')' {
				return nil, fmt.Errorf("missing )")
			}
			n := pnode{alts: p.c.mergeAlts(alts), optional: p.toks[p.pos] == ")?"}
			if len(n.alts) == 1 && len(n.alts[0]) == 1 && n.alts[0][0].alts == nil && !n.alts[0][0].optional {
				n = pnode{kind: n.alts[0][0].kind, atom: n.alts[0][0].atom, max: n.alts[0][0].max, optional: n.optional}
			}
			seq = append(seq, n)
			p.pos++
		default:
			n, err := p.element(t)
			if err != nil {
				return nil, err
			}
			seq = append(seq, n)
			p.pos++
		}
	}
	return seq, nil
}

// element parses one word-level element.
func (p *parser) element(t string) (pnode, error) {
	optional := false
	if len(t) > 1 && strings.HasSuffix(t, "?") {
		t, optional = t[:len(t)-1], true
	}
	switch {
	case t == "^":
		if optional {
			return pnode{}, fmt.Errorf("^ cannot be optional")
		}
		return pnode{kind: eStart}, nil
	case strings.HasPrefix(t, "~"):
		n, err := strconv.Atoi(t[1:])
		if err != nil || n < 1 || n > 8 || optional {
			return pnode{}, fmt.Errorf("bad gap %q (~1 to ~8)", t)
		}
		return pnode{kind: eGap, max: uint8(n)}, nil
	case strings.HasPrefix(t, "!"):
		id, err := p.c.wordAtom(t[1:])
		if err != nil {
			return pnode{}, err
		}
		return pnode{kind: eNot, atom: id}, nil
	case strings.HasPrefix(t, "@") && !strings.ContainsAny(t, "|&"):
		cl, ok := p.c.classes[t[1:]]
		if !ok {
			return pnode{}, fmt.Errorf("unknown class %s", t)
		}
		if cl.atom >= 0 {
			return pnode{kind: eAtom, atom: cl.atom, optional: optional}, nil
		}
		return pnode{alts: cl.alts, optional: optional}, nil
	}
	id, err := p.c.wordAtom(t)
	if err != nil {
		return pnode{}, err
	}
	return pnode{kind: eAtom, atom: id, optional: optional}, nil
}

// mergeAlts merges the alternatives that are single words into one atom,
// so that "(vet | hittar | har koll på)" expands to two sequences, not three.
func (c *compiler) mergeAlts(alts [][]pnode) [][]pnode {
	var forms []form
	var rest [][]pnode
	merged := 0
	for _, a := range alts {
		if len(a) == 1 && a[0].alts == nil && a[0].kind == eAtom && !a[0].optional && !c.hasAnd(a[0].atom) {
			forms = append(forms, c.atoms[a[0].atom]...)
			merged++
			continue
		}
		rest = append(rest, a)
	}
	if merged < 2 {
		return alts
	}
	return append([][]pnode{{{kind: eAtom, atom: c.atomFor(forms)}}}, rest...)
}

// expand turns a parsed sequence into flat sequences.
func expand(seq []pnode) ([][]elem, error) {
	out := [][]elem{nil}
	for _, n := range seq {
		var variants [][]elem
		if n.alts != nil {
			for _, a := range n.alts {
				sub, err := expand(a)
				if err != nil {
					return nil, err
				}
				variants = append(variants, sub...)
			}
		} else {
			variants = [][]elem{{{kind: n.kind, max: n.max, atom: n.atom}}}
		}
		if n.optional {
			variants = append(variants, nil)
		}
		if len(out)*len(variants) > maxExpansions {
			return nil, fmt.Errorf("pattern expands to more than %d sequences", maxExpansions)
		}
		next := make([][]elem, 0, len(out)*len(variants))
		for _, o := range out {
			for _, v := range variants {
				next = append(next, append(slices.Clip(o), v...))
			}
		}
		out = next
	}
	return out, nil
}
