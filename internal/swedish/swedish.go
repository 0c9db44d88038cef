// Package swedish analyses Swedish text for search: it splits text into
// words, drops function words and reduces each word to its stem with the
// Snowball algorithm for Swedish, so that "skolan", "skolor" and "skola"
// meet. The same terms are indexed and queried on SQLite and PostgreSQL, so
// search finds the same things on both.
package swedish

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/swedish"
)

// stopWords are Swedish function words: pronouns, articles, prepositions,
// conjunctions and auxiliaries. Content words ("beslut", "dag") are kept on
// purpose — in a municipality's inbox they are what people search for.
var stopWords = toSet(`och i att det som en på är av för med till den har de inte om ett
men var jag han hon vi ni du dem oss mig dig sig er era ert min mitt mina din ditt dina
sin sitt sina hans hennes deras dess vår vårt våra denna detta dessa där här då när nu
så också eller samt utan under över efter före från ut upp in vid mot hos än som vad
vem vilken vilket vilka hur varför ska skulle kan kunde vill ville måste har hade haft
blir blev bli blivit är var varit vara ju nog ej icke dock bara även mycket mer mest
alla allt andra annan annat någon något några ingen inget inga man den det de`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// maxWordLen bounds the work per word: nothing longer is a word anyone
// searches for.
const maxWordLen = 64

// Words splits text into lower-case words of letters and digits.
func Words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if len(w) > maxWordLen || len([]rune(w)) < 2 {
			continue
		}
		out = append(out, strings.ToLower(w))
	}
	return out
}

// Stem returns the stem of one lower-case word: Snowball's Swedish stemmer,
// after folding the definite form of nouns in -a ("skolan", "kvinnan") to
// the indefinite one. Snowball leaves -an alone, so without this "skolan"
// would never find "skola".
// Stop words are stemmed too: the caller removes them before.
func Stem(word string) string {
	if len(word) < 3 {
		return word
	}
	n := len([]rune(word))
	switch {
	case strings.HasSuffix(word, "an") && n >= 5:
		word = word[:len(word)-1]
	case strings.HasSuffix(word, "et") && n >= 6:
		// Definite neuter ("bygglovet", "beslutet"), which Snowball also
		// leaves alone.
		word = word[:len(word)-2]
	}
	// Snowball removes one suffix per pass, so "platsen" becomes "plats"
	// while "plats" becomes "plat". Stemming to a fixed point makes the
	// inflected forms meet.
	for range 3 {
		next := swedish.Stem(word, true)
		if next == word {
			break
		}
		word = next
	}
	return word
}

// Terms returns the search terms of text: stems of its words, function
// words removed, in order of appearance, each once.
func Terms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range Words(text) {
		if stopWords[w] {
			continue
		}
		s := Stem(w)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// IndexText is what is stored for the full-text index: the terms joined by
// spaces.
func IndexText(text string) string { return strings.Join(Terms(text), " ") }

// IsStopWord reports whether w is a function word.
func IsStopWord(w string) bool { return stopWords[strings.ToLower(w)] }
