package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
)

// TestSLAAlerts: a question waiting longer than the channel's target,
// counted in covered hours (08–22 by default), alerts once; at twice the
// target the owner is alerted too. A question asked at night starts its
// clock when the watch starts.
func TestSLAAlerts(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ctx := context.Background()
		ch, fresh := e.seedItem("KFF", "page-kff", "c1", "Fråga på förmiddagen")
		_, night := e.seedItem("KFF", "page-kff", "c2", "Fråga sent på kvällen")
		_, early := e.seedItem("KFF", "page-kff", "c3", "Fråga i gryningen")
		e.addMember("kontoansvarig@exempelby.se", ch, "owner")
		at := func(s string) time.Time {
			v, _ := time.ParseInLocation("2006-01-02 15:04", s, calendar.Stockholm)
			return v.UTC()
		}
		set := func(id int64, posted string) {
			if _, err := e.app.DB.Exec(ctx, "UPDATE items SET posted_at = ? WHERE id = ?", at(posted), id); err != nil {
				t.Fatal(err)
			}
		}
		set(fresh, "2026-11-24 09:30") // 2.5 h covered at noon: first alert
		set(night, "2026-11-23 23:00") // covered since 08:00, 4 h at noon: owner too
		set(early, "2026-11-24 07:30") // the clock starts at 08:00
		now := at("2026-11-24 11:00")
		store := *e.app.Inbox
		store.Now = func() time.Time { return now }
		w := &inbox.SLAWorker{Store: &store, Duty: e.app.Channels, Outbox: e.app.Outbox, BaseURL: "http://tilltal.test"}
		for i := 0; i < 2; i++ { // a second round sends nothing new
			if err := w.Work(ctx, &river.Job[inbox.SLAArgs]{}); err != nil {
				t.Fatal(err)
			}
		}
		count := func(subject string) int {
			return e.count("SELECT COUNT(*) FROM notifications WHERE email = 'kontoansvarig@exempelby.se' AND subject LIKE ?", subject+"%")
		}
		// At 11:00: fresh has 1.5 h (no alert), early 3 h (first alert),
		// night 3 h (first alert).
		if n := count("Svara snart"); n != 2 {
			t.Fatalf("first alerts at 11:00: %d, want 2", n)
		}
		if n := count("Försenat svar"); n != 0 {
			t.Fatalf("owner alerts at 11:00: %d", n)
		}
		now = at("2026-11-24 12:05")
		if err := w.Work(ctx, &river.Job[inbox.SLAArgs]{}); err != nil {
			t.Fatal(err)
		}
		// At 12:05: fresh 2.6 h (first alert), night and early 4.1 h (owner).
		if n := count("Svara snart"); n != 3 {
			t.Fatalf("first alerts at 12:05: %d, want 3", n)
		}
		if n := count("Försenat svar"); n != 2 {
			t.Fatalf("owner alerts at 12:05: %d, want 2", n)
		}
	})
}

func TestResponseTargetIsSetPerChannel(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	var id int64
	if err := e.app.DB.QueryRow(context.Background(), "SELECT id FROM channels ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	c := e.login("kommunikator@exempelby.se")
	page := fmt.Sprintf("/admin/kanaler/%d/jourschema", id)
	if st, body := e.get(c, page); st != 200 || !strings.Contains(body, `name="minutes" type="number" min="15" max="4320" value="120"`) {
		t.Fatalf("rota page: %d", st)
	}
	for _, bad := range []string{"5", "x", "100000"} {
		if st, _, _ := e.post(c, fmt.Sprintf("/admin/kanaler/%d/svarsmal", id), url.Values{"minutes": {bad}, "csrf": {e.csrf(c, page)}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("target %q: %d", bad, st)
		}
	}
	if st, _, _ := e.post(c, fmt.Sprintf("/admin/kanaler/%d/svarsmal", id), url.Values{"minutes": {"45"}, "csrf": {e.csrf(c, page)}}); st != http.StatusSeeOther {
		t.Fatalf("set target: %d", st)
	}
	if got, _ := e.app.Channels.ResponseTarget(context.Background(), id); got != 45*time.Minute {
		t.Fatalf("target %v", got)
	}
	ed := e.login("redaktor@exempelby.se")
	if st, _, _ := e.post(ed, fmt.Sprintf("/admin/kanaler/%d/svarsmal", id), url.Values{"minutes": {"60"}, "csrf": {e.csrf(ed, "/")}}); st != http.StatusForbidden {
		t.Fatalf("editor set target: %d", st)
	}
}
