package replycheck

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// LIX (läsbarhetsindex, Björnsson 1968) is words per sentence plus the
// percentage of long words, those of more than six letters. Below 30 a text
// is very easy, 40 ordinary prose, above 50 hard.
const (
	longWordLetters   = 6  // a long word has more letters than this
	minLIXWords       = 10 // LIX says nothing about a one-line reply
	longSentenceWords = 20 // klarspråk advice: at most 15-20 words a sentence
	maxListedWords    = 8
)

// abbreviations end in a dot that does not end the sentence: "kl. 10",
// "t.ex. förskolan".
var abbreviations = map[string]bool{
	"t.ex": true, "bl.a": true, "s.k": true, "m.m": true, "m.fl": true, "o.s.v": true, "osv": true,
	"dvs": true, "d.v.s": true, "kl": true, "ca": true, "nr": true, "tel": true, "p.g.a": true,
	"pga": true, "fr.o.m": true, "t.o.m": true, "resp": true, "jfr": true, "inkl": true, "exkl": true,
	"obs": true, "etc": true, "enl": true, "ang": true, "tex": true, "bla": true, "st": true,
	"kr": true, "min": true, "tim": true, "f.d": true, "t.v": true, "ev": true, "mfl": true,
}

// sentenceEndingAbbreviations may also end a sentence, when a capital follows.
var sentenceEndingAbbreviations = map[string]bool{"osv": true, "o.s.v": true, "etc": true, "m.m": true, "m.fl": true, "mfl": true}

// sentence is one sentence of prose with its words (indexes into stats.words).
type sentence struct {
	span
	words []int
}

// stats is what LIX is computed from.
type stats struct {
	words     []word // prose words: not links or e-mail addresses
	sentences []sentence
}

func (s stats) long() int {
	n := 0
	for _, w := range s.words {
		if w.letters > longWordLetters {
			n++
		}
	}
	return n
}

func (s stats) lix() float64 {
	if len(s.words) == 0 {
		return 0
	}
	w := float64(len(s.words))
	return w/float64(len(s.sentences)) + 100*float64(s.long())/w
}

// LIX returns the readability index of a Swedish text, 0 when it has no
// words. A sentence ends at ".", "!", "?", ":" or "…" (not after an
// abbreviation such as "t.ex."), at a line break, which is how greetings and
// sign-offs are written, and at the end of the text. Web and e-mail
// addresses are not words.
func LIX(s string) float64 { return measure(analyse(s)).lix() }

// measure splits the text into sentences of prose words.
func measure(t *text) stats {
	opaque := make([]bool, len(t.rs)+1)
	for _, l := range t.links {
		for i := l.start; i < l.end; i++ {
			opaque[i] = true
		}
	}
	var st stats
	for _, w := range t.words {
		if strings.ContainsRune(w.lower, '@') || isDomain(w) {
			for i := w.start; i < w.end; i++ {
				opaque[i] = true
			}
			continue
		}
		st.words = append(st.words, w)
	}
	cur := sentence{span: span{start: -1}}
	for k, w := range st.words {
		if cur.start < 0 {
			cur.start = w.start
		}
		cur.words = append(cur.words, k)
		next := len(t.rs)
		if k+1 < len(st.words) {
			next = st.words[k+1].start
		}
		if end, ok := sentenceEnd(t, opaque, st.words, k, next); ok {
			cur.end = end
			st.sentences = append(st.sentences, cur)
			cur = sentence{span: span{start: -1}}
		}
	}
	return st
}

// sentenceEnd reports whether the sentence ends after word k, looking at
// what stands between it and the next word, and where it ends.
func sentenceEnd(t *text, opaque []bool, ws []word, k, next int) (int, bool) {
	w := ws[k]
	end, marks, newline := w.end, 0, false
	for i := w.end; i < next; i++ {
		switch r := t.rs[i]; {
		case opaque[i]:
		case r == '.' || r == '!' || r == '?' || r == ':' || r == '…':
			marks++
			end = i + 1
		case r == '\n':
			newline = true
		}
	}
	last := k+1 == len(ws)
	if last || newline {
		return end, true
	}
	if marks == 0 {
		return end, false
	}
	if abbreviations[w.lower] && marks == 1 && t.rs[w.end] == '.' {
		return end, sentenceEndingAbbreviations[w.lower] && ws[k+1].capital
	}
	return end, true
}

// readability warns when the reply's LIX is above the limit, pointing out
// its long sentences and listing its long words.
func readability(t *text, limit float64) []Finding {
	if limit <= 0 {
		limit = DefaultLIXLimit
	}
	st := measure(t)
	lix := st.lix()
	if len(st.words) < minLIXWords || lix <= limit {
		return nil
	}
	all := span{st.sentences[0].start, st.sentences[len(st.sentences)-1].end}
	msg := fmt.Sprintf("Svaret kan vara svårt att läsa: LIX %.0f, över gränsen %.0f. %s",
		math.Round(lix), math.Round(limit), longWordAdvice(st.words))
	out := []Finding{{Kind: KindReadability, Start: all.start, End: all.end, Severity: Warn, Message: msg}}
	for _, s := range st.sentences {
		if n := len(s.words); n > longSentenceWords {
			out = append(out, Finding{Kind: KindReadability, Start: s.start, End: s.end, Severity: Warn,
				Message: fmt.Sprintf("Lång mening (%d ord): dela gärna upp den. Meningar på högst 15–20 ord är lättare att läsa.", n)})
		}
	}
	return out
}

// longWordAdvice lists the longest words first, as they weigh most on the
// reader. Words with a capital or a digit are left out of the list: they
// are names and numbers, which the editor may not shorten and the message
// should not repeat.
func longWordAdvice(ws []word) string {
	var list []word
	seen := map[string]bool{}
	for _, w := range ws {
		if w.letters <= longWordLetters || w.capital || seen[w.lower] || strings.IndexFunc(w.lower, unicode.IsDigit) >= 0 {
			continue
		}
		seen[w.lower] = true
		list = append(list, w)
	}
	if len(list) == 0 {
		return "Kortare meningar gör svaret lättare att läsa."
	}
	slices.SortStableFunc(list, func(a, b word) int { return b.letters - a.letters })
	names := make([]string, 0, maxListedWords)
	for _, w := range list[:min(len(list), maxListedWords)] {
		names = append(names, w.lower)
	}
	s := "Långa ord: " + strings.Join(names, ", ")
	if len(list) > maxListedWords {
		s += " med flera"
	}
	return s + ". Byt gärna mot kortare ord där det går."
}
