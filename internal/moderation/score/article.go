package score

import "tilltal/internal/moderation/token"

// A long comment that carries the marks of a newspaper article (by-line,
// "(TT)", publishing time, photo credit) is most likely an article copied
// in whole, which infringes the newspaper's copyright.
const (
	articleMinRunes   = 700
	articleMinMarkers = 2
	articleWeight     = 0.6
)

var articleMarkers = toSet("tt publicerad publicerades uppdaterad uppdaterades foto fotograf bildtext © reporter prenumerera prenumerant annons plusartikel premium")

// copiedArticle adds copyright evidence for a copied article.
func (ev *evidence) copiedArticle(toks []token.Token) {
	if len(toks) == 0 || toks[len(toks)-1].End < articleMinRunes {
		return
	}
	seen := map[string]bool{}
	first := -1
	for i, t := range toks {
		if articleMarkers[t.Text] && !seen[t.Text] {
			seen[t.Text] = true
			if first < 0 {
				first = i
			}
		}
	}
	if len(seen) < articleMinMarkers {
		return
	}
	t := toks[first]
	ev.add(Copyright, Reason{
		Rule:   "copyright.copied-article",
		Why:    "Lång text med tidningsartikelns kännetecken (byline, \"TT\", publiceringstid, fotobyline): troligen en hel artikel som kopierats in.",
		Match:  ev.span(t.Start, t.End),
		Start:  t.Start,
		End:    t.End,
		Weight: articleWeight,
	})
}
