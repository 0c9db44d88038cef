package replycheck

import (
	"cmp"
	"slices"
	"unicode"
)

// references are phrases that point to a decision, an article, a report or
// a paragraph: the reader should be able to follow them to the original.
var references = phrases(
	"enligt beslut", "enligt *beslutet", "i *beslutet", "beslutet i",
	"*fullmäktige beslut*", "*fullmäktige har beslut*", "beslutade *fullmäktige",
	"*styrelsen beslut*", "*styrelsen har beslut*", "beslutade *styrelsen",
	"*nämnden beslut*", "*nämnden har beslut*", "beslutade *nämnden",
	"som det står", "det står i", "står det i", "som står i",
	"i *artikeln", "enligt *artikeln", "artikeln i",
	"i *rapporten", "enligt *rapporten", "i *utredningen", "enligt *utredningen",
	"i *protokollet", "enligt *protokollet", "i *pressmeddelandet", "enligt *pressmeddelandet",
	"enligt *planen", "enligt paragraf", "i paragraf", "enligt *paragrafen", "i *paragrafen",
	"enligt tidningen", "i tidningen", "enligt *policyn", "i *policyn",
)

const (
	quoteMessage     = "Citat utan länk: länka till originalet när du citerar."
	referenceMessage = "Hänvisning till ett beslut, en artikel eller en rapport utan länk: " +
		"lägg till en länk till originalet."
	minQuoteWords = 3 // shorter quotations are titles or names, not quotes
)

// quotesWithoutLink warns about quotations and references when the reply
// links nowhere.
func quotesWithoutLink(t *text) []Finding {
	if t.hasLink() {
		return nil
	}
	out := spansToFindings(quotations(t), KindQuoteWithoutLink, Warn, quoteMessage)
	out = append(out, spansToFindings(findPhrases(t, references), KindQuoteWithoutLink, Warn, referenceMessage)...)
	return append(out, spansToFindings(paragraphSigns(t.rs), KindQuoteWithoutLink, Warn, referenceMessage)...)
}

// closers lists, for each opening quotation mark, the marks that close it.
// Swedish typography uses ”…” and »…» with the same mark on both sides.
var closers = map[rune]string{
	'"': `"`, '”': "”“", '“': "”“", '„': "“”", '»': "»«", '«': "»",
}

// maxQuote bounds a quotation, so that a stray mark does not pair with
// another far away.
const maxQuote = 1000

// quotations returns quoted passages of at least minQuoteWords words.
func quotations(t *text) []span {
	at := map[rune][]int{} // where each mark stands
	var blank []int        // where blank lines start
	for i, r := range t.rs {
		if _, ok := closers[r]; ok {
			at[r] = append(at[r], i)
		}
		if r == '\n' && i+1 < len(t.rs) && t.rs[i+1] == '\n' {
			blank = append(blank, i)
		}
	}
	if len(at) == 0 {
		return nil
	}
	var out []span
	for i := 0; i < len(t.rs); i++ {
		cl, ok := closers[t.rs[i]]
		if !ok {
			continue
		}
		end := closingMark(at, blank, i, cl)
		if end < 0 {
			continue
		}
		if countWords(t.words, i, end) >= minQuoteWords {
			out = append(out, span{i, end + 1})
		}
		i = end
	}
	return out
}

// closingMark finds the mark that closes the quotation opened at i, or -1.
// A quotation does not run across a blank line. Marks are looked up by
// position, so that a text full of unclosed marks stays fast.
func closingMark(at map[rune][]int, blank []int, i int, cl string) int {
	end := -1
	for _, c := range cl {
		if k := firstAfter(at[c], i); k >= 0 && (end < 0 || k < end) {
			end = k
		}
	}
	if end < 0 || end > i+maxQuote {
		return -1
	}
	if b := firstAfter(blank, i); b >= 0 && b < end {
		return -1
	}
	return end
}

// firstAfter returns the first position in the sorted list after i, or -1.
func firstAfter(sorted []int, i int) int {
	k, _ := slices.BinarySearch(sorted, i+1)
	if k == len(sorted) {
		return -1
	}
	return sorted[k]
}

// countWords counts the words that start inside (from, to).
func countWords(ws []word, from, to int) int {
	first := func(at int) int {
		i, _ := slices.BinarySearchFunc(ws, at, func(w word, at int) int { return cmp.Compare(w.start, at) })
		return i
	}
	return first(to) - first(from+1)
}

// paragraphSigns finds "§ 12" and "§12".
func paragraphSigns(rs []rune) []span {
	var out []span
	for i, r := range rs {
		if r != '§' {
			continue
		}
		k := i + 1
		for k < len(rs) && rs[k] == ' ' {
			k++
		}
		end := k
		for end < len(rs) && unicode.IsDigit(rs[end]) {
			end++
		}
		if end > k {
			out = append(out, span{i, end})
		}
	}
	return out
}
