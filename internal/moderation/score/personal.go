package score

import (
	"strings"
	"unicode/utf8"

	"tilltal/internal/pii"
)

// hostileLevel is the score in a hostile category (threat, hate,
// harassment, incitement) or in integrity from which personal data in the
// same text counts as a sign of doxxing.
const hostileLevel = 0.3

// personalData adds evidence of olaga integritetsintrång from personal data
// found by internal/pii: a personnummer is sensitive on its own, and with
// hostile words, or next to a threat, an address or phone number is
// doxxing. Names count only where the text already spreads intimate or
// sensitive facts ("nakenbilder på …").
func (ev *evidence) personalData() {
	integrity := ev.score[Integrity] >= hostileLevel
	if !integrity && !strings.ContainsAny(ev.text, "0123456789@") {
		return // nothing pii could find that would matter here
	}
	hostile := integrity || max(ev.score[Threat], ev.score[Hate], ev.score[Harassment], ev.score[Incitement]) >= hostileLevel
	seen := map[string]bool{}
	for _, f := range pii.Scan(ev.text) {
		if !f.Personal() {
			continue
		}
		w, why := personalWeight(f.Kind, hostile, integrity)
		if w == 0 || seen[f.Kind.String()] {
			continue
		}
		seen[f.Kind.String()] = true
		start := utf8.RuneCountInString(ev.text[:f.Start])
		end := start + utf8.RuneCountInString(f.Text)
		ev.add(Integrity, Reason{Rule: "pii." + f.Kind.String(), Why: why, Match: f.Text, Start: start, End: end, Weight: w})
	}
}

// personalWeight says how much a piece of personal data weighs for
// integrity, given hostility or integrity evidence in the same text.
func personalWeight(k pii.Kind, hostile, integrity bool) (float64, string) {
	switch k {
	case pii.KindPersonnummer, pii.KindSamordningsnummer, pii.KindInterimsnummer, pii.KindIDNumber:
		if hostile {
			return 0.85, "Personnummer eller annat id-nummer tillsammans med hot, hat eller kränkningar: möjligt olaga integritetsintrång (uthängning)."
		}
		return 0.45, "Personnummer eller annat id-nummer i en offentlig kommentar."
	case pii.KindAddress, pii.KindPhone, pii.KindEmail, pii.KindPostcode:
		if hostile {
			return 0.7, "Adress eller kontaktuppgift tillsammans med hot, hat eller kränkningar: möjlig uthängning av en person."
		}
	case pii.KindName:
		if integrity {
			return 0.6, "En namngiven person pekas ut tillsammans med känsliga eller intima uppgifter."
		}
	}
	return 0, ""
}
