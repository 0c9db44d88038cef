package server_test

import (
	"context"
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
