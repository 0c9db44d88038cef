package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanEmails appends the e-mail addresses in s. Each '@' is expanded left
// over the local part and right over the domain; neither expansion crosses
// another '@', so the work stays linear in the length of s.
func scanEmails(s string, fs []Finding) []Finding {
	for off := 0; ; {
		at := strings.IndexByte(s[off:], '@')
		if at < 0 {
			return fs
		}
		at += off
		off = at + 1
		start := localStart(s, at)
		end := domainEnd(s, at+1)
		if start == at || end == at+1 {
			continue
		}
		f := Finding{Kind: KindEmail, Start: start, End: end, Confidence: 0.8,
			Reason: "E-postadress: kan leda till en enskild person."}
		if roleMailbox(s[start:at]) {
			f.Confidence = 0.3
			f.Reason = "E-postadress till en funktion (som info@ eller kontakt@): troligen inte en privatperson."
		}
		fs = append(fs, f)
		off = end
	}
}

const maxLocal, maxDomain = 64, 253

// localStart walks back from '@' over the local part and returns its start,
// or at when there is none. A leading dot is not part of it.
func localStart(s string, at int) int {
	i := at
	for i > 0 && at-i < maxLocal {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !localRune(r) {
			break
		}
		i -= n
	}
	for i < at && s[i] == '.' {
		i++
	}
	return i
}

func localRune(r rune) bool {
	return r < utf8.RuneSelf && (isDigit(byte(r)) || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' ||
		strings.ContainsRune("._%+-'", r)) || r >= utf8.RuneSelf && unicode.IsLetter(r)
}

// domainEnd returns the end of a domain that starts at i, or i when there is
// none: labels of letters, digits and hyphens joined by dots, with a
// top-level label of at least two letters.
func domainEnd(s string, i int) int {
	j, lastDot := i, -1
	for j < len(s) && j-i < maxDomain {
		r, n := decodeRune(s, j)
		switch {
		case r == '.':
			if j == i || s[j-1] == '.' {
				return i
			}
			lastDot = j
		case r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			goto done
		}
		j += n
	}
done:
	for j > i && (s[j-1] == '.' || s[j-1] == '-') {
		j--
	}
	if lastDot >= j {
		lastDot = strings.LastIndexByte(s[i:j], '.')
		if lastDot < 0 {
			return i
		}
		lastDot += i
	}
	if lastDot < 0 || j-lastDot-1 < 2 {
		return i
	}
	for _, r := range s[lastDot+1 : j] {
		if !unicode.IsLetter(r) {
			return i
		}
	}
	return j
}

// roleMailbox reports whether a local part names a function rather than a
// person (info@, kontakt@, registrator@, noreply@).
func roleMailbox(local string) bool {
	l := strings.ToLower(local)
	for _, p := range roleMailboxes {
		if l == p || strings.HasPrefix(l, p+".") || strings.HasPrefix(l, p+"-") || strings.HasPrefix(l, p+"_") {
			return true
		}
	}
	return false
}

var roleMailboxes = [...]string{
	"info", "kontakt", "kontaktcenter", "kundtjanst", "kundtjänst", "registrator", "registratur",
	"kommun", "kommunen", "kommunstyrelsen", "noreply", "no-reply", "donotreply", "support",
	"press", "media", "service", "servicecenter", "medborgarservice", "vaxel", "växel",
	"webmaster", "admin", "post", "postmaster", "reception", "ekonomi", "hr", "it",
	"forvaltning", "förvaltning", "socialtjansten", "socialtjänsten", "bygglov", "miljo", "miljö",
	"skola", "forskola", "förskola", "kommunikation", "redaktion", "dataskydd", "dataskyddsombud",
}
