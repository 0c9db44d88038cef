// Package token splits a comment into normalised tokens for the moderation
// classifier: lower-case words with their place in the original text.
//
// Text written to slip past filters is read as the words it shows:
// capitals, accents, look-alike letters from other alphabets, full-width and
// "fancy" letters, leetspeak inside words ("d0da"), emoji and zero-width
// characters between letters ("dö💀da"), stretched letters ("dööööda") and
// spaced letters ("d ö d a", "d.ö.d.a") all become the plain word. Every
// token keeps its span in the original text in Unicode code points, so that
// a reason shown to an editor can point at what was written.
package token

import (
	"sync"
	"unicode/utf8"
)

// Kind says what a token is.
type Kind uint8

// The kinds of token.
const (
	// Word is a word with at least one letter (digits in it read as leetspeak).
	Word Kind = iota + 1
	// Number is a run of digits.
	Number
	// Emoji is one pictograph.
	Emoji
	// URL is a web address; its Text is the host name without "www.".
	URL
	// Punct is a punctuation mark (. ! ? , ; : =) or a line break ("\n").
	Punct
	// Quote is a quotation mark, folded to '"'.
	Quote
)

// Token is one token of a text.
type Token struct {
	// Text is the normalised form: lower case, folded.
	Text string
	Kind Kind
	// Start and End are code-point offsets into the original text: the token
	// was written as []rune(text)[Start:End].
	Start, End int
}

// Ends reports whether the token ends a sentence: . ! ? or a line break.
// Commas, colons and semicolons do not.
func (t Token) Ends() bool {
	return t.Kind == Punct && (t.Text == "." || t.Text == "!" || t.Text == "?" || t.Text == "\n")
}

// unit is one rune of the text after folding.
type unit struct {
	r          rune
	c          class
	start, end int32
}

// tok is a token while it is built: its text is buf[a:b].
type tok struct {
	a, b       int32
	kind       Kind
	start, end int32
}

type scratch struct {
	units []unit
	runes []rune
	buf   []byte
	toks  []tok
}

var pool = sync.Pool{New: func() any { return new(scratch) }}

// Split returns the tokens of text in order. Invalid UTF-8 is tolerated:
// each invalid byte counts as one code point, as utf8.RuneCountInString
// counts it.
func Split(text string) []Token {
	sc := pool.Get().(*scratch)
	defer pool.Put(sc)
	sc.stream(text)
	sc.tokens()
	sc.mergeSpaced()
	norm := string(sc.buf)
	out := make([]Token, len(sc.toks))
	for i, t := range sc.toks {
		out[i] = Token{Text: norm[t.a:t.b], Kind: t.kind, Start: int(t.start), End: int(t.end)}
	}
	return out
}

// stream folds every rune of text into sc.units.
func (sc *scratch) stream(text string) {
	sc.units = sc.units[:0]
	cp := int32(0)
	for i := 0; i < len(text); cp++ {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		i += n
		f, c := fold(r)
		if c == clsDrop {
			sc.attach(r, cp)
			continue
		}
		sc.units = append(sc.units, unit{r: f, c: c, start: cp, end: cp + 1})
	}
}

// attach handles a dropped rune: a combining diaeresis or ring composes
// with the letter before it ("o" + U+0308 is "ö"), and the dropped rune is
// counted into that letter's span so that spans cover what was written.
func (sc *scratch) attach(r rune, cp int32) {
	n := len(sc.units)
	if n == 0 || sc.units[n-1].end != cp {
		return
	}
	last := &sc.units[n-1]
	last.end = cp + 1
	switch {
	case r == 0x0308 && last.r == 'a':
		last.r = 'ä'
	case r == 0x0308 && last.r == 'o':
		last.r = 'ö'
	case r == 0x030A && last.r == 'a':
		last.r = 'å'
	}
}

// tokens turns the units into tokens.
func (sc *scratch) tokens() {
	sc.buf, sc.toks = sc.buf[:0], sc.toks[:0]
	us := sc.units
	for i := 0; i < len(us); {
		u := us[i]
		switch {
		case u.c == clsLetter || u.c == clsDigit || (u.c == clsLeet && i+1 < len(us) && us[i+1].c == clsLetter):
			if i == 0 || !wordish(us[i-1].c) {
				if j, ok := sc.url(i); ok {
					i = j
					continue
				}
			}
			i = sc.word(i)
		case u.c == clsEmoji:
			sc.emit(Emoji, i, i+1, u.r)
			i++
		case u.c == clsPunct || u.c == clsNewline:
			// A run of marks ("!!!", "?!", blank lines) is one token.
			j := i + 1
			for j < len(us) && (us[j].c == clsPunct || us[j].c == clsNewline || us[j].c == clsSpace) && (us[j].c != clsSpace || u.c == clsNewline) {
				j++
			}
			r := u.r
			for _, v := range us[i:j] {
				if v.r == '?' {
					r = '?' // "!?" and "...?" ask
				}
			}
			sc.emit(Punct, i, j, r)
			i = j
		case u.c == clsQuote || u.c == clsApos:
			// An apostrophe between letters belongs to the word ("you're")
			// and was taken by word; any other is a quotation mark.
			sc.emit(Quote, i, i+1, '"')
			i++
		default:
			i++
		}
	}
}

func wordish(c class) bool { return c == clsLetter || c == clsDigit || c == clsLeet }

// emit appends a token of one rune's text spanning units[i:j].
func (sc *scratch) emit(k Kind, i, j int, r rune) {
	a := int32(len(sc.buf))
	sc.buf = utf8.AppendRune(sc.buf, r)
	sc.toks = append(sc.toks, tok{a: a, b: int32(len(sc.buf)), kind: k, start: sc.units[i].start, end: sc.units[j-1].end})
}
