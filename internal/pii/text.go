package pii

import (
	"unicode"
	"unicode/utf8"
)

// span is a word: a run of letters, with single hyphens or apostrophes
// allowed between letters ("Anna-Karin", "O'Brien").
type span struct{ start, end int }

// nextWord returns the first word at or after byte i, or ok=false.
func nextWord(s string, i int) (w span, ok bool) {
	for i < len(s) {
		r, n := decodeRune(s, i)
		if unicode.IsLetter(r) {
			return span{i, wordEnd(s, i)}, true
		}
		i += n
	}
	return span{}, false
}

// wordAt returns the word that starts exactly at byte i. Unlike nextWord
// it never looks further, which keeps callers that probe many positions linear.
func wordAt(s string, i int) (span, bool) {
	if i >= len(s) {
		return span{}, false
	}
	if r, _ := decodeRune(s, i); !unicode.IsLetter(r) {
		return span{}, false
	}
	return span{i, wordEnd(s, i)}, true
}

// wordEnd returns the end of the word that starts at i.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, n := decodeRune(s, i)
		switch {
		case unicode.IsLetter(r):
			i += n
		case (r == '-' || r == '\'' || r == '’') && i+n < len(s):
			if next, _ := decodeRune(s, i+n); !unicode.IsLetter(next) {
				return i
			}
			i += n
		default:
			return i
		}
	}
	return i
}

// decodeRune is utf8.DecodeRuneInString with an ASCII fast path.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// shape describes the letter case of a word.
type shape uint8

const (
	lowerShape shape = iota // starts with a lower-case letter
	titleShape              // "Anna", "Anna-Karin", "McDonald"
	capsShape               // "ANNA": shouting, or an acronym
	mixedShape              // anything else
)

// wordShape classifies w. Each hyphenated part of a title-case word must
// start with a capital: "Anna-karin" is mixed.
func wordShape(w string) shape {
	upper, lower, partStart, partsOK := 0, 0, true, true
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
			if partStart {
				partsOK = false
			}
		}
		partStart = r == '-'
	}
	first, _ := utf8.DecodeRuneInString(w)
	switch {
	case !unicode.IsUpper(first):
		return lowerShape
	case lower == 0 && upper > 1:
		return capsShape
	case lower > 0 && partsOK:
		return titleShape
	}
	return mixedShape
}

// lowerInto writes the lower-case form of w into buf (growing it if needed).
// Index a map with string(result): Go does not allocate for that.
func lowerInto(buf []byte, w string) []byte {
	buf = buf[:0]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return lowerUnicode(buf[:0], w)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

func lowerUnicode(buf []byte, w string) []byte {
	for _, r := range w {
		buf = utf8.AppendRune(buf, unicode.ToLower(r))
	}
	return buf
}

// sentenceStart reports whether the word at i opens a sentence: nothing but
// spaces, quotes, brackets, dashes or bullets stand between it and the start
// of the text or a sentence-ending mark.
func sentenceStart(s string, i int) bool {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case r == '.' || r == '!' || r == '?' || r == ':' || r == '…' || r == '\n' || r == '\r':
			return true
		case unicode.IsSpace(r) || unicode.Is(unicode.Pi, r) || unicode.Is(unicode.Ps, r) ||
			r == '"' || r == '\'' || r == '-' || r == '–' || r == '—' || r == '•' || r == '*' || r == '>':
			i -= n
		default:
			return false
		}
	}
	return true
}

// letterOrDigitBefore reports whether a letter or digit ends just before i:
// a match starting at i would then cut a word or number in two.
func letterOrDigitBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// letterOrDigitAt reports whether a letter or digit starts at i.
func letterOrDigitAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := decodeRune(s, i)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// skipSpaces returns the index after at most max horizontal spaces from i.
func skipSpaces(s string, i, max int) int {
	for n := 0; n < max && i < len(s); n++ {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0xa0: // no-break space
			i += 2
		default:
			return i
		}
	}
	return i
}
