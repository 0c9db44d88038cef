package replycheck

import "strings"

// nameMatch is a thread person's name found in the reply.
type nameMatch struct {
	span
	sev Severity
	msg string
}

const (
	threadNameMessage = "Namnet på en privatperson som nämns i tråden: ta bort det. Personuppgifter får inte spridas."
	surnameMessage    = "Efternamnet på en privatperson i tråden: nämn inte personer vid namn."
	minSurnameLetters = 4 // shorter surnames ("Ek", "Berg") are too often words
)

// threadNames finds the names of the thread's private persons in the reply:
// the whole name, or given name and surname, blocks; the surname alone,
// capitalised, warns. A given name alone ("Hej Anna!") is how one answers
// someone and is not flagged, nor is the editor's own name in the sign-off.
func threadNames(t *text, people [][]string, allow []string, signOff []span) []nameMatch {
	var out []nameMatch
	allowed := map[string]bool{}
	for _, a := range allow {
		allowed[strings.ToLower(strings.Join(strings.Fields(a), " "))] = true
	}
	taken := func(s span) bool { return overlapsAny(s, signOff) || overlapsAny(s, spansOf(out)) }
	for _, p := range people {
		if allowed[strings.Join(p, " ")] {
			continue
		}
		for i := range t.words {
			if n := nameAt(t, i, p); n > 0 {
				s := span{t.words[i].start, t.words[i+n-1].end}
				if !taken(s) {
					out = append(out, nameMatch{s, Block, threadNameMessage})
				}
			}
		}
	}
	for _, p := range people {
		last := p[len(p)-1]
		if allowed[strings.Join(p, " ")] || len([]rune(last)) < minSurnameLetters {
			continue
		}
		for _, w := range t.words {
			if w.capital && sameName(last, w.lower) && !taken(w.span) {
				out = append(out, nameMatch{w.span, Warn, surnameMessage})
			}
		}
	}
	return out
}

// nameAt returns how many words of the reply, from word i, spell the
// person's full name or given name and surname; 0 when they do not.
func nameAt(t *text, i int, p []string) int {
	if !sameName(p[0], t.words[i].lower) {
		return 0
	}
	if phrase(p).matchNameAt(t, i) {
		return len(p)
	}
	if len(p) > 2 && phrase([]string{p[0], p[len(p)-1]}).matchNameAt(t, i) {
		return 2
	}
	return 0
}

// matchNameAt is matchAt for names: the last word may carry a genitive s.
func (p phrase) matchNameAt(t *text, i int) bool {
	if i+len(p) > len(t.words) {
		return false
	}
	for k, n := range p {
		w := t.words[i+k]
		if k < len(p)-1 && n != w.lower || k == len(p)-1 && !sameName(n, w.lower) {
			return false
		}
		if k > 0 && !onlySpaces(t.rs[t.words[i+k-1].end:w.start]) {
			return false
		}
	}
	return true
}

// sameName reports whether w is the name n, or its genitive ("Anderssons").
func sameName(n, w string) bool {
	return w == n || w == n+"s"
}

func spansOf(ms []nameMatch) []span {
	out := make([]span, len(ms))
	for i, m := range ms {
		out[i] = m.span
	}
	return out
}
