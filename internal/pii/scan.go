package pii

import (
	"slices"
	"strings"
)

// Finding is one piece of personal data (or an organisation number) in a text.
type Finding struct {
	Kind Kind `json:"kind"`
	// Start and End are byte offsets into the scanned text: Text == text[Start:End].
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	// Confidence is between 0 and 1: about 0.9 for a validated personnummer,
	// 0.7-0.8 for a clear phone number, e-mail, address or name, and 0.5 or
	// below for weaker signs that an editor should judge.
	Confidence float64 `json:"confidence"`
	// Reason explains the finding in Swedish for the editor. It never repeats
	// the data itself, so it is safe to log.
	Reason string `json:"reason"`
}

// Personal reports whether the finding is personal data.
func (f Finding) Personal() bool { return f.Kind.Personal() }

// Scanner finds personal data. The zero Scanner is ready to use; Scan uses one.
type Scanner struct {
	allow map[string]struct{}
}

// NewScanner returns a scanner that does not report the given texts: for
// instance the municipality's own switchboard number and e-mail addresses,
// which appear in many replies. Phone numbers are compared by their digits,
// other texts ignoring case and spacing.
func NewScanner(allow ...string) *Scanner {
	sc := &Scanner{allow: make(map[string]struct{}, 2*len(allow))}
	for _, a := range allow {
		sc.allow[normalText(a)] = struct{}{}
		if d := phoneKey(a); d != "" {
			sc.allow[d] = struct{}{}
		}
	}
	return sc
}

var defaultScanner Scanner

// Scan finds personal data in text with the default scanner. Findings are in
// text order and do not overlap.
func Scan(text string) []Finding { return defaultScanner.Scan(text) }

// Scan finds personal data in text. Findings are in text order and do not
// overlap; where two detectors claim the same bytes, the more confident (then
// the longer) finding wins. Invalid UTF-8 is tolerated.
func (sc *Scanner) Scan(text string) []Finding {
	var fs []Finding
	fs = scanNumbers(text, fs)
	fs = scanEmails(text, fs)
	fs = scanAddresses(text, fs)
	fs = scanNames(text, fs)
	fs = resolve(fs)
	for i := range fs {
		fs[i].Text = text[fs[i].Start:fs[i].End]
	}
	if len(sc.allow) > 0 {
		fs = slices.DeleteFunc(fs, sc.allowed)
	}
	return fs
}

// HasPersonalData reports whether text holds personal data found with at
// least the given confidence.
func (sc *Scanner) HasPersonalData(text string, minConfidence float64) bool {
	for _, f := range sc.Scan(text) {
		if f.Personal() && f.Confidence >= minConfidence {
			return true
		}
	}
	return false
}

func (sc *Scanner) allowed(f Finding) bool {
	if _, ok := sc.allow[normalText(f.Text)]; ok {
		return true
	}
	if f.Kind == KindPhone {
		_, ok := sc.allow[phoneKey(f.Text)]
		return ok
	}
	return false
}

// normalText lower-cases s and collapses white space, for allow-list lookups.
func normalText(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// resolve sorts findings and drops overlaps: of two findings that share
// bytes, the more confident one stays, or the longer one on a tie.
func resolve(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	slices.SortFunc(fs, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	out := fs[:1]
	for _, f := range fs[1:] {
		last := &out[len(out)-1]
		switch {
		case f.Start >= last.End:
			out = append(out, f)
		case f.Confidence > last.Confidence ||
			f.Confidence == last.Confidence && f.End-f.Start > last.End-last.Start:
			// f starts no earlier than last, so it cannot reach the finding
			// kept before last.
			*last = f
		}
	}
	return out
}
