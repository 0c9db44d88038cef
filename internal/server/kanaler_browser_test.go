package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/demo"
)

// TestChannelPagesInBrowser: the public channel list, in both languages
// and as the embeddable variant, passes axe-core's WCAG 2.1 AA rules, the
// structural HTML checks and reflow at 320 px for an anonymous visitor,
// and shows the channels without JavaScript; the registry's own pages pass
// the same checks for the communicator.
func TestChannelPagesInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	base := startBrowserSite(t)

	t.Run("public list", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ path, lang, h1 string }{
			{"/kanaler", "sv", "Exempelby kommun i sociala medier"},
			{"/kanaler?lang=en", "en", "Exempelby kommun on social media"},
			{"/kanaler/inbaddning", "sv", "Exempelby kommun i sociala medier"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
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
				if n := countAll(t, ctx, "ul.kanaler li a"); n < 8 {
					t.Errorf("%d channels listed, want the demo's active ones", n)
				}
				checkPage(t, ctx)
			})
		}
	})

	t.Run("public list without JavaScript", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		browsertest.DisableScripts(t, ctx)
		if status := browsertest.Navigate(t, ctx, base+"/kanaler"); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if n := countAll(t, ctx, "ul.kanaler li a"); n < 8 {
			t.Errorf("%d channels listed without JavaScript", n)
		}
	})

	t.Run("registry pages", func(t *testing.T) {
		t.Parallel()
		ctx := b.Tab(t)
		if status := signIn(t, ctx, base, communicatorEmail, demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in status %d", status)
		}
		pages := []struct {
			name, from, link, h1 string
		}{
			{"kanaler", "/", `nav a[href="/admin/kanaler"]`, "Kanaler"},
			{"kanal", "/admin/kanaler?status=active", `main tbody a`, ""},
			{"jourschema", "/admin/kanaler?status=active", `main tbody a`, ""},
			{"begärd kanal", "/admin/kanaler?status=requested", `main tbody a`, "Exempelby återvinning (TikTok)"},
			{"begär ny kanal", "/admin/kanaler", `main a[href="/admin/kanaler/ny"]`, "Begär en ny kanal"},
		}
		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				browsertest.Navigate(t, ctx, base+p.from)
				if status := browsertest.ClickNavigate(t, ctx, p.link); status != http.StatusOK {
					t.Fatalf("following %s from %s: status %d", p.link, p.from, status)
				}
				if p.name == "jourschema" {
					if status := browsertest.ClickNavigate(t, ctx, `main a[href$="/jourschema"]`); status != http.StatusOK {
						t.Fatalf("rota: status %d", status)
					}
				}
				if h1 := browsertest.Text(t, ctx, "h1"); h1 == "" || (p.h1 != "" && h1 != p.h1) {
					t.Errorf("h1 = %q, want %q", h1, p.h1)
				}
				checkPage(t, ctx)
			})
		}
		t.Run("ändra kanal", func(t *testing.T) {
			browsertest.Navigate(t, ctx, base+"/admin/kanaler?status=active")
			browsertest.ClickNavigate(t, ctx, `main tbody a`)
			if status := browsertest.ClickNavigate(t, ctx, `main a[href$="/andra"]`); status != http.StatusOK {
				t.Fatalf("edit: status %d", status)
			}
			checkPage(t, ctx)
		})
		t.Run("ögonblicksbild", func(t *testing.T) {
			// The snapshot section, before and after taking one, passes
			// the checks, and the button works without JavaScript.
			browsertest.Navigate(t, ctx, base+"/admin/kanaler?status=active")
			browsertest.ClickNavigate(t, ctx, `main tbody a`)
			checkPage(t, ctx)
			if status := browsertest.ClickNavigate(t, ctx, `form[action$="/ogonblicksbild"] button`); status != http.StatusOK {
				t.Fatalf("take a snapshot: status %d", status)
			}
			if n := countAll(t, ctx, `a[href$="/pdf"]`); n != 1 {
				t.Fatalf("%d snapshot PDFs listed", n)
			}
			checkPage(t, ctx)
		})
		t.Run("vägrat godkännande", func(t *testing.T) {
			// The refusal page, with the rules broken, passes the checks too.
			browsertest.Navigate(t, ctx, base+"/admin/kanaler?status=requested")
			browsertest.ClickNavigate(t, ctx, `main tbody a`)
			browsertest.ClickNavigate(t, ctx, `button[value="review"]`)
			if status := browsertest.ClickNavigate(t, ctx, `button[value="approve"]`); status != http.StatusConflict {
				t.Fatalf("approve an incomplete channel: status %d", status)
			}
			if n := countAll(t, ctx, "main [role=alert] li"); n == 0 {
				t.Error("the refusal lists no rules")
			}
			checkPage(t, ctx)
		})
	})
}

// countAll counts every element matching sel (browsertest.Count stops at
// the first).
func countAll(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return browsertest.Eval[int](t, ctx, "document.querySelectorAll("+strconv.Quote(sel)+").length")
}
