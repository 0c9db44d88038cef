package replycheck

import (
	"context"
	"strings"

	"tilltal/internal/pii"
)

// Confidence thresholds for pii findings. A phone number, e-mail or address
// this likely to be a person's blocks; below it the editor is warned. A name
// below nameWarnConfidence is more likely ordinary words than a person.
const (
	blockConfidence    = 0.6
	nameWarnConfidence = 0.5
)

// personalData finds personal data in the reply with package pii and
// judges it against the thread: data that a citizen wrote in the thread,
// and names of persons in it, block when repeated.
func personalData(ctx context.Context, t *text, in Input, signOff []span) []Finding {
	sc := pii.NewScanner(in.Allow...)
	th := readThread(ctx, sc, in)
	var out []Finding
	named := threadNames(t, th.people, in.Allow, signOff)
	for _, m := range named {
		out = append(out, Finding{Kind: KindName, Start: m.start, End: m.end, Severity: m.sev, Message: m.msg})
	}
	for _, f := range sc.Scan(t.src) {
		s := span{t.runeAt(f.Start), t.runeAt(f.End)}
		if f.Kind == pii.KindName && (overlapsAny(s, signOff) || overlapsAny(s, spansOf(named))) {
			continue
		}
		if fd, ok := judge(f, s, th); ok {
			out = append(out, fd)
		}
	}
	return out
}

// judge turns a pii finding into a reply-check finding, or drops it.
func judge(f pii.Finding, s span, th thread) (Finding, bool) {
	fd := Finding{Start: s.start, End: s.end, Severity: Block}
	inThread := th.data[dataKey(f.Kind, f.Text)]
	switch f.Kind {
	case pii.KindPersonnummer:
		fd.Kind, fd.Message = KindPersonnummer, "Personnummer: ta bort det. Personuppgifter får inte spridas i ett svar."
	case pii.KindSamordningsnummer:
		fd.Kind, fd.Message = KindSamordningsnummer, "Samordningsnummer: ta bort det. Personuppgifter får inte spridas i ett svar."
	case pii.KindInterimsnummer:
		fd.Kind, fd.Message = KindInterim, "Interimistiskt nummer (ett tillfälligt personnummer): ta bort det."
	case pii.KindIDNumber:
		fd.Kind, fd.Severity = KindPersonnummer, Warn
		fd.Message = "Ser ut som ett personnummer men kontrollsiffran eller datumet stämmer inte. Ta bort det om det är ett personnummer."
	case pii.KindPhone:
		fd.Kind, fd.Message = KindPhone, "Telefonnummer som kan vara en privatpersons: ta bort det, eller lägg till det i listan över kommunens egna nummer."
	case pii.KindEmail:
		fd.Kind, fd.Message = KindEmail, "E-postadress som kan vara en privatpersons: ta bort den."
	case pii.KindAddress, pii.KindPostcode:
		fd.Kind, fd.Message = KindAddress, "Adress som kan vara en privatpersons: ta bort den."
	case pii.KindName:
		if f.Confidence < nameWarnConfidence {
			return fd, false
		}
		fd.Kind, fd.Severity = KindName, Warn
		fd.Message = "Ser ut som namnet på en person: nämn inte privatpersoner vid namn i ett svar."
	default: // organisation numbers are not personal data
		return fd, false
	}
	switch {
	case inThread:
		fd.Severity = Block
		fd.Message += " Uppgiften finns i tråden och får inte spridas vidare."
	case fd.Kind == KindPhone || fd.Kind == KindEmail || fd.Kind == KindAddress:
		if f.Confidence < blockConfidence {
			fd.Severity = Warn
		}
	}
	return fd, true
}

// thread is what the reply is judged against.
type thread struct {
	people [][]string      // names of private persons, lower-case words
	data   map[string]bool // personal data written in the thread, by dataKey
}

// readThread collects the private persons and the personal data of the
// thread: the authors' names, and what pii finds in the texts.
func readThread(ctx context.Context, sc *pii.Scanner, in Input) thread {
	th := thread{data: map[string]bool{}}
	for _, a := range in.ThreadAuthors {
		th.addPerson(a)
	}
	for _, txt := range in.ThreadTexts {
		if ctx.Err() != nil {
			break
		}
		for _, f := range sc.Scan(txt) {
			if f.Kind == pii.KindName {
				th.addPerson(f.Text)
			} else if f.Personal() {
				th.data[dataKey(f.Kind, f.Text)] = true
			}
		}
	}
	return th
}

// addPerson adds a name of two or more words. Markup in a display name
// ("Anna <b>Andersson</b>") is not part of it.
func (th *thread) addPerson(name string) {
	var ws []string
	for _, w := range strings.FieldsFunc(stripTags(name), func(r rune) bool { return !isWordRune(r) && r != '-' }) {
		if w = strings.Trim(w, "-"); len([]rune(w)) >= 2 {
			ws = append(ws, strings.ToLower(w))
		}
	}
	if len(ws) >= 2 {
		th.people = append(th.people, ws)
	}
}

// stripTags removes <...> from s.
func stripTags(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		closing := strings.IndexByte(s[open:], '>')
		if closing < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteByte(' ')
		s = s[open+closing+1:]
	}
	b.WriteString(s)
	return b.String()
}

// dataKey identifies a piece of personal data however it is written: phone
// numbers by their digits, everything else by lower-case words.
func dataKey(k pii.Kind, s string) string {
	if k == pii.KindPhone {
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if strings.HasPrefix(d, "46") && len(d) > 9 {
			d = "0" + d[2:]
		}
		return "tel:" + d
	}
	if k == pii.KindIDNumber || k == pii.KindPersonnummer || k == pii.KindSamordningsnummer {
		return "id:" + strings.Map(func(r rune) rune {
			if r == '-' || r == '+' || r == ' ' {
				return -1
			}
			return r
		}, s)
	}
	return k.String() + ":" + strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func overlapsAny(s span, ss []span) bool {
	for _, o := range ss {
		if s.start < o.end && o.start < s.end {
			return true
		}
	}
	return false
}
