package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/demo"
	"tilltal/internal/inbox"
)

// editorAnswers is the editor's journey of TestBrowserJourneys: in a real
// Chromium, the editor signs in, opens a citizen's question from the
// simulated platform, answers it, and sees it marked answered with the
// reply in the thread; the item page passes the accessibility checks,
// with the reply check's findings shown too.
func editorAnswers(t *testing.T, b *browsertest.Browser, base string, item inbox.Item) {
	ctx := b.Tab(t)
	if status := signIn(t, ctx, base, "redaktor@exempelby.se", demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in: %d", status)
	}
	browsertest.Navigate(t, ctx, base+"/inkorg")
	checkPage(t, ctx)
	if status := browsertest.ClickNavigate(t, ctx, fmt.Sprintf(`main a[href="/inkorg/%d"]`, item.ID)); status != http.StatusOK {
		t.Fatalf("open item: %d", status)
	}
	checkPage(t, ctx)
	// A reply with a personnummer is stopped, and the page says why.
	browsertest.Fill(t, ctx, "#reply", "Ditt personnummer 800102-2394 är registrerat. /Rut")
	if status := browsertest.ClickNavigate(t, ctx, `form[action$="/svar"] button[type=submit]`); status != http.StatusUnprocessableEntity {
		t.Fatalf("blocked reply: %d", status)
	}
	if got := browsertest.Text(t, ctx, "#check-findings"); !strings.Contains(got, "Stoppar") {
		t.Fatalf("findings: %q", got)
	}
	checkPage(t, ctx)
	browsertest.Fill(t, ctx, "#reply", "Hej! Det stämmer, du hittar mer på exempelby.se/kultur. /Rut, Exempelby kommun")
	if status := browsertest.ClickNavigate(t, ctx, `form[action$="/svar"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("reply: %d", status)
	}
	// The reply goes out through the job queue.
	reloadUntil(t, ctx, fmt.Sprintf("%s/inkorg/%d", base, item.ID), "the item marked answered", func() bool {
		return strings.Contains(browsertest.Text(t, ctx, "p.meta"), "Besvarad")
	})
	if got := browsertest.Text(t, ctx, "ol.thread"); !strings.Contains(got, "exempelby.se/kultur") {
		t.Fatalf("the reply is not in the thread: %q", got)
	}
	checkPage(t, ctx)
}
