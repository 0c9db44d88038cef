package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/browsertest"
	"tilltal/internal/db"
	"tilltal/internal/demo"
)

// The browser tests drive the whole Tilltal, seeded with the demo
// municipality, in a real headless Chromium: every page a person reaches
// must pass axe-core's WCAG 2.1 A and AA rules, the structural checks of
// browsertest.Lint and reflow at 320 px, and the sign-in must work by
// keyboard and without JavaScript.

const (
	communicatorEmail = "kommunikator@exempelby.se"
	editorEmail       = "redaktor@exempelby.se"
	loginError        = "Fel e-postadress eller lösenord"
)

// startBrowserSite serves a demo-seeded Tilltal on a fresh SQLite database
// and returns its base URL.
func startBrowserSite(t *testing.T) string {
	t.Helper()
	e := startE2E(t, db.SQLite)
	seedBrowserInbox(t, e)
	return e.srv.URL
}

// seedBrowserInbox gives the inbox pages something to show: a thread with
// a question and the municipality's answer, and a question to a department.
func seedBrowserInbox(t *testing.T, e *e2e) {
	_, item := e.seedItem("KFF", "page-kff", "c1", "Hej! Har simhallen öppet på annandag jul? <b>Tack</b>")
	e.seedItem("KFF", "page-kff", "c2", "Och biblioteket?")
	if _, err := e.app.Escalations.Create(context.Background(), item, e.department("KFF").ID, "Vilka öppettider gäller i jul?", time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// signIn fills and sends the sign-in form as a person would and returns
// the status of the page it leads to.
func signIn(t *testing.T, ctx context.Context, base, email, password string) int {
	t.Helper()
	browsertest.Navigate(t, ctx, base+"/login")
	browsertest.Fill(t, ctx, "#email", email)
	browsertest.Fill(t, ctx, "#password", password)
	return browsertest.ClickNavigate(t, ctx, `form[action="/login"] button[type=submit]`)
}

// checkPage runs every page check: axe-core, the structural HTML rules
// and reflow at 320 px.
func checkPage(t *testing.T, ctx context.Context) {
	t.Helper()
	browsertest.CheckAccessibility(t, ctx)
	browsertest.CheckHTML(t, ctx)
	browsertest.CheckReflow(t, ctx)
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	base := startBrowserSite(t)

	t.Run("login page", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			path, lang, h1 string
		}{
			{"/login", "sv", "Logga in"},
			{"/login?lang=en", "en", "Sign in"},
		}
		for _, tt := range tests {
			t.Run(tt.lang, func(t *testing.T) {
				t.Parallel()
				ctx := b.Tab(t)
				if status := browsertest.Navigate(t, ctx, base+tt.path); status != http.StatusOK {
					t.Fatalf("status %d", status)
				}
				if lang, _ := browsertest.Attribute(t, ctx, "html", "lang"); lang != tt.lang {
					t.Errorf("lang = %q, want %q", lang, tt.lang)
				}
				if h1 := browsertest.Text(t, ctx, "h1"); h1 != tt.h1 {
					t.Errorf("h1 = %q, want %q", h1, tt.h1)
				}
				checkPage(t, ctx)
			})
		}
	})

	t.Run("communicator pages", func(t *testing.T) {
		t.Parallel()
		communicatorPages(t, b, base)
	})

	t.Run("failed sign-in", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		if status := signIn(t, ctx, base, "jurist@exempelby.se", "fel-lösenord-123"); status != http.StatusUnauthorized {
			t.Errorf("status %d, want %d", status, http.StatusUnauthorized)
		}
		if got := browsertest.Text(t, ctx, "main [role=alert]"); got != loginError {
			t.Errorf("alert = %q, want %q", got, loginError)
		}
		if v, _ := browsertest.Attribute(t, ctx, "#email", "value"); v != "jurist@exempelby.se" {
			t.Errorf("the e-mail field lost its value: %q", v)
		}
		if v, _ := browsertest.Attribute(t, ctx, "#email", "aria-describedby"); v != "login-error" {
			t.Errorf("the e-mail field is not described by the error: %q", v)
		}
		// app.js moves focus to the error so that a screen reader reads it.
		browsertest.WaitFocus(t, ctx, "#login-error")
		checkPage(t, ctx)
	})

	t.Run("skip link", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		if status := signIn(t, ctx, base, communicatorEmail, demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in status %d", status)
		}
		browsertest.PressTab(t, ctx, false)
		browsertest.WaitFocus(t, ctx, `a.skip[href="#innehall"]`)
		if got := browsertest.Focused(t, ctx); got != "A# Hoppa till innehållet" {
			t.Errorf("the skip link reads %q", got)
		}
		// WCAG 2.4.7: the focused skip link must be seen, not left off-screen.
		if !browsertest.Eval[bool](t, ctx, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.left >= 0 && r.top >= 0 && r.width > 0 && r.height > 0; })()`) {
			t.Error("the focused skip link is not on screen")
		}
		browsertest.PressEnter(t, ctx)
		browsertest.WaitFocus(t, ctx, "main#innehall")
	})

	t.Run("editor has no users link", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		if status := signIn(t, ctx, base, editorEmail, demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in status %d", status)
		}
		if n := browsertest.Count(t, ctx, `nav a[href="/admin/verksamheter"]`); n != 1 {
			t.Fatalf("the editor's menu has %d links to Verksamheter; is the menu there?", n)
		}
		if n := browsertest.Count(t, ctx, `a[href^="/admin/anvandare"]`); n != 0 {
			t.Errorf("the editor sees %d links to Användare", n)
		}
		if menu := browsertest.Text(t, ctx, "nav"); strings.Contains(menu, "Användare") {
			t.Errorf("the editor's menu names Användare: %q", menu)
		}
		checkPage(t, ctx)
		if status := browsertest.Navigate(t, ctx, base+"/admin/anvandare"); status != http.StatusForbidden {
			t.Errorf("the editor opens Användare with status %d, want %d", status, http.StatusForbidden)
		}
		checkPage(t, ctx)
	})

	t.Run("sign-in without JavaScript", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		browsertest.DisableScripts(t, ctx)
		if status := signIn(t, ctx, base, "registrator@exempelby.se", "fel-lösenord-123"); status != http.StatusUnauthorized {
			t.Errorf("failed sign-in status %d, want %d", status, http.StatusUnauthorized)
		}
		// app.js would have made the error focusable: proof that it did not run.
		if _, ok := browsertest.Attribute(t, ctx, "main [role=alert]", "tabindex"); ok {
			t.Fatal("scripts ran although they were turned off")
		}
		if status := signIn(t, ctx, base, communicatorEmail, demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in status %d", status)
		}
		if got := browsertest.Text(t, ctx, "h1"); got != "Välkommen, Karin Kommunikatör" {
			t.Errorf("after sign-in h1 = %q", got)
		}
		if got := browsertest.Location(t, ctx); got != base+"/" {
			t.Errorf("after sign-in at %s, want %s/", got, base)
		}
	})
}

// communicatorPages signs in as the communicator and walks every page of
// the menu by following its links. The subtests share one signed-in tab,
// so they run in order.
func communicatorPages(t *testing.T, b *browsertest.Browser, base string) {
	ctx := b.Tab(t)
	if status := signIn(t, ctx, base, communicatorEmail, demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in status %d", status)
	}
	pages := []struct {
		name  string
		from  string // the page the link is on
		link  string // CSS selector of the link to follow
		h1    string // the heading expected; empty: any
		inNav bool   // the link is the menu's, marked current on its page
	}{
		{"översikt", "/konto", `nav a[href="/"]`, "Välkommen, Karin Kommunikatör", true},
		{"verksamheter", "/", `nav a[href="/admin/verksamheter"]`, "Verksamheter", true},
		{"verksamhet", "/admin/verksamheter", `main .list a`, "", false},
		{"användare", "/", `nav a[href="/admin/anvandare"]`, "Användare", true},
		{"ändra användare", "/admin/anvandare", `main tbody a`, "", false},
		{"ny användare", "/admin/anvandare", `main a[href="/admin/anvandare/ny"]`, "Ny användare", false},
		{"händelselogg", "/", `nav a[href="/admin/logg"]`, "Händelselogg", true},
		{"utskick", "/", `nav a[href="/admin/utskick"]`, "Utskick", true},
		{"mitt konto", "/", `nav a[href="/konto"]`, "Mitt konto", true},
		{"inkorg", "/", `nav a[href="/inkorg"]`, "Inkorg", true},
		{"ärende", "/inkorg", `main tbody a`, "", false},
		{"frågor till verksamheten", "/", `nav a[href="/verksamhet/fragor"]`, "Frågor till verksamheten", true},
		{"fråga", "/verksamhet/fragor", `main tbody a`, "", false},
		{"diarium", "/", `nav a[href="/diarium"]`, "", true},
		{"offentligt diarium", "/diarium", `main a[href^="/diarium/offentlig"]`, "", false},
		{"sparade svar", "/", `nav a[href="/svar"]`, "Sparade svar", true},
		{"nytt sparat svar", "/svar", `main a[href="/svar/ny"]`, "Nytt sparat svar", false},
		{"plattformar", "/", `nav a[href="/admin/plattformar"]`, "Plattformar och anslutningar", true},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			browsertest.Navigate(t, ctx, base+p.from)
			if status := browsertest.ClickNavigate(t, ctx, p.link); status != http.StatusOK {
				t.Fatalf("following %s from %s: status %d", p.link, p.from, status)
			}
			h1 := browsertest.Text(t, ctx, "h1")
			if h1 == "" || (p.h1 != "" && h1 != p.h1) {
				t.Errorf("h1 = %q, want %q", h1, p.h1)
			}
			if p.inNav {
				if v, _ := browsertest.Attribute(t, ctx, p.link, "aria-current"); v != "page" {
					t.Errorf("%s is not marked aria-current=page on its own page", p.link)
				}
			}
			checkPage(t, ctx)
		})
	}
	t.Run("mitt konto med ny API-nyckel", func(t *testing.T) {
		// The token table and the one-time token only appear after a token
		// is made.
		browsertest.Navigate(t, ctx, base+"/konto")
		browsertest.Fill(t, ctx, "#tokname", "Webbplatsen")
		if status := browsertest.ClickNavigate(t, ctx, `form[action="/konto/nycklar"] button`); status != http.StatusOK {
			t.Fatalf("create token: status %d", status)
		}
		if n := browsertest.Count(t, ctx, "main table tbody tr"); n != 1 {
			t.Errorf("%d rows in the token table, want 1", n)
		}
		if got := browsertest.Text(t, ctx, "[role=status] code.token"); got == "" {
			t.Error("the new token is not shown")
		}
		checkPage(t, ctx)
	})
}
