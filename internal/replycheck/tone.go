package replycheck

// Employees speak for the municipality: personal, not private, and never
// shouting. These rules warn; the editor judges.

const (
	shoutMessage   = "Versaler läses som att du skriker: skriv med vanliga bokstäver."
	exclaimMessage = "Flera utropstecken läses som att du skriker: ett räcker."
	privateMessage = "Låter privat: du svarar för kommunen, personligt men inte privat."
	slangMessage   = "Slang eller svordom: skriv sakligt och vänligt."
	emojiMessage   = "Många emojier gör svaret mindre sakligt: en räcker gott."
)

// privateRemarks are laughs and personal opinions that do not belong in
// the municipality's voice. "personligen" alone is left out: "kom
// personligen till kontoret" is fine.
var privateRemarks = phrases(
	"haha*", "hehe*", "hihi*", "lol", "lmao", "rofl", "xd",
	"ärligt talat", "ärligt sagt", "själv tycker jag", "jag själv tycker", "jag tycker själv",
	"jag personligen", "personligen tycker", "personligen tror", "personligen anser",
	"personligen skulle", "personligen gillar", "personligen föredrar", "om du frågar mig",
	"mellan oss sagt", "mellan oss",
)

// slang is informal or rude wording.
var slang = phrases(
	"asså", "ass", "najs", "nice", "omg", "wtf", "btw", "iaf", "iofs", "shit", "fan", "jävla*",
	"jävligt", "jäkla*", "jäkligt", "skit", "skitbra", "skitkul", "skitsnack", "sjukt bra",
	"grymt bra", "fett bra", "typ typ",
)

// Shouting is a run of words in capitals with at least this many letters;
// shorter runs are acronyms ("SMS", "BUF", "SVT SR").
const (
	shoutLetters       = 10
	shoutOneWordLetter = 12
	emojiOverload      = 3
)

func tone(t *text) []Finding {
	var out []Finding
	out = append(out, spansToFindings(shouting(t.words), KindTone, Warn, shoutMessage)...)
	out = append(out, spansToFindings(exclamations(t.rs), KindTone, Warn, exclaimMessage)...)
	out = append(out, spansToFindings(findPhrases(t, privateRemarks), KindTone, Warn, privateMessage)...)
	out = append(out, spansToFindings(findPhrases(t, slang), KindTone, Warn, slangMessage)...)
	return append(out, spansToFindings(emojiClusters(t.rs), KindTone, Warn, emojiMessage)...)
}

// shouting finds runs of words written in capitals.
func shouting(ws []word) []span {
	var out []span
	for i := 0; i < len(ws); {
		if !ws[i].upper {
			i++
			continue
		}
		j, letters := i, 0
		for ; j < len(ws) && ws[j].upper; j++ {
			letters += ws[j].letters
		}
		if letters >= shoutLetters && (j-i >= 2 || letters >= shoutOneWordLetter) {
			out = append(out, span{ws[i].start, ws[j-1].end})
		}
		i = j
	}
	return out
}

// exclamations finds runs of "!" and "?" with two or more "!".
func exclamations(rs []rune) []span {
	var out []span
	for i := 0; i < len(rs); {
		if rs[i] != '!' && rs[i] != '?' {
			i++
			continue
		}
		j, bangs := i, 0
		for ; j < len(rs) && (rs[j] == '!' || rs[j] == '?'); j++ {
			if rs[j] == '!' {
				bangs++
			}
		}
		if bangs >= 2 {
			out = append(out, span{i, j})
		}
		i = j
	}
	return out
}

// emojiClusters returns the groups of emoji when the text has emojiOverload
// or more of them. A group is emoji separated only by spaces, joiners and
// modifiers; a sequence joined by U+200D ("👩‍👩‍👧") or a flag counts once.
func emojiClusters(rs []rune) []span {
	var clusters []span
	total := 0
	for i := 0; i < len(rs); {
		if !isEmoji(rs[i]) {
			i++
			continue
		}
		c, n := emojiCluster(rs, i)
		clusters = append(clusters, c)
		total += n
		i = c.end
	}
	if total < emojiOverload {
		return nil
	}
	return clusters
}

// emojiCluster returns the group of emoji that starts at i and how many
// emoji it holds.
func emojiCluster(rs []rune, i int) (span, int) {
	c, n, regional := span{start: i}, 0, 0
	for ; i < len(rs); i++ {
		r := rs[i]
		if !isEmoji(r) {
			if !isEmojiModifier(r) && r != ' ' {
				break
			}
			regional = 0
			continue
		}
		counts := i == 0 || rs[i-1] != zwj
		if isRegional(r) {
			regional++
			counts = counts && regional%2 == 1 // the second letter of a flag
		} else {
			regional = 0
		}
		if counts {
			n++
		}
		c.end = i + 1
	}
	return c, n
}

const zwj = '\u200d'

func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F3FB && r <= 0x1F3FF: // skin tones modify, they are not emoji of their own
		return false
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF:
		return true
	}
	switch r {
	case 0x2B50, 0x2B55, 0x2B1B, 0x2B1C, 0x231A, 0x231B, 0x2328, 0x23F0, 0x23F3, 0x3030, 0x303D:
		return true
	}
	return false
}

func isEmojiModifier(r rune) bool {
	return r == zwj || r == 0xFE0F || r == 0xFE0E || r == 0x20E3 ||
		r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
