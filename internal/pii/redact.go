package pii

import (
	"slices"
	"strings"
)

// Redact returns text with each personal finding replaced by its kind in
// brackets ("[personnummer]", "[namn]"). Findings that are not personal data
// (organisation numbers), that lie outside text, or that overlap an earlier
// finding are left alone, so findings from an older version of the text can do
// no harm. To redact only confident findings, filter them first.
func Redact(text string, findings []Finding) string {
	fs := slices.Clone(findings)
	slices.SortFunc(fs, func(a, b Finding) int { return a.Start - b.Start })
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for _, f := range fs {
		if !f.Personal() || f.Start < pos || f.End > len(text) || f.Start >= f.End {
			continue
		}
		b.WriteString(text[pos:f.Start])
		b.WriteString("[" + f.Kind.String() + "]")
		pos = f.End
	}
	b.WriteString(text[pos:])
	return b.String()
}
