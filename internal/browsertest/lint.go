package browsertest

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Problem is one structural mistake in a page.
type Problem struct {
	// Rule names the check, e.g. "duplicate-id".
	Rule   string
	Detail string
}

func (p Problem) String() string { return p.Rule + ": " + p.Detail }

// Lint parses a page and checks the structural rules that axe-core leaves
// to an HTML validator or does not check at all, and that matter for
// people using assistive technology: a valid lang on <html>, one non-empty
// <title>, unique ids, references (label for, aria-labelledby,
// aria-describedby, aria-controls, same-page links) that point at
// existing ids, a label for every form control, exactly one h1 and no
// skipped heading level, exactly one main landmark, at most one banner and
// contentinfo, distinct names for repeated landmarks, and no positive
// tabindex (which breaks the focus order).
func Lint(r io.Reader) ([]Problem, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("browsertest: parse HTML: %w", err)
	}
	l := &linter{ids: map[string]*html.Node{}, idCount: map[string]int{}}
	l.collect(doc)
	l.checkDocument()
	l.checkIDs()
	l.checkControls()
	l.checkHeadings()
	l.checkLandmarks()
	return l.problems, nil
}

// CheckHTML fails t with every problem Lint finds in the document loaded
// in the tab (as the browser holds it after parsing).
func CheckHTML(t testing.TB, ctx context.Context) {
	t.Helper()
	src, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatalf("browsertest: read document: %v", err)
	}
	ps, err := Lint(strings.NewReader("<!doctype html>" + src))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) > 0 {
		var b strings.Builder
		for _, p := range ps {
			fmt.Fprintf(&b, "- %s\n", p)
		}
		t.Errorf("%s: %d HTML problem(s):\n%s", pageURL(ctx), len(ps), b.String())
	}
}

type linter struct {
	problems []Problem
	elements []*html.Node // every element, in document order
	ids      map[string]*html.Node
	idCount  map[string]int
}

func (l *linter) add(rule, format string, args ...any) {
	l.problems = append(l.problems, Problem{Rule: rule, Detail: fmt.Sprintf(format, args...)})
}

func (l *linter) collect(n *html.Node) {
	if n.Type == html.ElementNode {
		l.elements = append(l.elements, n)
		if id, ok := attr(n, "id"); ok {
			l.idCount[id]++
			if _, seen := l.ids[id]; !seen {
				l.ids[id] = n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		l.collect(c)
	}
}

// langTag is a cheap BCP 47 shape check: "sv", "en-GB", "sv-x-foo".
var langTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

func (l *linter) checkDocument() {
	titles := 0
	for _, n := range l.elements {
		switch n.DataAtom {
		case atom.Html:
			if v, _ := attr(n, "lang"); !langTag.MatchString(v) {
				l.add("html-lang", "<html> needs a valid lang attribute, has %q", v)
			}
		case atom.Title:
			titles++
			if strings.TrimSpace(textOf(n)) == "" {
				l.add("title", "<title> is empty")
			}
		}
		if v, ok := attr(n, "lang"); ok && n.DataAtom != atom.Html && !langTag.MatchString(v) {
			l.add("lang", "%s has an invalid lang %q", describe(n), v)
		}
		if v, ok := attr(n, "tabindex"); ok && strings.TrimSpace(v) != "" && !strings.HasPrefix(strings.TrimSpace(v), "-") && strings.TrimSpace(v) != "0" {
			l.add("tabindex", "%s has tabindex=%q; a positive tabindex breaks the focus order", describe(n), v)
		}
	}
	if titles != 1 {
		l.add("title", "the page has %d <title> elements, want 1", titles)
	}
}

func (l *linter) checkIDs() {
	for id, c := range l.idCount {
		if c > 1 {
			l.add("duplicate-id", "id %q is used %d times", id, c)
		}
		if id == "" || strings.ContainsAny(id, " \t\n\r\f") {
			l.add("id", "id %q is empty or contains whitespace", id)
		}
	}
	for _, n := range l.elements {
		if n.DataAtom == atom.Label {
			if v, ok := attr(n, "for"); ok {
				l.checkRef(n, "for", v, v)
			}
		}
		for _, a := range []string{"aria-labelledby", "aria-describedby", "aria-controls"} {
			if v, ok := attr(n, a); ok {
				for _, id := range strings.Fields(v) {
					l.checkRef(n, a, id, id)
				}
			}
		}
		if n.DataAtom == atom.A {
			if v, ok := attr(n, "href"); ok && strings.HasPrefix(v, "#") && len(v) > 1 {
				l.checkRef(n, "href", v, v[1:])
			}
		}
	}
}

// checkRef reports a reference (attribute name with value shown) to an
// id that no element has.
func (l *linter) checkRef(n *html.Node, name, shown, id string) {
	if _, ok := l.ids[id]; !ok {
		l.add("broken-reference", "%s %s=%q points at no element", describe(n), name, shown)
	}
}

// needsLabel reports whether n is a form control a person fills in.
func needsLabel(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Select, atom.Textarea:
		return true
	case atom.Input:
		typ, _ := attr(n, "type")
		switch strings.ToLower(typ) {
		case "hidden", "submit", "button", "reset", "image":
			return false
		}
		return true
	}
	return false
}

func (l *linter) checkControls() {
	labelled := map[string]bool{}
	for _, n := range l.elements {
		if n.DataAtom == atom.Label {
			if v, ok := attr(n, "for"); ok && strings.TrimSpace(textOf(n)) != "" {
				labelled[v] = true
			}
		}
	}
	for _, n := range l.elements {
		if !needsLabel(n) {
			continue
		}
		id, _ := attr(n, "id")
		switch {
		case id != "" && labelled[id]:
		case hasText(n, "aria-label"), hasText(n, "title"):
		case hasText(n, "aria-labelledby"):
		case insideLabel(n):
		default:
			l.add("label", "%s has no label", describe(n))
		}
	}
}

func insideLabel(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Label {
			return strings.TrimSpace(textOf(p)) != ""
		}
	}
	return false
}

func (l *linter) checkHeadings() {
	h1, prev := 0, 0
	for _, n := range l.elements {
		level := headingLevel(n)
		if level == 0 || hidden(n) {
			continue
		}
		if level == 1 {
			h1++
		}
		if prev > 0 && level > prev+1 {
			l.add("heading-order", "%s %q follows an h%d, skipping a level", describe(n), strings.TrimSpace(textOf(n)), prev)
		}
		if strings.TrimSpace(textOf(n)) == "" {
			l.add("heading-empty", "%s is empty", describe(n))
		}
		prev = level
	}
	if h1 != 1 {
		l.add("h1", "the page has %d h1 headings, want 1", h1)
	}
}

func headingLevel(n *html.Node) int {
	switch n.DataAtom {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (l *linter) checkLandmarks() {
	names := map[string][]string{} // role → accessible names
	for _, n := range l.elements {
		if hidden(n) {
			continue
		}
		if role := l.landmark(n); role != "" {
			names[role] = append(names[role], l.name(n))
		}
	}
	if c := len(names["main"]); c != 1 {
		l.add("landmark", "the page has %d main landmarks, want 1", c)
	}
	for _, role := range []string{"banner", "contentinfo"} {
		if c := len(names[role]); c > 1 {
			l.add("landmark", "the page has %d %s landmarks, want at most 1", c, role)
		}
	}
	for role, ns := range names {
		if len(ns) < 2 || role == "main" || role == "banner" || role == "contentinfo" {
			continue
		}
		seen := map[string]bool{}
		for _, name := range ns {
			if seen[name] {
				l.add("landmark", "%d %s landmarks share the name %q; give each a distinct aria-label", len(ns), role, name)
				break
			}
			seen[name] = true
		}
	}
}

// landmark returns the landmark role of n, explicit or implied by its
// element, following the HTML-AAM mapping.
func (l *linter) landmark(n *html.Node) string {
	if r, ok := attr(n, "role"); ok {
		switch r = strings.TrimSpace(r); r {
		case "main", "banner", "contentinfo", "navigation", "complementary", "search", "region", "form":
			return r
		}
		return ""
	}
	switch n.DataAtom {
	case atom.Main:
		return "main"
	case atom.Nav:
		return "navigation"
	case atom.Aside:
		return "complementary"
	case atom.Header:
		if !inSectioning(n) {
			return "banner"
		}
	case atom.Footer:
		if !inSectioning(n) {
			return "contentinfo"
		}
	case atom.Section:
		if l.name(n) != "" {
			return "region"
		}
	case atom.Form:
		if l.name(n) != "" {
			return "form"
		}
	}
	return ""
}

// inSectioning reports whether a header or footer sits inside content that
// takes away its banner or contentinfo role.
func inSectioning(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		switch p.DataAtom {
		case atom.Article, atom.Aside, atom.Main, atom.Nav, atom.Section:
			return true
		}
	}
	return false
}

// name is n's accessible name from aria-label or aria-labelledby.
func (l *linter) name(n *html.Node) string {
	if v, ok := attr(n, "aria-labelledby"); ok {
		var parts []string
		for _, id := range strings.Fields(v) {
			if t, ok := l.ids[id]; ok {
				parts = append(parts, strings.TrimSpace(textOf(t)))
			}
		}
		return strings.Join(parts, " ")
	}
	v, _ := attr(n, "aria-label")
	return strings.TrimSpace(v)
}

// hidden reports whether n or an ancestor is removed from the
// accessibility tree by markup alone (CSS is the browser's business).
func hidden(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if _, ok := attr(p, "hidden"); ok {
			return true
		}
		if v, _ := attr(p, "aria-hidden"); v == "true" {
			return true
		}
	}
	return false
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasText(n *html.Node, name string) bool {
	v, _ := attr(n, name)
	return strings.TrimSpace(v) != ""
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// describe names an element for a message: tag, id and name.
func describe(n *html.Node) string {
	s := "<" + n.Data
	if v, ok := attr(n, "id"); ok {
		s += fmt.Sprintf(" id=%q", v)
	}
	if v, ok := attr(n, "name"); ok {
		s += fmt.Sprintf(" name=%q", v)
	}
	return s + ">"
}
