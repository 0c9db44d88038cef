// Package score decides, for a comment in Swedish, how likely it is to be
// content that the law obliges a comment field's keeper to remove (lagen
// (1998:112) om ansvar för elektroniska anslagstavlor, §5) — unlawful
// threats, unlawful invasion of privacy, incitement, agitation against a
// population group, child sexual abuse material, unlawful depiction of
// violence, public incitement to terrorism, copyright infringement — or
// harassment that needs a moderator. It also gives the comment's sentiment
// and whether it asks the municipality a question.
//
// Classify gives a score in [0, 1] per category, flags the categories whose
// score reaches the review threshold, and says why: the rules and words
// that matched, with their place in the text in code points. It runs in
// process, with everything compiled at start-up, at well over 20,000
// comments a second on one core.
//
// The evidence comes from three places:
//   - the rules file data/rules.txt: phrasings of threats, slurs,
//     dehumanising patterns, piracy sites and so on, each with its reason
//     and tested examples, with negation ("jag skulle aldrig …") and reported
//     speech (`han skrev "…"`) taken into account;
//   - personal data found by internal/pii: a personnummer or an address
//     next to hostile words is a sign of doxxing (olaga integritetsintrång);
//   - a small statistical model (internal/moderation/model), trained by
//     internal/moderation/train and embedded as data/model.bin.gz, which
//     adds weight for wording like known examples but cannot flag alone
//     unless it is very sure.
//
// Text built to slip past filters (look-alike letters, leetspeak, spaced or
// stretched letters, emoji between letters) is normalised by
// internal/moderation/token before any of this, and the rules also match
// words written without å, ä and ö ("jag ska morda dig").
//
// Sources of the embedded data are in data/SOURCES.md.
package score

//go:generate go run ../train -data ../train/data -rules data/rules.txt -out data/model.bin.gz -report data/model-report.txt
