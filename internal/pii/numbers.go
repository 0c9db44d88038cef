package pii

// A chain is a run of digit groups joined by single separators, such as
// "070-123 45 67", "19811218-9876" or "123 45". Identity numbers, phone
// numbers and postcodes are all read from chains, so that one pass over the
// digits decides between them.

const (
	maxGroups   = 16
	maxGroupLen = 12
)

// group is one run of digits in a chain, or an interim tail ("T220").
type group struct {
	start, end int
	sep        byte // separator before the group: 0 (none), ' ', '-', '+' or '/'
	interim    bool // a letter and three digits after a date
}

type chain struct {
	groups  []group
	plus    bool // the chain opened with "+", as in "+46 70 ..."
	plusPos int
}

// scanNumbers appends the identity numbers, phone numbers and postcodes in s.
func scanNumbers(s string, fs []Finding) []Finding {
	var buf [maxGroups]group
	for i := 0; i < len(s); {
		c := s[i]
		startsChain := isDigit(c) || c == '+' && i+1 < len(s) && isDigit(s[i+1])
		if !startsChain || letterOrDigitBefore(s, i) {
			i++
			continue
		}
		ch, end := readChain(s, i, buf[:0])
		if ch.groups != nil {
			fs = classifyChain(s, ch, fs)
		}
		if end <= i {
			end = i + 1
		}
		i = end
	}
	return fs
}

// readChain reads the chain that starts at i and returns it with the index
// where scanning should go on. A chain with an over-long group yields no
// groups: a 20-digit reference number holds no personnummer. (Groups read
// before it are dropped too: "070 123456789012345" is no phone number.)
func readChain(s string, i int, groups []group) (chain, int) {
	ch := chain{plusPos: i}
	if s[i] == '+' {
		ch.plus = true
		i++
	}
	var sep byte
	for len(groups) < maxGroups {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i > maxGroupLen {
			return chain{}, j
		}
		groups = append(groups, group{start: i, end: j, sep: sep})
		if n := j - i; n == 6 || n == 8 {
			if t, ok := interimTail(s, j); ok {
				groups = append(groups, t)
				j = t.end
			}
		}
		var k int
		sep, k = readSep(s, j)
		if sep == 0 {
			ch.groups = groups
			return ch, j
		}
		i = k
	}
	ch.groups = groups
	return ch, i
}

// interimTail reads "-T220" or "T220" at i: an interim letter and three
// digits that end the number.
func interimTail(s string, i int) (group, bool) {
	g := group{}
	if i < len(s) && s[i] == '-' {
		g.sep = '-'
		i++
	}
	if i+4 > len(s) || !isInterimLetter(s[i]) || !isDigit(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) ||
		letterOrDigitAt(s, i+4) {
		return g, false
	}
	g.start, g.end, g.interim = i, i+4, true
	return g, true
}

// readSep reads a separator at i that is followed by a digit and returns its
// class and the index of that digit, or 0 when the chain ends at i.
func readSep(s string, i int) (byte, int) {
	var class byte
	j := i
	switch {
	case hasAt(s, j, " - "):
		class, j = '-', j+len(" - ")
	case hasAt(s, j, " – "):
		class, j = '-', j+len(" – ")
	case hasAt(s, j, "-"):
		class, j = '-', j+1
	case hasAt(s, j, "–"):
		class, j = '-', j+len("–")
	case hasAt(s, j, "+"):
		class, j = '+', j+1
	case hasAt(s, j, "/"):
		class, j = '/', j+1
	case hasAt(s, j, " (0)") || hasAt(s, j, "(0)"):
		class = ' '
		j += len("(0)")
		if s[i] == ' ' {
			j++
		}
		j = skipSpaces(s, j, 1)
	case hasAt(s, j, " "):
		class, j = ' ', j+1
	case hasAt(s, j, "\u00a0"):
		class, j = ' ', j+len("\u00a0")
	}
	if class == 0 || j >= len(s) || !isDigit(s[j]) {
		return 0, i
	}
	return class, j
}

func hasAt(s string, i int, prefix string) bool {
	return i <= len(s) && len(s)-i >= len(prefix) && s[i:i+len(prefix)] == prefix
}

// classifyChain reads identity numbers, phone numbers and postcodes off the
// chain's groups, from the left, each taking the groups it needs.
func classifyChain(s string, ch chain, fs []Finding) []Finding {
	g := ch.groups
	for k := 0; k < len(g); {
		var f Finding
		var next int
		var ok bool
		if f, next, ok = idAt(s, ch, k); !ok {
			if f, next, ok = phoneAt(s, ch, k); !ok {
				if f, next, ok = unvalidatedIDAt(s, ch, k); !ok {
					f, next, ok = postcodeAt(s, ch, k)
				}
			}
		}
		if ok {
			fs = append(fs, f)
			k = next
			continue
		}
		k++
	}
	return fs
}
