package pii

import "strings"

// Swedish numbers are 8 to 10 digits with the leading 0 (07X-XXX XX XX,
// 08-XXX XX XX, 0XX-XX XX XX); in international form +46 or 0046 replaces
// the 0. The longest run of groups that forms such a number wins.
const (
	minNational = 8
	maxNational = 10
)

// phoneAt reports a phone number starting at group k.
func phoneAt(s string, ch chain, k int) (Finding, int, bool) {
	g := ch.groups
	intl := ch.plus && k == 0
	if !intl && s[g[k].start] != '0' {
		return Finding{}, 0, false // every national or 00-prefixed number starts with 0
	}
	var digits [32]byte
	n, best := 0, -1
	var national string
	for m := k; m < len(g) && !g[m].interim; m++ {
		if m > k && (g[m].sep == '+') || n+g[m].end-g[m].start > len(digits) {
			break
		}
		n += copy(digits[n:], s[g[m].start:g[m].end])
		if n < minNational-1 {
			continue // too short even as +46 plus a number
		}
		if nat, ok := nationalNumber(string(digits[:n]), intl); ok {
			best, national = m, nat
		}
	}
	if best < 0 {
		return Finding{}, 0, false
	}
	start := g[k].start
	if intl {
		start = ch.plusPos
	}
	f := Finding{Kind: KindPhone, Start: start, End: g[best].end}
	switch phoneClass(national) {
	case mobilePhone:
		f.Confidence, f.Reason = 0.8, "Mobilnummer: ett svenskt mobilnummer hör oftast till en privatperson."
	case servicePhone:
		f.Confidence, f.Reason = 0.2, "Servicenummer (020, 077, 0900 och liknande): troligen ett företag eller en myndighet."
	default:
		f.Confidence, f.Reason = 0.6, "Telefonnummer: kan vara en privatpersons nummer."
	}
	return f, best + 1, true
}

// nationalNumber returns the number in national form (0XXXXXXXXX) when the
// digits make a Swedish phone number. intl says a "+" came first.
func nationalNumber(d string, intl bool) (string, bool) {
	if !intl && strings.HasPrefix(d, "0046") {
		d, intl = d[2:], true
	}
	if intl {
		if !strings.HasPrefix(d, "46") {
			return "", false
		}
		d = d[2:]
		if strings.HasPrefix(d, "0") { // "+46 (0)70" or the common "+46 070"
			d = d[1:]
		}
		if d == "" || d[0] == '0' {
			return "", false
		}
		d = "0" + d
	}
	if len(d) < minNational || len(d) > maxNational || d[0] != '0' || d[1] == '0' {
		return "", false
	}
	return d, true
}

type phoneKind uint8

const (
	landlinePhone phoneKind = iota
	mobilePhone
	servicePhone
)

// phoneClass tells mobiles (070, 072, 073, 076, 079) and service numbers
// (020, 077X, 090X, 099) from other numbers.
func phoneClass(national string) phoneKind {
	switch {
	case len(national) == 10 && (strings.HasPrefix(national, "070") || strings.HasPrefix(national, "072") ||
		strings.HasPrefix(national, "073") || strings.HasPrefix(national, "076") || strings.HasPrefix(national, "079")):
		return mobilePhone
	case strings.HasPrefix(national, "020") || strings.HasPrefix(national, "077") ||
		strings.HasPrefix(national, "090") || strings.HasPrefix(national, "093") ||
		strings.HasPrefix(national, "094") || strings.HasPrefix(national, "099"):
		return servicePhone
	}
	return landlinePhone
}

// phoneKey returns the digits of a phone number in national form, so that
// "+46 8 123 456 78" and "08-123 456 78" compare equal; "" if s is none.
func phoneKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	nat, ok := nationalNumber(b.String(), strings.HasPrefix(strings.TrimSpace(s), "+"))
	if !ok {
		return ""
	}
	return "tel:" + nat
}
