package pii

// idParts is a personnummer-shaped number split into its parts. The century
// is decided from the form: a 12-digit form carries it; a 10-digit form
// belongs to the 1900s or 2000s, and "+" marks someone 100 or older. Only the
// leap day of a year ending in 00 depends on that choice, so no clock is needed:
// "000229-NNNN" is 29 February 2000 and "000229+NNNN" is the non-existent
// 29 February 1900.
type idParts struct {
	year         int     // full year; for a 10-digit form, one with the same leap years
	month, day   int     // as written; a samordningsnummer day is 61-91
	serial       [4]byte // the last four characters, maybe with an interim letter
	digits       [10]byte
	plus         bool
	centuryKnown bool
}

// ValidPersonnummer reports whether s is a personnummer with a real date and a
// valid check digit, in any of the usual forms: YYMMDD-NNNN, YYMMDD+NNNN (100
// years or older), YYMMDDNNNN, YYYYMMDDNNNN or YYYYMMDD-NNNN. Samordningsnummer
// and organisation numbers are not personnummer.
func ValidPersonnummer(s string) bool {
	p, ok := parseID(s)
	return ok && p.kind() == KindPersonnummer
}

// ValidSamordningsnummer reports whether s is a samordningsnummer (the day of
// birth raised by 60) with a real date and a valid check digit.
func ValidSamordningsnummer(s string) bool {
	p, ok := parseID(s)
	return ok && p.kind() == KindSamordningsnummer
}

// ValidOrganisationsnummer reports whether s is an organisation number:
// ten digits (NNNNNN-NNNN, or with the prefix 16) whose third digit is 2 or
// more and whose check digit is valid.
func ValidOrganisationsnummer(s string) bool {
	var d [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) && n < len(d):
			d[n] = c
			n++
		case c == '-' && (i == 6 || i == 8) && n == i:
		default:
			return false
		}
	}
	switch {
	case n == 12 && d[0] == '1' && d[1] == '6':
		return orgDigits(d[2:12])
	case n == 10:
		return orgDigits(d[:10])
	}
	return false
}

// orgDigits checks ten digits as an organisation number. The third digit is
// at least 2 so that no organisation number is also a date of birth.
func orgDigits(d []byte) bool {
	return len(d) == 10 && d[2] >= '2' && luhn(d)
}

// parseID splits s, which must be exactly a personnummer-shaped string, into
// parts. It does not check the date or checksum.
func parseID(s string) (idParts, bool) {
	var p idParts
	var buf [12]byte
	n, sep := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) || isInterimLetter(c):
			if n == len(buf) {
				return p, false
			}
			buf[n] = c
			n++
		case (c == '-' || c == '+') && sep < 0 && (n == 6 || n == 8):
			sep = n
			p.plus = c == '+'
		default:
			return p, false
		}
	}
	if sep >= 0 && sep != n-4 {
		return p, false
	}
	return p, p.fill(buf[:n])
}

// fill sets the parts from 10 or 12 characters; only the first serial
// character may be an interim letter.
func (p *idParts) fill(b []byte) bool {
	if len(b) != 10 && len(b) != 12 {
		return false
	}
	for i, c := range b {
		if !isDigit(c) && i != len(b)-4 {
			return false
		}
	}
	date := b[:len(b)-4]
	copy(p.serial[:], b[len(b)-4:])
	if len(b) == 12 {
		p.year = num(date[:4])
		p.centuryKnown = true
		date = date[2:]
	} else {
		p.year = 1900 + num(date[:2])
		if p.year == 1900 && !p.plus {
			p.year = 2000
		}
	}
	p.month, p.day = num(date[2:4]), num(date[4:6])
	copy(p.digits[:6], date)
	copy(p.digits[6:], p.serial[:])
	return true
}

// kind classifies valid parts, or returns 0 when the date, serial or
// checksum is wrong.
func (p *idParts) kind() Kind {
	if p.centuryKnown && (p.year < 1800 || p.year > 2099) {
		return 0
	}
	interim := isInterimLetter(p.serial[0])
	digits := p.digits
	if interim {
		digits[6] = '1' // the letter counts as 1 in the checksum
	} else if p.serial[0] == '0' && p.serial[1] == '0' && p.serial[2] == '0' {
		return 0 // birth number 000 is never issued
	}
	if !luhn(digits[:]) {
		return 0
	}
	day, k := p.day, KindPersonnummer
	if day >= 60 {
		day, k = day-60, KindSamordningsnummer
	}
	if k == KindPersonnummer && !realDate(p.year, p.month, day) ||
		k == KindSamordningsnummer && !coordinationDate(p.month, day) {
		return 0
	}
	if interim {
		if k != KindPersonnummer {
			return 0
		}
		return KindInterimsnummer
	}
	return k
}

// isInterimLetter reports whether c is one of the letters Skatteverket uses
// in interim numbers.
func isInterimLetter(c byte) bool {
	switch c {
	case 'T', 'R', 'S', 'U', 'W', 'X', 'J', 'K', 'L', 'M', 'N':
		return true
	}
	return false
}

// luhn checks the mod-10 check digit over ASCII digits, doubling every other
// digit from the first, as for personnummer and organisation numbers.
func luhn(d []byte) bool {
	sum := 0
	for i, c := range d {
		v := int(c - '0')
		if i%2 == len(d)%2 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func realDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}

// coordinationDate checks the date of a samordningsnummer loosely: month 00
// and day 00 (written 60) stand for unknown parts, and Skatteverket's own test
// samordningsnummer include days such as 31 April, so any day up to 31 counts.
func coordinationDate(month, day int) bool {
	return month >= 0 && month <= 12 && day >= 0 && day <= 31
}

func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
