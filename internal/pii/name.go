package pii

import (
	"strings"
	"unicode/utf8"
)

// maxNameWords bounds a name: given name, up to two more given names or
// surnames, and a surname ("Anna Maria Svensson Berg").
const maxNameWords = 4

// scanNames appends names of persons: a capitalised given name followed by
// capitalised given names or surnames, ending in a surname. A single word is
// never a name here: too many names are also words (Rosa, Björn, Berg).
func scanNames(s string, fs []Finding) []Finding {
	if !hasUpper(s) {
		return fs
	}
	lx := theLexicon()
	var buf [64]byte
	for w, ok := nextWord(s, 0); ok; w, ok = nextWord(s, w.end) {
		if f, ok := nameAt(s, w, lx, buf[:0]); ok {
			fs = append(fs, f)
			w.end = f.End
		}
	}
	return fs
}

// nameAt reports a name whose first word is w.
func nameAt(s string, w span, lx *lexicon, buf []byte) (Finding, bool) {
	sh := wordShape(s[w.start:w.end])
	if sh != titleShape && sh != capsShape {
		return Finding{}, false
	}
	first := lx.lookup(s[w.start:w.end], buf)
	if !first.given || first.class == functionWord {
		return Finding{}, false
	}
	restOrdinary := false
	end, cur := -1, w
	for n := 1; n < maxNameWords; n++ {
		next, ok := adjacentWord(s, cur.end)
		if !ok || wordShape(s[next.start:next.end]) != sh {
			break
		}
		t := lx.lookup(s[next.start:next.end], buf)
		if t.class == functionWord || !t.given && !t.surname {
			break
		}
		restOrdinary = restOrdinary || t.class == ordinaryWord
		if t.surname {
			end = next.end
		}
		cur = next
	}
	if end < 0 {
		return Finding{}, false
	}
	ordinary := first.class == ordinaryWord || restOrdinary
	f := Finding{Kind: KindName, Start: w.start, End: end, Confidence: 0.75,
		Reason: "Förnamn och efternamn: kan vara en privatperson."}
	switch {
	case first.class == ordinaryWord && sentenceStart(s, w.start):
		// "Per Andersson" or "Bo Ek" at the start of a sentence: the first
		// word may be the word, capitalised because it comes first.
		f.Confidence = 0.5
		if restOrdinary {
			f.Confidence = 0.35
		}
	case ordinary:
		// Capitalised inside a sentence, an ordinary word is most likely a name.
		f.Confidence = 0.6
	}
	if ordinary {
		f.Reason = "Förnamn och efternamn som också kan vara vanliga ord: kontrollera om det är en person."
	}
	if sh == capsShape {
		f.Confidence -= 0.15
	}
	return f, true
}

// nameWord says what the lexicon knows about a word.
type nameWord struct {
	given, surname bool
	class          wordClass
}

// lookup finds a word in the name lists. A hyphenated word is a name when
// all its parts are ("Anna-Karin", "Svensson-Berg"); a surname may carry a
// genitive s ("Svenssons").
func (lx *lexicon) lookup(word string, buf []byte) nameWord {
	lower := lowerInto(buf, word)
	var nw nameWord
	nw.class = lx.common[string(lower)]
	_, nw.given = lx.first[string(lower)]
	_, nw.surname = lx.last[string(lower)]
	if nw.given || nw.surname {
		return nw
	}
	if strings.IndexByte(word, '-') > 0 {
		nw.given, nw.surname = lx.allParts(string(lower))
		return nw
	}
	if n := len(lower); n > 3 && lower[n-1] == 's' {
		_, nw.surname = lx.last[string(lower[:n-1])]
	}
	return nw
}

// allParts reports whether every part of a hyphenated word is a given name,
// and whether every part is a surname.
func (lx *lexicon) allParts(lower string) (given, surname bool) {
	given, surname = true, true
	for part := range strings.SplitSeq(lower, "-") {
		_, g := lx.first[part]
		_, s := lx.last[part]
		given, surname = given && g, surname && s
	}
	return given, surname
}

// adjacentWord returns the word that follows i after exactly one space.
func adjacentWord(s string, i int) (span, bool) {
	switch {
	case hasAt(s, i, " "):
		i++
	case hasAt(s, i, "\u00a0"):
		i += len("\u00a0")
	default:
		return span{}, false
	}
	return wordAt(s, i)
}

// hasUpper reports whether s may hold a capital letter; non-ASCII text is
// assumed to.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
