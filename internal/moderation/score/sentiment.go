package score

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"

	"tilltal/internal/moderation/token"
)

// Sentiment is the tone of a comment: the inbox recognises positive
// comments so that they, too, get an answer.
type Sentiment struct {
	// Label is "positive", "neutral" or "negative".
	Label string `json:"label"`
	// Score is how sure the label is, in [0, 1].
	Score float64 `json:"score"`
	// Polarity runs from -1 (very negative) to 1 (very positive).
	Polarity float64 `json:"polarity"`
}

// The sentiment labels.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
)

// polarityCut is where a comment stops being neutral: one clear word
// ("tack", "skandal") on its own is enough.
const polarityCut = 0.25

// lexicon is the sentiment lexicon: single words with all the inflected
// forms we can derive, and phrases by their first word.
type lexicon struct {
	words   map[string]float64
	phrases map[string][]phrase
}

type phrase struct {
	words    []string
	strength float64
}

var theLexicon = mustLoadLexicon()

func mustLoadLexicon() *lexicon {
	lx := &lexicon{words: map[string]float64{}, phrases: map[string][]phrase{}}
	if err := lx.load("data/sentimentlex.tsv", true); err != nil {
		panic(err)
	}
	if err := lx.load("data/sentiment-extra.tsv", false); err != nil {
		panic(err)
	}
	return lx
}

// load reads a lexicon file: word, strength and, in Språkbanken's
// lexicon, the part of speech, from which inflected forms are derived.
// Later files override earlier ones.
func (lx *lexicon) load(name string, inflect bool) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return fmt.Errorf("%s:%d: want word and strength", name, n)
		}
		s, err := strconv.ParseFloat(cols[1], 64)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		word := cols[0]
		if strings.Contains(word, " ") {
			ws := strings.Fields(word)
			lx.phrases[ws[0]] = append(lx.phrases[ws[0]], phrase{ws, s})
			continue
		}
		lx.words[word] = s
		if inflect && len(cols) > 2 {
			for _, f := range inflections(word, cols[2]) {
				if _, ok := lx.words[f]; !ok {
					lx.words[f] = s
				}
			}
		}
	}
	return sc.Err()
}

// inflections derives the common forms of a Swedish adjective ("fin":
// fint, fina, finare, finast) or verb ("älska": älskar, älskade, älskat).
// A derived form never displaces a word of the lexicon itself.
func inflections(w, pos string) []string {
	switch {
	case strings.HasPrefix(pos, "av"):
		stem := w
		if n := len(w); n > 3 && (strings.HasSuffix(w, "el") || strings.HasSuffix(w, "er") || strings.HasSuffix(w, "en")) {
			stem = w[:n-2] + w[n-1:] // enkel → enkl-a, vacker → vackr-a
		}
		neuter := w + "t"
		switch {
		case strings.HasSuffix(w, "en"):
			neuter = w[:len(w)-1] + "t" // öppen → öppet
		case strings.HasSuffix(w, "d") && !strings.HasSuffix(w, "nd") && !strings.HasSuffix(w, "rd"):
			neuter = w[:len(w)-1] + "tt" // glad → glatt
		case strings.HasSuffix(w, "t"):
			neuter = w
		}
		return []string{neuter, stem + "a", stem + "e", w + "are", w + "ast", w + "aste"}
	case strings.HasPrefix(pos, "vb") && strings.HasSuffix(w, "a"):
		stem := w[:len(w)-1]
		return []string{stem + "ar", stem + "ade", stem + "at", stem + "as", stem + "ande", stem + "er", stem + "de", stem + "te"}
	}
	return nil
}

// intensifiers strengthen the next sentiment word; the prefixes strengthen
// the word they start ("jättebra", "skitdåligt").
var (
	intensifiers = toSet("mycket väldigt jätte otroligt så riktigt helt extremt verkligen supert enormt")
	intensPrefix = []string{"jätte", "super", "skit", "kanon", "toppen", "sjukt", "urs"}
)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// sentimentNegators turn the sentiment of the next few words: "inte bra".
var sentimentNegators = toSet("inte ej aldrig inga ingen inget knappast")

// sentiment scores the tone of a tokenised comment.
func (lx *lexicon) sentiment(toks []token.Token) Sentiment {
	var pos, neg float64
	negate, intens := -10, -10 // token index of the last negator and intensifier
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Ends() {
			negate, intens = -10, -10
			continue
		}
		if n, s := lx.phraseAt(toks, i); n > 0 {
			add(&pos, &neg, s)
			i += n - 1
			continue
		}
		switch {
		case sentimentNegators[t.Text]:
			negate = i
			continue
		case intensifiers[t.Text]:
			intens = i
			continue
		}
		s, ok := lx.word(t.Text)
		if !ok {
			continue
		}
		if i-intens <= 2 {
			s *= 1.5
		}
		if i-negate <= 3 {
			s *= -0.5 // "inte bra" is less bad than "dåligt"
		}
		add(&pos, &neg, s)
	}
	p := (pos - neg) / (pos + neg + 2)
	out := Sentiment{Label: Neutral, Polarity: round3(p)}
	switch {
	case p >= polarityCut:
		out.Label, out.Score = Positive, round3(math.Min(1, p/0.6))
	case p <= -polarityCut:
		out.Label, out.Score = Negative, round3(math.Min(1, -p/0.6))
	default:
		out.Score = round3(1 - math.Abs(p)/polarityCut)
	}
	return out
}

func add(pos, neg *float64, s float64) {
	if s > 0 {
		*pos += s
	} else {
		*neg -= s
	}
}

// word looks a word up, also without an intensifying prefix.
func (lx *lexicon) word(w string) (float64, bool) {
	if s, ok := lx.words[w]; ok {
		return s, true
	}
	for _, p := range intensPrefix {
		if len(w) > len(p)+2 && strings.HasPrefix(w, p) {
			if s, ok := lx.words[w[len(p):]]; ok {
				return s * 1.5, true
			}
		}
	}
	return 0, false
}

// phraseAt returns the length and strength of a phrase starting at token i.
func (lx *lexicon) phraseAt(toks []token.Token, i int) (int, float64) {
	for _, p := range lx.phrases[toks[i].Text] {
		if i+len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p.words[1:] {
			if toks[i+1+k].Text != w {
				ok = false
				break
			}
		}
		if ok {
			return len(p.words), p.strength
		}
	}
	return 0, 0
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
