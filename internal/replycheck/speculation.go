package replycheck

// guesses are the phrases of someone answering from what they think rather
// than what they know. The guideline asks for answers from facts: a saved
// answer, or a question to the department that knows.
var guesses = phrases(
	"jag tror", "tror jag", "vi tror", "tror vi",
	"troligen", "troligtvis", "antagligen", "förmodligen", "gissningsvis", "kanske",
	"det borde vara", "borde vara", "borde det vara", "det bör nog", "bör nog",
	"jag antar", "antar jag", "vi antar", "jag gissar", "gissar jag", "jag misstänker",
	"det verkar som", "om jag minns rätt", "om jag inte minns fel", "såvitt jag vet",
	"vad jag vet", "jag är inte säker", "jag har för mig",
)

const guessMessage = "Låter som en gissning. Svara utifrån det du vet: använd ett sparat svar, " +
	"eller skicka frågan till den ansvariga verksamheten."

func speculation(t *text) []Finding {
	return spansToFindings(findPhrases(t, guesses), KindSpeculation, Warn, guessMessage)
}
