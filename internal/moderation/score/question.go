package score

import (
	"strings"

	"tilltal/internal/moderation/token"
)

// Question says whether a comment asks something: the inbox answers
// questions first.
type Question struct {
	IsQuestion bool    `json:"is_question"`
	Score      float64 `json:"score"`
}

// questionThreshold is the score from which a comment counts as a question.
const questionThreshold = 0.5

var (
	// interrogatives start a question: "Hur ansöker man …".
	interrogatives = toSet("hur vad när var varför vem vems vilken vilket vilka vart how what when where why who")
	// askVerbs start a yes/no question when a subject follows: "Kan ni …",
	// "Finns det …".
	askVerbs = toSet("kan får går finns är ska måste behöver borde har gäller stämmer vet brukar blir kommer tänker hade skulle kunde fick öppnar stänger")
	subjects = toSet("ni man jag det du kommunen någon nån vi den de dom hon han detta barnen alla er")
	// askWords ask without a question mark: "Jag undrar om …".
	askWords = toSet("undrar undrade fundering funderingar frågan fråga")
)

// question scores whether the comment asks something. The model's
// question head (trained on questions to Swedish authorities) adds to the
// signs: a question mark, a question word or a verb and subject first.
func question(toks []token.Token, modelP float64) Question {
	var s float64
	start := true
	for i, t := range toks {
		switch {
		case t.Kind == token.Punct && t.Text == "?":
			s = or(s, 0.7)
		case start && interrogatives[t.Text]:
			s = or(s, 0.5)
		case start && askVerbs[t.Text] && i+1 < len(toks) && subjects[toks[i+1].Text]:
			s = or(s, 0.5)
		case askWords[t.Text] || strings.HasPrefix(t.Text, "undr"):
			s = or(s, 0.5)
		}
		start = t.Kind == token.Punct || t.Kind == token.Quote
	}
	s = or(s, 0.5*modelP)
	return Question{IsQuestion: s >= questionThreshold, Score: round3(s)}
}

// or combines independent evidence: 1 - (1-a)(1-b).
func or(a, b float64) float64 { return 1 - (1-a)*(1-b) }
