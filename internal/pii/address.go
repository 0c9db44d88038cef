package pii

import (
	"strings"
)

// streetSuffix is the end of a Swedish street name. Definite forms that are
// seldom anything but a street ("storgatan 5") count also in lower case;
// the others only capitalised ("Stora torg 1", "Järnvägsplan 2"), which keeps
// "på plan 3" and "arbetsplats 2" out.
type streetSuffix struct {
	suffix  string
	lowerOK bool
}

var streetSuffixes = [...]streetSuffix{
	{"gatan", true}, {"vägen", true}, {"gränden", true}, {"gränd", true}, {"torget", true},
	{"stigen", true}, {"backen", true}, {"allén", true}, {"esplanaden", true}, {"slingan", true},
	{"gata", false}, {"väg", false}, {"torg", false}, {"stig", false}, {"backe", false},
	{"allé", false}, {"alle", false}, {"plan", false}, {"platsen", false}, {"plats", false},
	{"leden", false}, {"stråket", false}, {"gången", false}, {"kajen", false},
	{"promenaden", false}, {"ringen", false}, {"liden", false},
}

// notStreets are compounds with a street ending that name something else.
var notStreets = map[string]bool{
	"halvvägen": true, "genvägen": true, "omvägen": true, "riksvägen": true, "länsvägen": true,
	"motorvägen": true, "europavägen": true, "cykelvägen": true, "gångvägen": true,
	"riksväg": true, "länsväg": true, "motorväg": true, "europaväg": true, "genväg": true,
	"omväg": true, "cykelväg": true, "gångväg": true,
	"detaljplan": true, "översiktsplan": true, "handlingsplan": true, "entréplan": true,
	"bottenplan": true, "våningsplan": true, "markplan": true, "budgetplan": true,
	"verksamhetsplan": true, "åtgärdsplan": true, "stadsplan": true, "tidsplan": true,
	"arbetsplan": true, "läroplan": true, "utvecklingsplan": true, "trafikplan": true,
	"arbetsplats": true, "arbetsplatsen": true, "parkeringsplats": true, "parkeringsplatsen": true,
	"förskoleplats": true, "förskoleplatsen": true, "mötesplats": true, "mötesplatsen": true,
	"lekplats": true, "lekplatsen": true, "praktikplats": true, "praktikplatsen": true,
	"sittplats": true, "sittplatsen": true, "boxningsringen": true, "vandringsleden": true,
}

// streetPrefixes may stand before a street name as a word of their own.
var streetPrefixes = map[string]bool{
	"stora": true, "lilla": true, "gamla": true, "nya": true, "norra": true, "södra": true,
	"östra": true, "västra": true, "övre": true, "nedre": true, "sankt": true, "s:t": true,
}

// scanAddresses appends street addresses: a street name, a house number and
// perhaps a postcode and town.
func scanAddresses(s string, fs []Finding) []Finding {
	if strings.IndexAny(s, "0123456789") < 0 {
		return fs
	}
	var buf [64]byte
	var prev [2]span // the two words before w, for "Olof Palmes gata"
	for w, ok := nextWord(s, 0); ok; w, ok = nextWord(s, w.end) {
		if f, ok := addressAt(s, w, prev, buf[:0]); ok {
			fs = append(fs, f)
		}
		prev[0], prev[1] = prev[1], w
	}
	return fs
}

// addressAt reports an address whose street word is w.
func addressAt(s string, w span, prev [2]span, buf []byte) (Finding, bool) {
	word := s[w.start:w.end]
	if len(word) > len(buf[:cap(buf)]) {
		return Finding{}, false
	}
	lower := lowerInto(buf, word)
	suffix, whole, ok := matchStreet(lower)
	if !ok || notStreets[string(lower)] {
		return Finding{}, false
	}
	sh := wordShape(word)
	capital := sh == titleShape || sh == capsShape
	start := w.start
	switch {
	case whole:
		// "gata" or "torget" on its own needs a capitalised name in the
		// genitive ("Olof Palmes gata") or a prefix ("Lilla torget") before it.
		if start, ok = genitiveStart(s, w, prev); !ok {
			if start = prefixStart(s, w, prev[1]); start == w.start {
				return Finding{}, false
			}
		}
		capital = true
	case !capital && !suffix.lowerOK:
		return Finding{}, false
	default:
		start = prefixStart(s, w, prev[1])
	}
	end, ok := houseNumberEnd(s, w.end)
	if !ok {
		return Finding{}, false
	}
	f := Finding{Kind: KindAddress, Start: start, End: end, Confidence: 0.75,
		Reason: "Gatuadress med nummer: kan visa var en person bor."}
	if !capital {
		f.Confidence = 0.6
	}
	// After a street and number, any well-formed postcode counts: the
	// postcode list may lack new ones.
	if pt, ok := postcodeTownAt(s, skipAddressGap(s, end), false); ok {
		f.End, f.Confidence = pt.end, 0.9
		f.Reason = "Gatuadress med postnummer och ort: kan visa var en person bor."
	}
	return f, true
}

// matchStreet finds the street suffix of a lower-case word; whole says the
// word is only the suffix.
func matchStreet(lower []byte) (streetSuffix, bool, bool) {
	for _, sf := range streetSuffixes {
		if len(lower) < len(sf.suffix) || string(lower[len(lower)-len(sf.suffix):]) != sf.suffix {
			continue
		}
		if len(lower) == len(sf.suffix) {
			return sf, true, true
		}
		if len(lower)-len(sf.suffix) >= 2 && lower[len(lower)-len(sf.suffix)-1] != '-' {
			return sf, false, true
		}
	}
	return streetSuffix{}, false, false
}

// genitiveStart returns where "Olof Palmes gata" or "Karl Johans gata" starts:
// a capitalised word in the genitive, perhaps after a capitalised given name.
func genitiveStart(s string, w span, prev [2]span) (int, bool) {
	g := prev[1]
	if g.end == 0 || !adjacent(s, g, w) || wordShape(s[g.start:g.end]) != titleShape || s[g.end-1] != 's' {
		return 0, false
	}
	f := prev[0]
	if f.end != 0 && adjacent(s, f, g) && wordShape(s[f.start:f.end]) == titleShape {
		return f.start, true
	}
	return g.start, true
}

// prefixStart extends a street name back over "Stora", "Gamla", "Sankt".
func prefixStart(s string, w, p span) int {
	if p.end == 0 || !adjacent(s, p, w) || wordShape(s[p.start:p.end]) != titleShape {
		return w.start
	}
	var buf [16]byte
	if streetPrefixes[string(lowerInto(buf[:0], s[p.start:p.end]))] {
		return p.start
	}
	return w.start
}

// adjacent reports whether a and b are separated by one space.
func adjacent(s string, a, b span) bool { return b.start == a.end+1 && s[a.end] == ' ' }

// houseNumberEnd reads " 12", " 12A", " 12 B" or " 12-14" after a street
// name at i and returns the end of the number.
func houseNumberEnd(s string, i int) (int, bool) {
	j := skipSpaces(s, i, 2)
	if j == i {
		return 0, false
	}
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 4 {
		k++
	}
	if k == j || s[j] == '0' || k < len(s) && isDigit(s[k]) {
		return 0, false
	}
	switch {
	case k+1 < len(s) && s[k] == '-' && isDigit(s[k+1]): // 12-14
		k++
		for k < len(s) && isDigit(s[k]) {
			k++
		}
	case k < len(s) && isHouseLetter(s[k]|0x20) && !letterOrDigitAt(s, k+1): // 12A
		k++
	case k+1 < len(s) && s[k] == ' ' && s[k+1] >= 'A' && s[k+1] <= 'H' && !letterOrDigitAt(s, k+2): // 12 B
		k += 2
	}
	if letterOrDigitAt(s, k) {
		return 0, false
	}
	return k, true
}

func isHouseLetter(lower byte) bool { return lower >= 'a' && lower <= 'h' }

// skipAddressGap skips ", " or a line break between house number and postcode.
func skipAddressGap(s string, i int) int {
	if i < len(s) && s[i] == ',' {
		i++
	}
	for n := 0; n < 3 && i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'); n++ {
		i++
	}
	return i
}
