package replycheck

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// signOffTail is how far from the end a sign-off is looked for, in code
// points; it keeps the check fast on long texts.
const signOffTail = 400

// maxMarkedLine bounds the line marked when the sign-off is missing; a
// longer last line is marked by its last word, where the sign-off belongs.
const maxMarkedLine = 60

// checkSignOff looks for one of the channel's sign-offs at the end of the
// reply. It returns the spans of the editor's name in the sign-off found,
// which are not personal data to warn about, or a finding when none is there.
func checkSignOff(t *text, patterns []string) ([]span, []Finding) {
	if len(patterns) == 0 {
		return nil, nil
	}
	from := max(0, len(t.rs)-signOffTail)
	tail := string(t.rs[from:])
	for _, p := range patterns {
		re := signOffRegexp(p)
		if re == nil {
			continue
		}
		m := re.FindStringSubmatchIndex(tail)
		if m == nil {
			continue
		}
		var names []span
		for g := 2; g+1 < len(m); g += 2 {
			if m[g] >= 0 {
				names = append(names, span{from + utf8.RuneCountInString(tail[:m[g]]), from + utf8.RuneCountInString(tail[:m[g+1]])})
			}
		}
		return names, nil
	}
	last := lastLine(t.rs)
	if last.end-last.start > maxMarkedLine && len(t.words) > 0 {
		last = t.words[len(t.words)-1].span
	}
	return nil, []Finding{{Kind: KindTone, Start: last.start, End: last.end, Severity: Warn,
		Message: "Svaret saknar avsändare enligt kanalens regler. Avsluta till exempel med: " + strings.TrimSpace(patterns[0])}}
}

// lastLine returns the last line of rs that is not blank, without the
// spaces around it.
func lastLine(rs []rune) span {
	end := len(rs)
	for end > 0 && unicode.IsSpace(rs[end-1]) {
		end--
	}
	start := end
	for start > 0 && rs[start-1] != '\n' {
		start--
	}
	for start < end && unicode.IsSpace(rs[start]) {
		start++
	}
	return span{start, end}
}

// placeholders stand for the editor's name in a sign-off pattern.
var placeholders = map[string]bool{"förnamn": true, "efternamn": true, "namn": true, "name": true}

// namePattern matches a name of one to four words.
const namePattern = `(\p{L}[\p{L}\p{M}'’.\-]*(?:[ \t]+\p{L}[\p{L}\p{M}'’.\-]*){0,3})`

var signOffCache sync.Map // pattern → *regexp.Regexp (nil when it cannot compile)

// signOffRegexp compiles a sign-off pattern, once: literal text ignoring
// case, any spacing between parts, placeholders as names, at the very end
// of the text apart from spaces and a closing "." or "!".
func signOffRegexp(p string) *regexp.Regexp {
	if re, ok := signOffCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	var parts []string
	for _, tok := range signOffTokens(p) {
		if placeholders[strings.ToLower(tok)] || strings.HasPrefix(tok, "<") && strings.HasSuffix(tok, ">") {
			parts = append(parts, namePattern)
		} else {
			parts = append(parts, regexp.QuoteMeta(tok))
		}
	}
	var re *regexp.Regexp
	if len(parts) > 0 {
		re, _ = regexp.Compile(`(?i)` + strings.Join(parts, `\s*`) + `[\s.!]*\z`)
	}
	signOffCache.Store(p, re)
	return re
}

// signOffTokens splits a pattern into placeholders ("<namn>", "Förnamn")
// and runs of other text, dropping spaces.
func signOffTokens(p string) []string {
	var out []string
	for _, field := range strings.Fields(p) {
		for field != "" {
			open := strings.IndexByte(field, '<')
			if open < 0 {
				out = append(out, wordsAndPunct(field)...)
				break
			}
			closing := strings.IndexByte(field[open:], '>')
			if closing < 0 {
				out = append(out, wordsAndPunct(field)...)
				break
			}
			out = append(out, wordsAndPunct(field[:open])...)
			out = append(out, field[open:open+closing+1])
			field = field[open+closing+1:]
		}
	}
	return out
}

// wordsAndPunct splits "/Förnamn," into "/", "Förnamn" and ",", so that a
// placeholder word is seen even with punctuation around it.
func wordsAndPunct(s string) []string {
	var out []string
	start := 0
	letter := false
	for i, r := range s {
		l := unicode.IsLetter(r)
		if i > start && l != letter {
			out = append(out, s[start:i])
			start = i
		}
		letter = l
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// ValidSignOff reports whether p is a sign-off pattern the check can look
// for: it must compile and hold some literal text or a placeholder.
func ValidSignOff(p string) bool {
	return strings.TrimSpace(p) != "" && signOffRegexp(p) != nil
}
