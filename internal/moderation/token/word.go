package token

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxJoin is how many emoji, leet or apostrophe characters in a row may sit
// between two letters and still be read as part of one word.
const maxJoin = 3

// word reads the word that starts at units[i] and returns where it ends.
func (sc *scratch) word(i int) int {
	us := sc.units
	sc.runes = sc.runes[:0]
	letters, digits := 0, 0
	j := i
	if us[j].c == clsLeet {
		// "$kit" is "skit", but "@kommunen" is a mention of "kommunen".
		if us[j].r != '@' {
			sc.runes = append(sc.runes, leet(us[j].r))
			letters++
		}
		j++
	}
	for j < len(us) {
		switch us[j].c {
		case clsLetter:
			sc.runes = append(sc.runes, us[j].r)
			letters++
			j++
			continue
		case clsDigit:
			sc.runes = append(sc.runes, us[j].r)
			digits++
			j++
			continue
		case clsLeet, clsApos, clsEmoji:
			k := j
			for k < len(us) && k-j < maxJoin && joiner(us[k].c) {
				k++
			}
			if k == len(us) || (us[k].c != clsLetter && us[k].c != clsDigit) {
				break
			}
			for ; j < k; j++ {
				switch us[j].c {
				case clsLeet:
					sc.runes = append(sc.runes, leet(us[j].r))
					letters++
				case clsApos:
					sc.runes = append(sc.runes, '\'')
				}
			}
			continue
		}
		break
	}
	kind := Number
	if letters > 0 {
		kind = Word
		if digits > 0 {
			leetDigits(sc.runes)
		}
		sc.runes = collapse(sc.runes)
	}
	a := int32(len(sc.buf))
	for _, r := range sc.runes {
		sc.buf = utf8.AppendRune(sc.buf, r)
	}
	sc.toks = append(sc.toks, tok{a: a, b: int32(len(sc.buf)), kind: kind, start: us[i].start, end: us[j-1].end})
	return j
}

// leetDigits reads digits between letters as leetspeak ("d0da", "n1gger").
// Digits before or after the letters are numbers: "12åring", "tv4", "e4".
func leetDigits(w []rune) {
	last := -1
	for k, r := range w {
		if unicode.IsLetter(r) {
			last = k
		}
	}
	seen := false
	for k, r := range w[:last+1] {
		if unicode.IsLetter(r) {
			seen = true
		} else if seen {
			w[k] = leet(r)
		}
	}
}

func joiner(c class) bool { return c == clsLeet || c == clsApos || c == clsEmoji }

// leet reads a digit or symbol inside a word as the letter it stands for.
func leet(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '|':
		return 'l'
	}
	return r
}

// collapse shortens stretched letters to one: three or more of a vowel
// ("dööööda" is "döda", "jaaaag" is "jag") or four or more of a consonant.
// Compounds may triple a consonant ("massskjutning"), never a vowel.
func collapse(w []rune) []rune {
	out := w[:0]
	for i := 0; i < len(w); {
		j := i + 1
		for j < len(w) && w[j] == w[i] {
			j++
		}
		n := j - i
		if n >= 4 || n == 3 && strings.ContainsRune("aeiouyåäö", w[i]) {
			n = 1
		}
		for range n {
			out = append(out, w[i])
		}
		i = j
	}
	return out
}

// url reads a web address or e-mail address starting at units[i], if there
// is one, as a URL token holding the host name.
func (sc *scratch) url(i int) (int, bool) {
	us := sc.units
	j, dot := i, false
	for j < len(us) && us[j].c != clsSpace && us[j].c != clsNewline && us[j].c != clsQuote && us[j].c != clsEmoji {
		dot = dot || us[j].r == '.'
		j++
	}
	for j > i && (us[j-1].c == clsPunct || us[j-1].r == ')') {
		j--
	}
	if !dot || j-i < 4 {
		return i, false
	}
	sc.runes = sc.runes[:0]
	for _, u := range us[i:j] {
		sc.runes = append(sc.runes, u.r)
	}
	host, ok := hostOf(string(sc.runes))
	if !ok {
		return i, false
	}
	a := int32(len(sc.buf))
	sc.buf = append(sc.buf, host...)
	sc.toks = append(sc.toks, tok{a: a, b: int32(len(sc.buf)), kind: URL, start: us[i].start, end: us[j-1].end})
	return j, true
}

// hostOf returns the host name of a web address ("https://www.x.se/a" and
// "x.se/a" give "x.se") or the domain of an e-mail address.
func hostOf(s string) (string, bool) {
	scheme := false
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(s, p) {
			s, scheme = s[len(p):], true
		}
	}
	if at := strings.LastIndexByte(s, '@'); at > 0 && !scheme {
		s = s[at+1:]
	}
	if k := strings.IndexAny(s, "/?#:"); k >= 0 {
		s = s[:k]
	}
	www := strings.HasPrefix(s, "www.")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "www."), "m.")
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 {
		return "", false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == 'å' || r == 'ä' || r == 'ö') {
			return "", false
		}
	}
	if !scheme && !www && !topLevel[s[dot+1:]] {
		return "", false
	}
	return s, true
}

// topLevel are the top-level domains taken as a web address without
// "http" or "www": the common ones, and those piracy and gore sites use.
var topLevel = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`se nu com org net io info biz eu de uk dk no fi ru co me tv to cc ws is ag
		xyz site lol li sx ch app link live cx vc st pw rs ms la fm gg pro top online club watch movie
		stream tk ml ga cf gq su ly be fr es it nl pl am mx`) {
		topLevel[t] = true
	}
}

// mergeSpaced joins runs of three or more single letters written apart
// ("d ö d a", "d.ö.d.a", "d-ö-d-a") into one word.
func (sc *scratch) mergeSpaced() {
	ts := sc.toks
	w := 0
	for r := 0; r < len(ts); {
		last, n := r, 1
		for sc.single(ts[r]) {
			next := last + 1
			if next+1 < len(ts) && ts[next].kind == Punct && sc.buf[ts[next].a] == '.' {
				next++
			}
			if next >= len(ts) || !sc.single(ts[next]) || ts[next].start-ts[last].end > 3 {
				break
			}
			last, n = next, n+1
		}
		if n < 3 {
			ts[w] = ts[r]
			w, r = w+1, r+1
			continue
		}
		w = sc.joinRun(ts, w, r, last)
		r = last + 1
	}
	sc.toks = ts[:w]
}

// joinRun writes the words spelt by the single letters ts[r:last+1] at
// ts[w:] and returns the new w. Where the letters are spaced unevenly, the
// wider gaps part words: "j a g  s k a" is "jag ska".
func (sc *scratch) joinRun(ts []tok, w, r, last int) int {
	narrow := int32(1 << 30)
	for k := r + 1; k <= last; k++ {
		if ts[k].kind == Word && ts[k-1].kind == Word {
			narrow = min(narrow, ts[k].start-ts[k-1].end)
		}
	}
	start, a := ts[r].start, int32(len(sc.buf))
	prevEnd := ts[r].start
	for k := r; k <= last; k++ {
		t := ts[k]
		if t.kind != Word {
			continue
		}
		if k > r && t.start-prevEnd > narrow && int32(len(sc.buf)) > a {
			ts[w] = tok{a: a, b: int32(len(sc.buf)), kind: Word, start: start, end: prevEnd}
			w++
			start, a = t.start, int32(len(sc.buf))
		}
		sc.buf = append(sc.buf, sc.buf[t.a:t.b]...)
		prevEnd = t.end
	}
	ts[w] = tok{a: a, b: int32(len(sc.buf)), kind: Word, start: start, end: prevEnd}
	return w + 1
}

// single reports a word of one letter.
func (sc *scratch) single(t tok) bool {
	if t.kind != Word {
		return false
	}
	_, n := utf8.DecodeRune(sc.buf[t.a:t.b])
	return int32(n) == t.b-t.a
}
