package pii

import "strings"

// idForm is how an identity number was written.
type idForm uint8

const (
	formSeparated idForm = iota + 1 // YYMMDD-NNNN, YYMMDD+NNNN, YYYYMMDD-NNNN
	formSpaced                      // YYMMDD NNNN: common in speech-like text, less certain
	formCompact                     // YYMMDDNNNN or YYYYMMDDNNNN
)

// idCandidate is a personnummer-shaped stretch of a chain.
type idCandidate struct {
	buf        [13]byte // digits (or the interim letter) with '-' or '+' where written
	n          int
	start, end int
	next       int // the group after the candidate
	form       idForm
}

func (c *idCandidate) text() string { return string(c.buf[:c.n]) }

func (c *idCandidate) add(s string, g group) {
	c.n += copy(c.buf[c.n:], s[g.start:g.end])
}

// idCandidateAt returns the personnummer-shaped stretch starting at group k.
func idCandidateAt(s string, ch chain, k int) (idCandidate, bool) {
	g := ch.groups
	c := idCandidate{start: g[k].start}
	if ch.plus && k == 0 || g[k].interim {
		return c, false
	}
	l := g[k].end - g[k].start
	if (l == 6 || l == 8) && k+1 < len(g) {
		t := g[k+1]
		if t.end-t.start == 4 && (t.interim || t.sep != 0) && t.sep != '/' {
			c.add(s, g[k])
			c.form = formSeparated
			switch t.sep {
			case 0:
				c.form = formCompact
			case ' ':
				c.form = formSpaced
				c.buf[c.n] = '-'
				c.n++
			default:
				c.buf[c.n] = t.sep
				c.n++
			}
			c.add(s, t)
			c.end, c.next = t.end, k+2
			return c, true
		}
	}
	if l == 10 || l == 12 {
		c.add(s, g[k])
		c.form, c.end, c.next = formCompact, g[k].end, k+1
		return c, true
	}
	return c, false
}

// idAt reports a valid personnummer, samordningsnummer, interim number or
// organisation number at group k.
func idAt(s string, ch chain, k int) (Finding, int, bool) {
	c, ok := idCandidateAt(s, ch, k)
	if !ok {
		return Finding{}, 0, false
	}
	text := c.text()
	p, ok := parseID(text)
	if !ok {
		return Finding{}, 0, false
	}
	kind := p.kind()
	if kind == 0 {
		return orgAt(text, c)
	}
	if c.form == formCompact && c.n == 10 && strings.HasPrefix(text, "07") && !idWordBefore(s, c.start) {
		// 07XXXXXXXX is far more often a mobile number; it is flagged as one.
		return Finding{}, 0, false
	}
	f := Finding{Kind: kind, Start: c.start, End: c.end, Confidence: idConfidence[c.form]}
	switch kind {
	case KindPersonnummer:
		f.Reason = "Personnummer: datumet finns och kontrollsiffran stämmer."
	case KindSamordningsnummer:
		f.Reason = "Samordningsnummer (födelsedagen plus 60): datumet finns och kontrollsiffran stämmer."
	case KindInterimsnummer:
		f.Reason = "Interimistiskt nummer (en bokstav i stället för en siffra): datumet finns och kontrollsiffran stämmer."
	}
	return f, c.next, true
}

var idConfidence = [...]float64{formSeparated: 0.95, formSpaced: 0.7, formCompact: 0.85}

// orgAt reports an organisation number, which is not personal data.
func orgAt(text string, c idCandidate) (Finding, int, bool) {
	digits := strings.ReplaceAll(text, "-", "")
	ok := c.form == formCompact && ValidOrganisationsnummer(digits) ||
		c.form == formSeparated && len(digits) == 10 && text[6] == '-' && orgDigits([]byte(digits))
	if !ok {
		return Finding{}, 0, false
	}
	return Finding{
		Kind: KindOrganisationsnummer, Start: c.start, End: c.end, Confidence: 0.9,
		Reason: "Organisationsnummer: ett företag eller en organisation, inte en personuppgift.",
	}, c.next, true
}

// unvalidatedIDAt reports a number written exactly like a personnummer, with
// a plausible date, that fails the checksum or is not a real date: perhaps a
// personnummer with a typing error. Compact ten-digit numbers are left out:
// too many order and invoice numbers look like that.
func unvalidatedIDAt(s string, ch chain, k int) (Finding, int, bool) {
	c, ok := idCandidateAt(s, ch, k)
	if !ok || c.form == formSpaced || c.form == formCompact && c.n != 12 {
		return Finding{}, 0, false
	}
	text := c.text()
	if c.form == formCompact && !strings.HasPrefix(text, "19") && !strings.HasPrefix(text, "20") {
		return Finding{}, 0, false
	}
	p, ok := parseID(text)
	if !ok || isInterimLetter(p.serial[0]) || p.month < 1 || p.month > 12 ||
		p.day < 1 || p.day > 91 || p.day > 31 && p.day < 61 {
		return Finding{}, 0, false
	}
	return Finding{
		Kind: KindIDNumber, Start: c.start, End: c.end, Confidence: 0.35,
		Reason: "Ser ut som ett personnummer, men kontrollsiffran eller datumet stämmer inte: kan vara felskrivet.",
	}, c.next, true
}

// idWordBefore reports whether a word for an identity number comes shortly
// before i ("personnummer", "pnr", "samordningsnummer", "född").
func idWordBefore(s string, i int) bool {
	from := max(0, i-40)
	w := strings.ToLower(s[from:i])
	for _, k := range [...]string{"personn", "pnr", "person nr", "personnr", "samordningsn", "födelse", "född"} {
		if strings.Contains(w, k) {
			return true
		}
	}
	return false
}
