package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tilltal/internal/browsertest"
	"tilltal/internal/db"
	"tilltal/internal/demo"
	"tilltal/internal/incident"
)

// TestBrowserIncidentPages: in a real Chromium, a case opened by the
// owner's rule is seen by legal — the list, the case with its vault, the
// moderation report — by the owner on the rules page, and by the editor
// only as a notice on the item; every page passes axe, the HTML checks and
// reflow at 320 px.
func TestBrowserIncidentPages(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	e, ch, _ := startIncidentSim(t, db.SQLite, ownerSetsCaseRule)
	var i incident.Incident
	waitFor(t, "a preserved case", func() bool {
		list, _ := e.app.Incidents.List(context.Background(), incident.Viewer{Legal: true}, incident.Filter{ChannelID: ch})
		if len(list) == 0 || list[0].PreservedAt == nil {
			return false
		}
		i = list[0]
		return true
	})
	pages := []struct {
		who, path, want string
	}{
		{"jurist@exempelby.se", "/arenden", i.DiaryNumber},
		{"jurist@exempelby.se", fmt.Sprintf("/arenden/%d", i.ID), "Sigillet och alla kontrollsummor stämmer"},
		{"jurist@exempelby.se", "/arenden/rapport", "olaga hot"},
		{"kontoansvarig@exempelby.se", fmt.Sprintf("/admin/kanaler/%d/regler", ch), "Dölj och meddela"},
		{"redaktor@exempelby.se", fmt.Sprintf("/inkorg/%d", i.ItemID), "hanteras i ett ärende om misstänkt brott"},
	}
	for _, p := range pages {
		ctx := b.Tab(t)
		if status := signIn(t, ctx, e.srv.URL, p.who, demo.Password); status != http.StatusOK {
			t.Fatalf("sign-in %s: %d", p.who, status)
		}
		if status := browsertest.Navigate(t, ctx, e.srv.URL+p.path); status != http.StatusOK {
			t.Fatalf("%s %s: %d", p.who, p.path, status)
		}
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, p.want) {
			t.Fatalf("%s lacks %q:\n%s", p.path, p.want, got)
		}
		checkPage(t, ctx)
	}
}
