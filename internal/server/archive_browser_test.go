package server_test

import (
	"net/http"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/demo"
)

// TestArchivePagesInBrowser: the archive's pages pass axe-core's WCAG 2.1
// AA rules, the structural HTML checks and reflow at 320 px for the
// registrar, who sees every form on them.
func TestArchivePagesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	base := startBrowserSite(t)
	ctx := b.Tab(t)
	if status := signIn(t, ctx, base, "registrator@exempelby.se", demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in status %d", status)
	}
	pages := []struct {
		name, from, link, h1 string
	}{
		{"arkiv", "/", `nav a[href="/arkiv"]`, "Arkiv – allmänna handlingar"},
		{"sökning", "/arkiv?q=simhallen", `main tbody a`, ""},
		{"gallring", "/arkiv", `main a[href="/arkiv/gallring"]`, "Gallring och bevarande"},
		{"export", "/arkiv", `main a[href="/arkiv/export"]`, "Export till e-arkivet"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			browsertest.Navigate(t, ctx, base+p.from)
			if status := browsertest.ClickNavigate(t, ctx, p.link); status != http.StatusOK {
				t.Fatalf("following %s from %s: status %d", p.link, p.from, status)
			}
			if h1 := browsertest.Text(t, ctx, "h1"); h1 == "" || (p.h1 != "" && h1 != p.h1) {
				t.Errorf("h1 = %q, want %q", h1, p.h1)
			}
			checkPage(t, ctx)
		})
	}
	t.Run("vägrad regel", func(t *testing.T) {
		// The refusal, shown with the form as typed, passes the checks too.
		browsertest.Navigate(t, ctx, base+"/arkiv/gallring")
		browsertest.Fill(t, ctx, "#rule-name", "Ringa betydelse")
		browsertest.Fill(t, ctx, "#rule-months", "0")
		browsertest.Eval[bool](t, ctx, `(document.querySelector("#rule-months").removeAttribute("min"), true)`)
		if status := browsertest.ClickNavigate(t, ctx, `form[action="/arkiv/gallring/regler"] button[type=submit]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", status)
		}
		if browsertest.Count(t, ctx, "#rule-error") == 0 {
			t.Error("no error shown")
		}
		checkPage(t, ctx)
	})
	t.Run("export", func(t *testing.T) {
		// A refused export (no records in the period), then one under
		// way with its progress bar: both pass the checks.
		setPeriod := func(from, to string) {
			browsertest.Eval[bool](t, ctx, `(document.querySelector("#export-from").value = "`+from+`", document.querySelector("#export-to").value = "`+to+`", true)`)
		}
		browsertest.Navigate(t, ctx, base+"/arkiv/export")
		setPeriod("2001-01-01", "2001-12-31")
		if status := browsertest.ClickNavigate(t, ctx, `form[action="/arkiv/export"] button[type=submit]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("empty period: status %d", status)
		}
		if browsertest.Count(t, ctx, "#export-error") == 0 {
			t.Error("no error shown")
		}
		checkPage(t, ctx)
		setPeriod("2000-01-01", "2099-12-31")
		if status := browsertest.ClickNavigate(t, ctx, `form[action="/arkiv/export"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("start: status %d", status)
		}
		if browsertest.Count(t, ctx, "main progress") == 0 {
			t.Error("no progress bar")
		}
		checkPage(t, ctx)
	})
}
