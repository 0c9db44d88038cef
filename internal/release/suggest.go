package release

import (
	"unicode/utf8"

	"tilltal/internal/pii"
)

// Suggestion is a span Tilltal proposes to mask, for the registrar to
// judge: personal data pii found, or a whole record of the secrecy class.
type Suggestion struct {
	Start, End int
	// Kind is pii's kind ("personnummer", "namn"…) or "sekretess".
	Kind string
	// Reason explains the suggestion in Swedish without repeating the data.
	Reason string
	// Ground is the ground the form proposes.
	Ground string
	// Redacted is true when a redaction already covers the span.
	Redacted bool
}

// defaultGround is the ground proposed for personal data.
const defaultGround = "OSL 21 kap. 7 §"

// Suggest returns the spans of a selected record's text Tilltal proposes to
// mask, marking those the redactions already cover.
func Suggest(sel Selected, rs []Redaction) []Suggestion {
	text := sel.Text()
	var out []Suggestion
	if sel.Record.Secret && text != "" {
		g := sel.Record.SecrecyGround
		if g == "" {
			g = defaultGround
		}
		out = append(out, Suggestion{Start: 0, End: utf8.RuneCountInString(text), Kind: "sekretess", Ground: g,
			Reason: "Handlingen är klassad som sekretess i arkivet; pröva om hela texten eller delar av den ska maskeras."})
	}
	for _, f := range pii.Scan(text) {
		if !f.Personal() {
			continue
		}
		start := utf8.RuneCountInString(text[:f.Start])
		out = append(out, Suggestion{Start: start, End: start + utf8.RuneCountInString(f.Text), Kind: f.Kind.String(), Reason: f.Reason, Ground: defaultGround})
	}
	for i := range out {
		out[i].Redacted = covered(out[i].Start, out[i].End, sel.Seq, rs)
	}
	return out
}

// covered reports whether redactions of the record cover [start, end).
func covered(start, end int, seq int64, rs []Redaction) bool {
	for pos := start; pos < end; {
		next := pos
		for _, r := range rs {
			if r.Seq == seq && r.Start <= pos && pos < r.End {
				next = r.End
				break
			}
		}
		if next == pos {
			return false
		}
		pos = next
	}
	return true
}
