package channel

import (
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
)

// HorizonDays is how many days ahead a channel's rota must cover its
// coverage policy for the channel to go live, and how far ahead gaps are
// alerted.
const HorizonDays = 28

// Horizon returns the end of the window that starts at now: the same wall
// clock time HorizonDays later in Stockholm, so the window is four weeks of
// days even across a DST change.
func Horizon(now time.Time) time.Time {
	return now.In(calendar.Stockholm).AddDate(0, 0, HorizonDays)
}

// Problem is a rule a channel breaks. Rule is a stable name for programs;
// Message says it in Swedish for people.
type Problem struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// RuleError is the refusal of a change that would break the registry's
// rules; it lists every rule broken.
type RuleError struct {
	// Lead says what was refused: "Kanalen kan inte bli aktiv:".
	Lead     string
	Problems []Problem
}

// Error lists the rules broken, for logs.
func (e *RuleError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

// refuse wraps problems into an error that the web and API show in full.
func refuse(lead string, problems []Problem) error {
	re := &RuleError{Lead: lead, Problems: problems}
	return &apperr.Error{Kind: apperr.Conflict, Message: lead + " " + re.Error(), Err: re}
}

// Check returns the rules that keep c from being active: an owner with an
// account and the owner role, an editor other than the owner, the notice
// for the comment field, and a rota that leaves no gap in the coverage
// policy from now to Horizon(now). It is pure: the caller loads c and r.
func Check(c Channel, r calendar.Rota, now time.Time) []Problem {
	var out []Problem
	out = append(out, peopleProblems(c)...)
	if strings.TrimSpace(c.CommentNotice) == "" {
		out = append(out, Problem{"notice", "Kanalen saknar information till användarna i kommentarsfältet (vem som driver kanalen, vem som kan se inläggen, att det som skrivs blir allmän handling och vad som tas bort)."})
	}
	gaps, err := Coverage(c, r, now, Horizon(now))
	if err != nil {
		out = append(out, Problem{"rota", "Jourschemat är ogiltigt: " + apperr.Message(err)})
	} else if len(gaps) > 0 {
		out = append(out, Problem{"coverage", "Jourschemat lämnar luckor i bevakningstiden de närmaste fyra veckorna: " + listGaps(gaps, 3) + "."})
	}
	return out
}

func peopleProblems(c Channel) []Problem {
	var out []Problem
	owner, ok := c.Owner()
	switch {
	case !ok:
		out = append(out, Problem{"owner", "Kanalen saknar kontoansvarig."})
	case !owner.Active:
		out = append(out, Problem{"owner", fmt.Sprintf("Kontoansvarig (%s) har inget aktivt konto.", owner.Name)})
	case !owner.HasOwnerRole:
		out = append(out, Problem{"owner", fmt.Sprintf("Kontoansvarig (%s) har inte rollen Kontoansvarig i Tilltal.", owner.Name)})
	}
	editor := false
	for _, m := range c.Editors() {
		if m.Active && (m.HasEditorRole || m.HasOwnerRole) && m.UserID != owner.UserID {
			editor = true
		}
	}
	if !editor {
		out = append(out, Problem{"editor", "Kanalen saknar en redaktör utöver kontoansvarig (med aktivt konto och rollen Redaktör)."})
	}
	return out
}

// reviewProblems are the checklist items the communicator has not ticked.
func reviewProblems(c Checklist) []Problem {
	var out []Problem
	if !c.Sender {
		out = append(out, Problem{"sender", "Granskningen har inte bekräftat att avsändaren är tydlig."})
	}
	if !c.GraphicProfile {
		out = append(out, Problem{"graphic_profile", "Granskningen har inte bekräftat att den grafiska profilen följs."})
	}
	if !c.NamePicture {
		out = append(out, Problem{"name_picture", "Granskningen har inte bekräftat att namn och profilbild följer reglerna."})
	}
	return out
}

// Coverage returns the stretches in [from, to) that c's policy requires
// covered and that r leaves uncovered. Only shifts of members with an
// active account count: when someone leaves, their shifts stop covering.
func Coverage(c Channel, r calendar.Rota, from, to time.Time) ([]calendar.Gap, error) {
	active := map[int64]bool{}
	for _, m := range c.Members {
		if m.Active {
			active[m.UserID] = true
		}
	}
	var eff calendar.Rota
	for _, w := range r.Weekly {
		if active[w.PersonID] {
			eff.Weekly = append(eff.Weekly, w)
		}
	}
	for _, h := range r.Holiday {
		if active[h.PersonID] {
			eff.Holiday = append(eff.Holiday, h)
		}
	}
	for _, x := range r.Extra {
		if active[x.PersonID] {
			eff.Extra = append(eff.Extra, x)
		}
	}
	eff.Absences = r.Absences
	shifts, err := eff.Expand(from, to)
	if err != nil {
		return nil, err
	}
	return calendar.Gaps(c.Policy, shifts, from, to), nil
}

// FormatGap shows a gap in Stockholm time for people: "lördag 2026-12-05
// 08:00–22:00", with the end's day when it differs.
func FormatGap(g calendar.Gap) string {
	a, b := g.Start.In(calendar.Stockholm), g.End.In(calendar.Stockholm)
	end := b.Format("15:04")
	if calendar.DateOf(a) != calendar.DateOf(b) {
		end = calendar.WeekdayName(b.Weekday()) + " " + b.Format("2006-01-02 15:04")
		if b.Hour() == 0 && b.Minute() == 0 && calendar.DateOf(a).AddDays(1) == calendar.DateOf(b) {
			end = "24:00"
		}
	}
	return calendar.WeekdayName(a.Weekday()) + " " + a.Format("2006-01-02 15:04") + "–" + end
}

// listGaps lists up to n gaps and says how many more there are.
func listGaps(gaps []calendar.Gap, n int) string {
	var parts []string
	for _, g := range gaps[:min(n, len(gaps))] {
		parts = append(parts, FormatGap(g))
	}
	s := strings.Join(parts, ", ")
	if len(gaps) > n {
		s += fmt.Sprintf(" och %d till", len(gaps)-n)
	}
	return s
}
