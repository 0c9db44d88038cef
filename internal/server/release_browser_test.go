package server_test

import (
	"net/http"
	"strings"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/demo"
)

// TestReleasePagesInBrowser: the records-request pages pass axe-core's
// WCAG 2.1 AA rules, the structural HTML checks and reflow at 320 px, as
// the registrar works through them with the forms: open, search and
// select, review (selecting text fills the redaction form with code-point
// offsets), a refused redaction shown on the page, and the decision.
func TestReleasePagesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	base := startBrowserSite(t)
	ctx := b.Tab(t)
	if status := signIn(t, ctx, base, "registrator@exempelby.se", demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in status %d", status)
	}
	step := func(name string, fn func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			fn(t)
			checkPage(t, ctx)
		})
	}
	step("lista", func(t *testing.T) {
		browsertest.Navigate(t, ctx, base+"/")
		if st := browsertest.ClickNavigate(t, ctx, `nav a[href="/utlamnande"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
	})
	step("ny begäran", func(t *testing.T) {
		browsertest.Fill(t, ctx, "#subject", "Kommentarer om simhallen i december")
		browsertest.Eval[bool](t, ctx, `(document.querySelector("#anonymous").checked = true, true)`)
		if st := browsertest.ClickNavigate(t, ctx, `form[action="/utlamnande"] button[type=submit]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		if h1 := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(h1, "Begäran ") {
			t.Fatalf("h1 %q", h1)
		}
	})
	step("sök och välj", func(t *testing.T) {
		browsertest.Fill(t, ctx, "#q", "simhallen")
		if st := browsertest.ClickNavigate(t, ctx, `form[role=search] button[type=submit]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		browsertest.Click(t, ctx, `input[name=seq]`)
		if st := browsertest.ClickNavigate(t, ctx, `form[action$="/handlingar"] button[type=submit]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
	})
	step("granskning", func(t *testing.T) {
		if st := browsertest.ClickNavigate(t, ctx, `main a[href$="/granskning"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		// Select "simhallen" in the text: the form gets its code points.
		got := browsertest.Eval[string](t, ctx, `(function(){
			var box = document.querySelector(".record-text"), node = box.firstChild, text = node.textContent, i = text.indexOf("simhallen");
			var r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 9);
			var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
			document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
			var f = document.querySelector("form.redact-form");
			return f.elements.start.value + "-" + f.elements.end.value;
		})()`)
		if got != "9-18" { // "Hej! Har simhallen…"
			t.Fatalf("selection filled %q", got)
		}
		if st := browsertest.ClickNavigate(t, ctx, `form.redact-form button[type=submit]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		if browsertest.Count(t, ctx, ".record-text del") != 1 {
			t.Fatal("the redaction is not shown")
		}
	})
	step("vägrad maskering", func(t *testing.T) {
		browsertest.Fill(t, ctx, "form.redact-form input[name=start]", "0")
		browsertest.Fill(t, ctx, "form.redact-form input[name=end]", "9999")
		if st := browsertest.ClickNavigate(t, ctx, `form.redact-form button[type=submit]`); st != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", st)
		}
		if !strings.Contains(browsertest.Text(t, ctx, ".error"), "efter textens slut") {
			t.Fatal("no error shown")
		}
	})
	step("beslut", func(t *testing.T) {
		if st := browsertest.ClickNavigate(t, ctx, `main p a[href^="/utlamnande/"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		browsertest.Click(t, ctx, `#outcome-delvis_avslag`)
		if st := browsertest.ClickNavigate(t, ctx, `form[action$="/beslut"] button[type=submit]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		if browsertest.Count(t, ctx, `a[href$="/beslut.pdf"]`) != 1 {
			t.Fatal("no decision link")
		}
	})
}
