package pii

// postcodeAt reports a postcode followed by a town ("123 45 Ort") that
// makes up the rest of the chain from group k.
func postcodeAt(s string, ch chain, k int) (Finding, int, bool) {
	g := ch.groups
	if ch.plus && k == 0 {
		return Finding{}, 0, false
	}
	last := len(g) - 1
	l := g[k].end - g[k].start
	shaped := l == 5 && k == last ||
		l == 3 && k+1 == last && g[last].end-g[last].start == 2 && g[last].sep == ' '
	if !shaped {
		return Finding{}, 0, false
	}
	pt, ok := postcodeTownAt(s, g[k].start, true)
	if !ok {
		return Finding{}, 0, false
	}
	f := Finding{Kind: KindPostcode, Start: g[k].start, End: pt.end, Confidence: 0.4,
		Reason: "Postnummer och ort: en del av en adress."}
	if pt.townMatches {
		f.Confidence = 0.5
	}
	return f, last + 1, true
}

// postcodeTown is a known postcode with the town written after it.
type postcodeTown struct {
	end         int
	townMatches bool // the town is the postcode's own locality
}

// postcodeTownAt reads "NNN NN Town" or "NNNNN Town" at i. With known, the
// postcode must be in the postcode list.
func postcodeTownAt(s string, i int, known bool) (postcodeTown, bool) {
	var pt postcodeTown
	code, j, ok := readPostcode(s, i)
	if !ok {
		return pt, false
	}
	town, ok := theLexicon().postcodes[code]
	if !ok && known {
		return pt, false
	}
	j = skipSpaces(s, j, 2)
	w, ok := wordAt(s, j)
	if !ok {
		return pt, false
	}
	if sh := wordShape(s[w.start:w.end]); sh != titleShape && sh != capsShape {
		return pt, false
	}
	pt.end = w.end
	// Towns may have several words ("Upplands Väsby"); take them only when
	// they spell the postcode's locality.
	var buf [64]byte
	for words, end := 1, w.end; words <= 3; words++ {
		if string(lowerInto(buf[:0], s[j:end])) == town {
			pt.end, pt.townMatches = end, true
			break
		}
		if end >= len(s) || s[end] != ' ' {
			break
		}
		next, ok := wordAt(s, end+1)
		if !ok {
			break
		}
		end = next.end
	}
	return pt, true
}

// readPostcode reads "NNN NN" or "NNNNN" at i (first digit 1-9), not part of
// a longer number, and returns it as an int with the index after it.
func readPostcode(s string, i int) (int, int, bool) {
	digits, j := 0, i
	var d [5]byte
	spaced := false
	for j < len(s) && digits < 5 {
		switch {
		case isDigit(s[j]):
			d[digits] = s[j]
			digits++
			j++
		case digits == 3 && !spaced && s[j] == ' ':
			j, spaced = j+1, true
		case digits == 3 && !spaced && hasAt(s, j, "\u00a0"):
			j, spaced = j+len("\u00a0"), true
		default:
			return 0, 0, false
		}
	}
	if digits != 5 || d[0] == '0' || letterOrDigitAt(s, j) || letterOrDigitBefore(s, i) {
		return 0, 0, false
	}
	return num(d[:]), j, true
}
