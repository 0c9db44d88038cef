package replycheck

import "strings"

// phrase is a sequence of lower-case word patterns. A pattern "x*" matches
// words that start with x, "*x" words that end with x ("*nämnden" matches
// "barn- och utbildningsnämnden"'s last word), anything else the word itself.
type phrase []string

// phrases parses a list of phrases written as space-separated patterns.
func phrases(list ...string) []phrase {
	out := make([]phrase, len(list))
	for i, s := range list {
		out[i] = strings.Fields(s)
	}
	return out
}

func patternMatches(p, w string) bool {
	switch {
	case len(p) > 1 && p[len(p)-1] == '*':
		return strings.HasPrefix(w, p[:len(p)-1])
	case len(p) > 1 && p[0] == '*':
		return strings.HasSuffix(w, p[1:])
	}
	return p == w
}

// matchAt reports whether the phrase starts at word i. Its words must follow
// each other within one sentence: only spaces between them.
func (p phrase) matchAt(t *text, i int) bool {
	if i+len(p) > len(t.words) {
		return false
	}
	for k, pat := range p {
		w := t.words[i+k]
		if !patternMatches(pat, w.lower) {
			return false
		}
		if k > 0 && !onlySpaces(t.rs[t.words[i+k-1].end:w.start]) {
			return false
		}
	}
	return true
}

func onlySpaces(rs []rune) bool {
	for _, r := range rs {
		if r != ' ' && r != '\u00a0' && r != '\t' {
			return false
		}
	}
	return true
}

// findPhrases returns where the phrases occur, the longest at each place,
// without overlaps.
func findPhrases(t *text, ps []phrase) []span {
	var out []span
	for i := 0; i < len(t.words); i++ {
		best := 0
		for _, p := range ps {
			if len(p) > best && p.matchAt(t, i) {
				best = len(p)
			}
		}
		if best > 0 {
			out = append(out, span{t.words[i].start, t.words[i+best-1].end})
			i += best - 1
		}
	}
	return out
}

// spansToFindings turns spans into findings of one kind and message.
func spansToFindings(ss []span, kind Kind, sev Severity, msg string) []Finding {
	out := make([]Finding, 0, len(ss))
	for _, s := range ss {
		out = append(out, Finding{Kind: kind, Start: s.start, End: s.end, Severity: sev, Message: msg})
	}
	return out
}
