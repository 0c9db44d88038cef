package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/demo"
	"tilltal/internal/inbox"
	"tilltal/internal/server"
)

// startSim runs Tilltal with the simulated platforms and its job queue, with
// one connected Facebook channel of Kultur- och fritidsförvaltningen that
// the editor works.
func startSim(t *testing.T, dialect string) (*e2e, int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := startE2EWith(t, db.Dialect(dialect), nil, e2eOptions{Options: server.Options{Connectors: demo.Connectors(11), PollEvery: time.Hour, FetchPollInterval: 50 * time.Millisecond}})
	app := e.app
	dep := e.department("KFF")
	now := time.Now().UTC()
	var ch int64
	err := app.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		ch, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', 'sim-kff', 'Kultur i Exempelby', 'active', ?, ?)", dep.ID, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.addMember("redaktor@exempelby.se", ch, "editor")
	if _, err := demo.Connect(ctx, app.DB, app.Credentials); err != nil {
		t.Fatal(err)
	}
	if err := app.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = app.Queue.Stop(sctx)
	})
	return e, ch
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReplyAndModerateThroughThePlatform: an editor answers a citizen's
// comment and hides another; both go through the job queue to the
// (simulated) platform and come back to the items. A reply the platform
// refuses stays, with the reason.
func TestReplyAndModerateThroughThePlatform(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e, ch := startSim(t, dialect)
			ctx := context.Background()
			var items []inbox.Item
			waitFor(t, "the back-fill", func() bool {
				items, _ = e.app.Inbox.List(ctx, inbox.Filter{ChannelID: ch, OpenOnly: true})
				return len(items) >= 2
			})
			question, other := items[0], items[1]
			c := e.login("redaktor@exempelby.se")
			path := fmt.Sprintf("/inkorg/%d", question.ID)
			_, page := e.get(c, path)
			draft := regexpValue(page, `name="draft" value="`)
			form := url.Values{"reply": {"Hej! Öppettiderna finns på exempelby.se/kultur. /Rut, Exempelby kommun"}, "draft": {draft}, "csrf": {e.csrf(c, path)}}
			for i := 0; i < 2; i++ { // a double click sends one reply
				if st, _, _ := e.post(c, path+"/svar", form); st != http.StatusSeeOther {
					t.Fatalf("reply: %d", st)
				}
			}
			waitFor(t, "the reply to be sent", func() bool {
				it, _ := e.app.Inbox.Get(ctx, question.ID)
				return it.Status == inbox.StatusAnswered
			})
			thread, _ := e.app.Inbox.Thread(ctx, question.ThreadID)
			replies := 0
			for _, it := range thread {
				if it.FromUs && strings.Contains(it.Body, "exempelby.se/kultur") {
					replies++
				}
			}
			if replies != 1 {
				t.Fatalf("%d replies in the thread, want 1", replies)
			}
			// The reply sent is a public record: one outgoing reply record
			// in the archive, in the question's thread.
			if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'reply' AND direction = 'out' AND thread_id = ?", question.ThreadID); n != 1 {
				t.Fatalf("%d reply records, want 1", n)
			}
			// A reply with a personnummer is stopped by the reply check,
			// kept in the field, and sent only with a reason, which is logged.
			blocked := url.Values{"reply": {"Vi har registrerat ditt personnummer 800102-2394. /Rut"}, "draft": {"other-form"}, "csrf": {e.csrf(c, path)}}
			st, page, _ := e.post(c, path+"/svar", blocked)
			if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Stoppar") || !strings.Contains(page, "800102-2394. /Rut</textarea>") || !strings.Contains(page, `id="override"`) {
				t.Fatalf("blocked reply: %d\n%s", st, page[strings.Index(page, "<main"):])
			}
			acts, _ := e.app.Actions.ForItem(ctx, question.ID)
			if len(acts) != 1 {
				t.Fatalf("a blocked reply reached the platform queue: %d actions", len(acts))
			}
			blocked.Set("override", "Medborgaren bad oss bekräfta numret")
			if st, _, _ := e.post(c, path+"/svar", blocked); st != http.StatusSeeOther {
				t.Fatalf("reply with a reason: %d", st)
			}
			if n := e.count("SELECT COUNT(*) FROM item_activity WHERE item_id = ? AND kind = 'check_override' AND detail = 'Medborgaren bad oss bekräfta numret'", question.ID); n != 1 {
				t.Fatal("the override reason is not logged")
			}
			// The check while typing answers JSON.
			st, js, _ := e.post(c, path+"/kontroll", url.Values{"reply": {"Jag tror att det troligen är stängt"}, "csrf": {e.csrf(c, path)}})
			if st != 200 || !strings.Contains(js, `"kind":"speculation"`) {
				t.Fatalf("live check: %d %s", st, js)
			}
			// Hide the other comment.
			opath := fmt.Sprintf("/inkorg/%d", other.ID)
			if st, _, _ := e.post(c, opath+"/atgard", url.Values{"action": {"hide"}, "csrf": {e.csrf(c, opath)}}); st != http.StatusSeeOther {
				t.Fatalf("hide: %d", st)
			}
			waitFor(t, "the hide", func() bool {
				it, _ := e.app.Inbox.Get(ctx, other.ID)
				return it.Hidden && it.Status == inbox.StatusHidden
			})
			// The same through the API.
			tok := e.token("redaktor@exempelby.se")
			st, out := e.api("POST", fmt.Sprintf("/api/v1/items/%d/reply", other.ID), tok, `{"text": "Ring oss på 070-1740605 så löser vi det. /Rut"}`)
			if findings, _ := out["findings"].([]any); st != http.StatusUnprocessableEntity || len(findings) == 0 {
				t.Fatalf("API blocked reply: %d %v", st, out)
			}
			if st, out := e.api("POST", fmt.Sprintf("/api/v1/items/%d/reply", other.ID), tok, `{"text": "Tack, vi tittar på det. /Rut", "idempotency_key": "k1"}`); st != http.StatusAccepted || out["action_id"] == nil {
				t.Fatalf("API reply: %d %v", st, out)
			}
			// A reply to a comment the platform does not have fails and is kept.
			_, ghost := e.seedItem("KFF", "sim-kff", "deleted-meanwhile", "Finns inte längre")
			gpath := fmt.Sprintf("/inkorg/%d", ghost)
			e.post(c, gpath+"/svar", url.Values{"reply": {"Tack för frågan!"}, "csrf": {e.csrf(c, gpath)}})
			waitFor(t, "the refusal", func() bool {
				acts, _ := e.app.Actions.ForItem(ctx, ghost)
				return len(acts) == 1 && acts[0].Status == "failed"
			})
			_, page = e.get(c, gpath)
			if !strings.Contains(page, "Tack för frågan!") || !strings.Contains(page, "misslyckades") {
				t.Fatal("the failed reply is not shown with its text")
			}
		})
	}
}

func regexpValue(page, prefix string) string {
	i := strings.Index(page, prefix)
	if i < 0 {
		return ""
	}
	rest := page[i+len(prefix):]
	return rest[:strings.Index(rest, `"`)]
}

// TestPlatformsPage: the communicator sees API versions with their end
// dates and every channel's connection, and can reconnect a dead one; the
// token never shows.
func TestPlatformsPage(t *testing.T) {
	t.Parallel()
	e, ch := startSim(t, "sqlite")
	ctx := context.Background()
	if err := e.app.Credentials.MarkNeedsReconnect(ctx, ch, "lösenordet byttes"); err != nil {
		t.Fatal(err)
	}
	c := e.login("kommunikator@exempelby.se")
	status, page := e.get(c, "/admin/plattformar")
	if status != 200 || !strings.Contains(page, "v23.0") || !strings.Contains(page, "LinkedIn-Version") || !strings.Contains(page, "Måste anslutas igen") {
		t.Fatalf("platforms page: %d\n%s", status, page)
	}
	if strings.Contains(page, "demo-token") {
		t.Fatal("a token is shown")
	}
	path := fmt.Sprintf("/admin/plattformar/kanaler/%d/token", ch)
	if st, _, _ := e.post(c, path, url.Values{"access_token": {""}, "csrf": {e.csrf(c, "/admin/plattformar")}}); st != http.StatusUnprocessableEntity {
		t.Fatalf("empty token: %d", st)
	}
	if st, _, _ := e.post(c, path, url.Values{"access_token": {"ny-token"}, "csrf": {e.csrf(c, "/admin/plattformar")}}); st != http.StatusSeeOther {
		t.Fatalf("reconnect: %d", st)
	}
	cred, err := e.app.Credentials.Get(ctx, ch)
	if err != nil || cred.Status != "ok" {
		t.Fatalf("after reconnect: %+v %v", cred, err)
	}
	editor := e.login("redaktor@exempelby.se")
	if st, _ := e.get(editor, "/admin/plattformar"); st != http.StatusForbidden {
		t.Fatalf("editor: %d", st)
	}
}
