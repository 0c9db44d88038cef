package browsertest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The actions below fail the test at once with the selector in the message,
// so that a test reads as a list of steps without error plumbing.

// Navigate opens url in the tab, waits for it to load and returns the HTTP
// status of the document.
func Navigate(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("browsertest: navigate to %s: %v", url, err)
	}
	return int(resp.Status)
}

// Fill replaces the value of the form field matched by the CSS selector sel
// by typing value into it, as a person would.
func Fill(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		// Emptying the value property clears even a field the person
		// already typed in, which Clear (it resets the value attribute)
		// does not.
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
	if err != nil {
		t.Fatalf("browsertest: fill %s: %v", sel, err)
	}
}

// Click clicks the element matched by sel, without waiting for a page load.
func Click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("browsertest: click %s: %v", sel, err)
	}
}

// ClickNavigate clicks the element matched by sel (a link or a submit
// button), waits for the page it leads to and returns its HTTP status.
func ClickNavigate(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("browsertest: click %s and wait for the page: %v", sel, err)
	}
	return int(resp.Status)
}

// Text returns the visible text of the first element matched by sel.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		t.Fatalf("browsertest: text of %s: %v", sel, err)
	}
	return s
}

// Count returns how many elements match sel on the loaded page, without
// waiting for any to appear.
func Count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(chromedp.CSS(sel), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("browsertest: count %s: %v", sel, err)
	}
	return len(ids)
}

// Attribute returns the attribute name of the first element matched by
// sel, and whether it is present.
func Attribute(t testing.TB, ctx context.Context, sel, name string) (string, bool) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name, chromedp.NodeReady))
	if err != nil {
		t.Fatalf("browsertest: attribute %s of %s: %v", name, sel, err)
	}
	return res.Value, res.Exists
}

// PressTab sends the Tab key to the page, moving keyboard focus on; with
// shift it moves back.
func PressTab(t testing.TB, ctx context.Context, shift bool) {
	t.Helper()
	var mods []chromedp.Modifier
	if shift {
		mods = append(mods, chromedp.ModifierShift)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t", chromedp.KeyModifiers(mods...))); err != nil {
		t.Fatalf("browsertest: press Tab: %v", err)
	}
}

// PressEnter sends the Enter key to the focused element.
func PressEnter(t testing.TB, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("browsertest: press Enter: %v", err)
	}
}

// Focused describes the element that has keyboard focus: its tag name,
// its id and its text, e.g. "A#id text". An empty id shows as "A#".
func Focused(t testing.TB, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const e = document.activeElement;
		if (!e) return "";
		return e.tagName + "#" + e.id + " " + (e.textContent || "").trim();
	})()`))
	if err != nil {
		t.Fatalf("browsertest: focused element: %v", err)
	}
	return s
}

// DisableScripts turns off JavaScript in the tab for every page it loads
// from now on, to prove that a flow works without it.
func DisableScripts(t testing.TB, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("browsertest: disable scripts: %v", err)
	}
}

// Location returns the URL of the page in the tab.
func Location(t testing.TB, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("browsertest: location: %v", err)
	}
	return s
}

// Eval evaluates a JavaScript expression in the page and decodes its
// value, for the checks the other actions do not cover.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("browsertest: evaluate %s: %v", expr, err)
	}
	return v
}

// jsString quotes s as a JavaScript string literal (JSON is valid JS).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
