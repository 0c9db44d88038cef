package server_test

import (
	"net/http"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/db"
	"tilltal/internal/demo"
	"tilltal/internal/report"
)

// TestReportBrowser opens every report page, and the printable one, in a
// real Chromium with the fixture week's figures: no axe-core violation of
// WCAG 2.1 A/AA, sound structure, reflow at 320 px; charts are images
// with a name, and the menu leads to the reports.
func TestReportBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	e := startE2E(t, db.SQLite)
	e.seedReportWeek()
	base := e.srv.URL
	ctx := b.Tab(t)
	if status := signIn(t, ctx, base, communicatorEmail, demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in status %d", status)
	}
	t.Run("menu", func(t *testing.T) {
		if status := browsertest.ClickNavigate(t, ctx, `nav a[href="/rapporter"]`); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if v, _ := browsertest.Attribute(t, ctx, `nav a[href="/rapporter"]`, "aria-current"); v != "page" {
			t.Error("the menu's Rapporter link is not marked current")
		}
		checkPage(t, ctx)
	})
	for _, name := range report.Names {
		t.Run(name, func(t *testing.T) {
			if status := browsertest.Navigate(t, ctx, base+"/rapporter/"+name+"?"+reportWeek); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			if n := browsertest.Count(t, ctx, "svg.chart:not([role=img]), svg.chart:not([aria-labelledby])"); n != 0 {
				t.Errorf("%d charts are not named images", n)
			}
			checkPage(t, ctx)
		})
	}
	t.Run("printable", func(t *testing.T) {
		if status := browsertest.Navigate(t, ctx, base+"/rapporter/svarstid/utskrift?"+reportWeek); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if n := browsertest.Count(t, ctx, "main form, header nav"); n != 0 {
			t.Errorf("the printable page has %d forms or menus", n)
		}
		checkPage(t, ctx)
	})
	t.Run("english", func(t *testing.T) {
		browsertest.Navigate(t, ctx, base+"/konto")
		// The owner's view in English: another scope and language.
		owner := b.Tab(t)
		if status := signIn(t, owner, base, "kontoansvarig@exempelby.se", demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in status %d", status)
		}
		if status := browsertest.Navigate(t, owner, base+"/rapporter/svarstid?"+reportWeek); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		checkPage(t, owner)
	})
}
