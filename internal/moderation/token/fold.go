package token

import "unicode"

// class says what a rune does in a text once folded.
type class uint8

const (
	clsDrop    class = iota // invisible: zero-width, soft hyphen, variation selector, skin tone, combining mark
	clsLetter               // a letter (after folding)
	clsDigit                // a decimal digit
	clsSpace                // white space within a line
	clsNewline              // a line break: ends a sentence
	clsPunct                // . ! ? , ; : … : ends a clause or sentence
	clsQuote                // quotation marks
	clsEmoji                // a pictograph (So): a token of its own, dropped between letters
	clsLeet                 // @ $ | : a letter in disguise between letters, else a separator
	clsApos                 // apostrophe: part of a word between letters ("you're")
	clsOther                // other symbols: separators (- _ / * # & ( ) …)
)

// fold maps one rune of the original text to its normalised form and class.
// Folding is what lets a rule written as "döda" match "DÖDA", "Döda",
// "dӧda" (Cyrillic ӧ), "ｄöｄａ" (full width) and "𝐝ö𝐝𝐚" (mathematical bold):
// text written to slip past filters is read as the letters it shows.
func fold(r rune) (rune, class) {
	if r < 0x80 {
		return asciiClass[r].r, asciiClass[r].c
	}
	if f, ok := foldTable[r]; ok {
		return f, clsLetter
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return fold(r - 0xFF01 + '!')
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical alphanumeric letters, 13 styles of A-Z a-z
		return rune('a' + (r-0x1D400)%52%26), clsLetter
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits
		return rune('0' + (r-0x1D7CE)%10), clsDigit
	case r >= 0x24B6 && r <= 0x24CF: // circled capitals
		return r - 0x24B6 + 'a', clsLetter
	case r >= 0x24D0 && r <= 0x24E9: // circled small letters
		return r - 0x24D0 + 'a', clsLetter
	case r >= 0x249C && r <= 0x24B5: // parenthesised small letters
		return r - 0x249C + 'a', clsLetter
	case r >= 0x1F130 && r <= 0x1F189: // squared and negative circled/squared capitals (🅰)
		return (r-0x1F130)%26 + 'a', clsLetter
	case invisible(r):
		return 0, clsDrop
	case r == 0x2028 || r == 0x2029 || r == 0x85:
		return '\n', clsNewline
	case r == '…':
		return '.', clsPunct
	case r == '“' || r == '”' || r == '„' || r == '‟' || r == '«' || r == '»' || r == '‹' || r == '›' || r == '‚':
		return '"', clsQuote
	case r == '‘' || r == '’' || r == 'ʼ':
		return '\'', clsApos
	case unicode.IsLetter(r):
		return unicode.ToLower(r), clsLetter
	case unicode.IsDigit(r):
		return r, clsDigit
	case unicode.IsSpace(r):
		return ' ', clsSpace
	case unicode.Is(unicode.So, r):
		return r, clsEmoji
	}
	return r, clsOther
}

// invisible reports runes that show nothing (or only modify the previous
// character) and are dropped: a zero-width space between letters must not
// split a word.
func invisible(r rune) bool {
	switch {
	case r == 0xAD, r == 0x180E, r == 0xFEFF, r == 0x034F:
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2064:
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0000 && r <= 0xE007F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // skin tones
		return true
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cc, r)
}

type folded struct {
	r rune
	c class
}

var asciiClass [0x80]folded

// foldTable maps letters outside ASCII to what they look like: accented
// Latin letters to the bare letter (but å, ä, ö stay: they are letters of
// their own in Swedish), Danish and Norwegian æ ø to ä ö (so that the Danish
// training data meets Swedish words), and Cyrillic and Greek look-alikes and
// small capitals to Latin.
var foldTable = map[rune]rune{}

func init() {
	for r := rune(0); r < 0x80; r++ {
		c := clsOther
		f := r
		switch {
		case r >= 'a' && r <= 'z':
			c = clsLetter
		case r >= 'A' && r <= 'Z':
			f, c = r+'a'-'A', clsLetter
		case r >= '0' && r <= '9':
			c = clsDigit
		case r == ' ' || r == '\t' || r == '\v' || r == '\f':
			f, c = ' ', clsSpace
		case r == '\n' || r == '\r':
			f, c = '\n', clsNewline
		case r == '.' || r == '!' || r == '?' || r == ',' || r == ';' || r == ':' || r == '=':
			c = clsPunct
		case r == '"':
			c = clsQuote
		case r == '\'' || r == '`':
			f, c = '\'', clsApos
		case r == '@' || r == '$' || r == '|':
			c = clsLeet
		case r < 0x20 || r == 0x7F:
			c = clsDrop
		}
		asciiClass[r] = folded{f, c}
	}
	pairs := []string{
		"àa", "áa", "âa", "ãa", "āa", "ăa", "ąa", "æä", "çc", "ćc", "čc", "ďd", "đd",
		"èe", "ée", "êe", "ëe", "ēe", "ėe", "ęe", "ěe", "ìi", "íi", "îi", "ïi", "īi", "ıi",
		"łl", "ñn", "ńn", "ňn", "òo", "óo", "ôo", "õo", "ōo", "őo", "øö", "œö", "řr",
		"śs", "šs", "şs", "ťt", "ùu", "úu", "ûu", "üu", "ūu", "ůu", "űu", "ýy", "ÿy",
		"źz", "żz", "žz", "ðd", "þt",
		// Cyrillic look-alikes.
		"аa", "вb", "еe", "ёe", "кk", "мm", "нh", "оo", "рp", "сc", "тt", "уy", "хx",
		"іi", "їi", "јj", "ѕs", "ԁd", "ӓä", "ӧö", "ԛq", "ԝw", "ьb", "һh", "ӏl",
		// Greek look-alikes.
		"αa", "βb", "εe", "ηn", "ιi", "κk", "νv", "οo", "ρp", "τt", "υu", "χx", "ωw", "γy",
		// Small capitals and other look-alikes used in "fancy text" generators.
		"ᴀa", "ʙb", "ᴄc", "ᴅd", "ᴇe", "ꜰf", "ɢg", "ʜh", "ɪi", "ᴊj", "ᴋk", "ʟl", "ᴍm",
		"ɴn", "ᴏo", "ᴘp", "ǫq", "ʀr", "ꜱs", "ᴛt", "ᴜu", "ᴠv", "ᴡw", "ʏy", "ᴢz",
		"ɑa", "ɡg", "ℓl",
	}
	for _, p := range pairs {
		rs := []rune(p)
		foldTable[rs[0]] = rs[1]
		if u := unicode.ToUpper(rs[0]); u != rs[0] {
			foldTable[u] = rs[1]
		}
	}
}
