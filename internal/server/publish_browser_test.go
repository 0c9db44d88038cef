package server_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tilltal/internal/browsertest"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/demo"
	"tilltal/internal/publish"
)

// TestBrowserComposeApproveSchedule: in a real Chromium, the editor writes
// a post with an image for tomorrow morning and sends it for approval; the
// owner approves it; it stands planned in the week's calendar. Every page
// on the way passes the accessibility checks.
func TestBrowserComposeApproveSchedule(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	p := startPublish(t, db.SQLite)
	consent := p.consent(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
	image, err := filepath.Abs("testdata/simhall.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().In(stockholm(t)).AddDate(0, 0, 1)
	when := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 30, 0, 0, stockholm(t))

	ctx := b.Tab(t)
	if status := signIn(t, ctx, p.srv.URL, "redaktor@exempelby.se", demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in: %d", status)
	}
	browsertest.Navigate(t, ctx, p.srv.URL+"/publicera")
	checkPage(t, ctx)
	if status := browsertest.ClickNavigate(t, ctx, `main a[href="/publicera/nytt"]`); status != http.StatusOK {
		t.Fatalf("compose: %d", status)
	}
	checkPage(t, ctx)
	browsertest.Fill(t, ctx, "#title", "Simhallen öppnar i morgon")
	browsertest.Fill(t, ctx, "#body", "Nya simhallen öppnar i morgon klockan tio. Välkommen!")
	browsertest.Fill(t, ctx, "#link", "https://exempelby.se/simhall")
	browsertest.Click(t, ctx, fmt.Sprintf("#channel-%d", p.fb))
	browsertest.Click(t, ctx, fmt.Sprintf("#channel-%d", p.ln))
	browsertest.Fill(t, ctx, fmt.Sprintf("#hashtags-%d", p.ln), "#exempelby #simhall")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#image", []string{image})); err != nil {
		t.Fatal(err)
	}
	browsertest.Fill(t, ctx, "#alt_text", "Barn som badar i den nya simhallen")
	browsertest.Click(t, ctx, fmt.Sprintf("#consent-%d", consent))
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector("#scheduled_at").value = %q, true)`, when.Format("2006-01-02T15:04")))
	browsertest.Click(t, ctx, "#check_sender")
	browsertest.Click(t, ctx, "#check_graphic_profile")
	if status := browsertest.ClickNavigate(t, ctx, `button[name="action"][value="submit"]`); status != http.StatusOK {
		t.Fatalf("submit: %d %s", status, browsertest.Text(t, ctx, "main"))
	}
	if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "Väntar på godkännande") {
		t.Fatalf("after submit: %s", got)
	}
	checkPage(t, ctx)
	postURL := browsertest.Location(t, ctx)

	// The owner approves it in a browser of their own.
	octx := b.Tab(t)
	if status := signIn(t, octx, p.srv.URL, ownerEmail, demo.Password); status != http.StatusOK {
		t.Fatalf("owner sign-in: %d", status)
	}
	browsertest.Navigate(t, octx, strings.TrimSuffix(postURL, "?ok=1"))
	checkPage(t, octx)
	browsertest.Fill(t, octx, "#comment", "Fint, kör!")
	if status := browsertest.ClickNavigate(t, octx, `button[name="decision"][value="approve"]`); status != http.StatusOK {
		t.Fatalf("approve: %d", status)
	}
	main := browsertest.Text(t, octx, "main")
	for _, want := range []string{"Godkänt", "planerat", when.Format("2006-01-02 15:04")} {
		if !strings.Contains(main, want) {
			t.Errorf("the approved post does not say %q:\n%s", want, main)
		}
	}
	checkPage(t, octx)

	// It stands in the week's calendar, planned, and nothing went out yet.
	browsertest.Navigate(t, octx, p.srv.URL+"/publicera?vy=vecka&datum="+when.Format("2006-01-02"))
	if got := browsertest.Text(t, octx, "main table"); !strings.Contains(got, "09:30 Simhallen öppnar i morgon") {
		t.Fatalf("week calendar: %s", got)
	}
	checkPage(t, octx)
	browsertest.Navigate(t, octx, p.srv.URL+"/publicera?vy=manad&datum="+when.Format("2006-01-02"))
	checkPage(t, octx)
	browsertest.Navigate(t, octx, p.srv.URL+"/samtycken")
	checkPage(t, octx)
	browsertest.Navigate(t, octx, p.srv.URL+"/publiceringsregler")
	checkPage(t, octx)
	var posts []publish.Listed
	posts, err = p.app.Publish.List(context.Background(), channel.System, publish.Filter{})
	if err != nil || len(posts) != 1 || posts[0].Targets[0].Status != publish.TargetPlanned {
		t.Fatalf("posts: %+v %v", posts, err)
	}
	if n := p.meta.Count(http.MethodPost, "photos"); n != 0 {
		t.Fatalf("published before its time: %d", n)
	}
}
