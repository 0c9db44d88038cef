package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored unchanged (see axe/SOURCES): the rule
// engine that accessibility auditors and browser tools use, so that our
// tests and an auditor's report agree.
//
//go:embed axe/axe.min.js
var axeSource string

// WCAGTags are the axe rule tags for WCAG 2.1 level A and AA, the level
// Swedish public-sector sites must meet (lagen om tillgänglighet till
// digital offentlig service).
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe rule that the page breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []Node `json:"nodes"`
}

// Node is one element that breaks a rule.
type Node struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// runAxe keeps the result small: only what a failure message needs crosses
// the protocol. Targets are CSS selectors, one per frame or shadow root.
const runAxe = `axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' >>> '), summary: n.failureSummary || ''}))
  })))`

// Violations runs axe-core with the WCAG 2.1 A and AA rules on the page
// loaded in the tab and returns what it finds.
func Violations(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: probe axe: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("browsertest: inject axe: %w", err)
		}
	}
	tags := `['` + strings.Join(WCAGTags, `','`) + `']`
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](fmt.Sprintf(runAxe, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: run axe: %w", err)
	}
	return v, nil
}

// CheckAccessibility fails t with every WCAG 2.1 AA violation that axe-core
// finds on the page loaded in the tab.
func CheckAccessibility(t testing.TB, ctx context.Context) {
	t.Helper()
	v, err := Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > 0 {
		t.Errorf("%s: %d accessibility violation(s):\n%s", pageURL(ctx), len(v), FormatViolations(v))
	}
}

// FormatViolations lists violations one rule a paragraph, with every
// offending element, for a test failure message.
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "- %s (%s): %s\n  %s\n", v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    %s\n", n.Target)
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				fmt.Fprintf(&b, "      %s\n", strings.TrimSpace(line))
			}
		}
	}
	return b.String()
}

// pageURL names the page in a failure message; the URL is a courtesy, so
// an error reading it is not worth a failure of its own.
func pageURL(ctx context.Context) string {
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(page)"
	}
	return u
}
