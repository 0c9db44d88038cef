// Package replycheck checks a reply before it is sent, as the guideline for
// the municipality's social media asks: no personal data, a link when
// quoting or referring to a decision, answers from what the editor knows
// rather than guesses, a serious and friendly tone with the channel's
// sign-off, and plain Swedish (klarspråk) measured by LIX.
//
// Check is the one contract used everywhere: the reply form shows its
// findings while the editor types, the API returns them from POST
// /api/v1/check, and sending refuses a reply with a blocking finding unless
// the editor overrides it with a logged reason. Offsets are in Unicode code
// points, so that a browser can highlight them without knowing UTF-8.
package replycheck

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Kind says what a finding is about. Its value is the stable identifier used
// in JSON.
type Kind string

// The kinds of finding.
const (
	KindPersonnummer      Kind = "personnummer"
	KindSamordningsnummer Kind = "samordningsnummer"
	KindInterim           Kind = "interim"
	KindPhone             Kind = "phone"
	KindEmail             Kind = "email"
	KindAddress           Kind = "address"
	KindName              Kind = "name"
	KindQuoteWithoutLink  Kind = "quote_without_link"
	KindSpeculation       Kind = "speculation"
	KindTone              Kind = "tone"
	KindReadability       Kind = "readability"
)

// Severity says whether a finding stops sending.
type Severity string

const (
	// Block stops sending until the text is changed or the editor overrides
	// the check with a reason that is logged.
	Block Severity = "block"
	// Warn is advice: the editor may send anyway.
	Warn Severity = "warn"
)

// DefaultLIXLimit is the readability limit when a channel sets none: above
// 45 a text counts as fairly hard to read.
const DefaultLIXLimit = 45

// Finding is one problem in a reply. Start and End are offsets in Unicode
// code points (not bytes) of the checked text: the finding covers
// []rune(text)[Start:End].
type Finding struct {
	Kind     Kind     `json:"kind"`
	Start    int      `json:"start"`
	End      int      `json:"end"`
	Severity Severity `json:"severity"`
	// Message explains the finding in Swedish. It never repeats personal
	// data, so it is safe to log.
	Message string `json:"message"`
}

// Rules are a channel's rules for replies.
type Rules struct {
	// SignOffs are the accepted ways to end a reply; when there are any, a
	// reply must end with one of them. Literal text is matched ignoring case
	// and spacing; a placeholder in angle brackets ("<namn>") or one of the
	// words Förnamn, Efternamn and Namn stands for the editor's name:
	// "/Förnamn", "Hälsningar, <namn>, Exempelby kommun".
	SignOffs []string
	// LIXLimit is the highest acceptable readability index; 0 means
	// DefaultLIXLimit.
	LIXLimit float64
}

// Input is what Check looks at.
type Input struct {
	// Text is the reply.
	Text string
	// ThreadTexts are the texts that others than the municipality wrote in
	// the thread being answered; personal data and names of persons found
	// in them block when repeated in the reply.
	ThreadTexts []string
	// ThreadAuthors are the names of the private persons who wrote in the
	// thread (not the municipality's own account).
	ThreadAuthors []string
	// Rules are the channel's rules.
	Rules Rules
	// Allow lists texts that are never flagged: the municipality's own phone
	// numbers, e-mail addresses and street addresses.
	Allow []string
}

// Check finds the problems in a reply, in text order. It never returns nil,
// so that "no findings" is an empty JSON array. When ctx is cancelled it
// stops early and returns what it has found so far.
func Check(ctx context.Context, in Input) []Finding {
	out := []Finding{}
	if strings.TrimSpace(in.Text) == "" {
		return out
	}
	t := analyse(in.Text)
	signOff, sfs := checkSignOff(t, in.Rules.SignOffs)
	out = append(out, sfs...)
	out = append(out, personalData(ctx, t, in, signOff)...)
	if ctx.Err() == nil {
		out = append(out, quotesWithoutLink(t)...)
		out = append(out, speculation(t)...)
		out = append(out, tone(t)...)
		out = append(out, readability(t, in.Rules.LIXLimit)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// Blocking reports whether any finding stops sending.
func Blocking(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Block })
}
