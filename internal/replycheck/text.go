package replycheck

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a stretch of the text in code points: rs[start:end].
type span struct{ start, end int }

// word is a run of letters and digits. Hyphens, apostrophes, slashes and
// dots join two such runs into one word ("e-tjänsten", "t.ex", "och/eller",
// "10.30"); a colon or comma only between digits ("10:30", "3,5"); "@" and
// "_" always, so that an e-mail address is one word.
type word struct {
	span
	lower   string // lower-cased
	letters int    // letters only: digits and joiners do not make a word long
	upper   bool   // two or more capitals and no small letter
	capital bool   // starts with a capital letter
}

// text is a reply taken apart once and shared by every rule.
type text struct {
	src   string
	rs    []rune
	words []word // words outside links
	links []span // web addresses
	bytes []int32
}

func analyse(s string) *text {
	t := &text{src: s, rs: []rune(s)}
	t.links = findLinks(t.rs)
	t.words = splitWords(t.rs, t.links)
	return t
}

// runeAt converts a byte offset of src to a code-point offset. Invalid
// UTF-8 counts one code point per bad byte, as []rune does.
func (t *text) runeAt(b int) int {
	if t.bytes == nil {
		t.bytes = make([]int32, len(t.src)+1)
		n := int32(0)
		for i := 0; i < len(t.src); {
			_, w := utf8.DecodeRuneInString(t.src[i:])
			for k := range w {
				t.bytes[i+k] = n
			}
			i += w
			n++
		}
		t.bytes[len(t.src)] = n
	}
	return int(t.bytes[max(0, min(b, len(t.src)))])
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// joins reports whether j between prev and next keeps a word together.
func joins(prev, j, next rune) bool {
	switch j {
	case '-', '\'', '’', '/', '.', '@', '_':
		return true
	case ':', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return false
}

// splitWords finds the words of rs, skipping links.
func splitWords(rs []rune, links []span) []word {
	var ws []word
	li := 0
	for i := 0; i < len(rs); {
		if li < len(links) && i >= links[li].start {
			i = max(i, links[li].end)
			li++
			continue
		}
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		start := i
		for i++; i < len(rs); i++ {
			if isWordRune(rs[i]) {
				continue
			}
			if i+1 < len(rs) && isWordRune(rs[i+1]) && joins(rs[i-1], rs[i], rs[i+1]) {
				i++
				continue
			}
			break
		}
		ws = append(ws, newWord(rs, start, i))
	}
	return ws
}

func newWord(rs []rune, start, end int) word {
	w := word{span: span{start, end}, lower: strings.ToLower(string(rs[start:end]))}
	caps, small := 0, 0
	for _, r := range rs[start:end] {
		if !unicode.IsLetter(r) {
			continue
		}
		w.letters++
		if unicode.IsUpper(r) {
			caps++
		} else if unicode.IsLower(r) {
			small++
		}
	}
	w.upper = caps >= 2 && small == 0
	w.capital = unicode.IsUpper(rs[start])
	return w
}

// findLinks returns the web addresses in rs: anything from "http://",
// "https://" or "www." to the next space, without trailing punctuation.
func findLinks(rs []rune) []span {
	var out []span
	for i := 0; i < len(rs); i++ {
		if !linkStart(rs, i) {
			continue
		}
		end := i
		for end < len(rs) && !unicode.IsSpace(rs[end]) {
			end++
		}
		for end > i && strings.ContainsRune(".,;:!?)]}\"'”»", rs[end-1]) {
			end--
		}
		out = append(out, span{i, end})
		i = end
	}
	return out
}

// linkStart reports whether a web address starts at i.
func linkStart(rs []rune, i int) bool {
	if i > 0 && isWordRune(rs[i-1]) {
		return false
	}
	for _, p := range [...]string{"https://", "http://", "www."} {
		if hasPrefixFold(rs[i:], p) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether rs starts with the ASCII prefix p, ignoring case.
func hasPrefixFold(rs []rune, p string) bool {
	if len(rs) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if unicode.ToLower(rs[k]) != rune(p[k]) {
			return false
		}
	}
	return true
}

// topLevelDomains are the endings that make "exempelby.se" a link.
var topLevelDomains = map[string]bool{
	"se": true, "nu": true, "com": true, "org": true, "net": true, "eu": true,
	"info": true, "io": true, "gov": true, "fi": true, "no": true, "dk": true,
}

// isDomain reports whether a word is a bare web address such as
// "exempelby.se" or "exempelby.se/skola".
func isDomain(w word) bool {
	host, _, _ := strings.Cut(w.lower, "/")
	dot := strings.LastIndexByte(host, '.')
	if dot < 2 || strings.ContainsRune(host, '@') {
		return false
	}
	return topLevelDomains[host[dot+1:]]
}

// hasLink reports whether the text links anywhere.
func (t *text) hasLink() bool {
	if len(t.links) > 0 {
		return true
	}
	for _, w := range t.words {
		if isDomain(w) {
			return true
		}
	}
	return false
}
