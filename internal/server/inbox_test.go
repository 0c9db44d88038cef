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
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// seedItem puts one citizen comment into a channel of the department.
func (e *e2e) seedItem(deptCode, external, extID, text string) (channelID, itemID int64) {
	e.t.Helper()
	ctx := context.Background()
	dep := e.department(deptCode)
	now := time.Now().UTC()
	err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, "SELECT id FROM channels WHERE external_id = ?", external).Scan(&channelID)
		if err != nil {
			channelID, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, ?, 'active', ?, ?)",
				dep.ID, external, dep.Name+" på Facebook", now, now)
			if err != nil {
				return err
			}
		}
		res, err := inbox.Ingest(ctx, tx, channelID, platform.Event{Platform: platform.Facebook, AccountID: external, EventID: extID, Verb: platform.VerbCreate,
			Object: platform.Object{ExternalID: extID, Kind: platform.KindComment, ThreadID: "post-" + external, Text: text,
				Author: platform.Author{ExternalID: "citizen", Name: "Anna <b>Andersson</b>"}, CreatedAt: now}}, now)
		itemID = res.ItemID
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return channelID, itemID
}

func (e *e2e) addMember(email string, channelID int64, role string) {
	e.t.Helper()
	u, err := e.app.Org.UserByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, ?)", channelID, u.ID, role); err != nil {
		e.t.Fatal(err)
	}
}

func TestInboxScopingAndWork(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		own, ownItem := e.seedItem("BUF", "page-buf", "c1", `När öppnar förskolan? <script>alert(1)</script>`)
		_, otherItem := e.seedItem("SBF", "page-sbf", "c2", "Snöröjningen på Storgatan?")
		e.addMember("redaktor@exempelby.se", own, "editor")
		c := e.login("redaktor@exempelby.se")

		status, body := e.get(c, "/inkorg")
		if status != 200 || !strings.Contains(body, "När öppnar förskolan?") || strings.Contains(body, "Snöröjningen") {
			t.Fatalf("inbox not scoped: %d", status)
		}
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<b>Andersson") {
			t.Fatal("citizen text not escaped")
		}
		if status, _ := e.get(c, fmt.Sprintf("/inkorg/%d", otherItem)); status != http.StatusNotFound {
			t.Fatalf("other department's item: %d", status)
		}
		// Search with a stem finds the item.
		if _, body := e.get(c, "/inkorg?q=f%C3%B6rskola&status=all"); !strings.Contains(body, "När öppnar förskolan?") {
			t.Fatal("search for förskola did not find förskolan")
		}
		// Work: take it, then mark it answered.
		csrf := e.csrf(c, fmt.Sprintf("/inkorg/%d", ownItem))
		if st, _, _ := e.post(c, fmt.Sprintf("/inkorg/%d/tilldela", ownItem), url.Values{"user": {"me"}, "csrf": {csrf}}); st != http.StatusSeeOther {
			t.Fatalf("assign: %d", st)
		}
		if st, _, _ := e.post(c, fmt.Sprintf("/inkorg/%d/status", ownItem), url.Values{"status": {"answered"}, "csrf": {csrf}}); st != http.StatusSeeOther {
			t.Fatalf("status: %d", st)
		}
		it, _ := e.app.Inbox.Get(context.Background(), ownItem)
		if it.Status != inbox.StatusAnswered || it.AssigneeName != "Rut Redaktör" {
			t.Fatalf("item: %+v", it)
		}
		// Not on another department's item.
		if st, _, _ := e.post(c, fmt.Sprintf("/inkorg/%d/status", otherItem), url.Values{"status": {"answered"}, "csrf": {csrf}}); st != http.StatusNotFound {
			t.Fatalf("status on other item: %d", st)
		}
		// A department contact has no inbox.
		dc := e.login("verksamhet@exempelby.se")
		if st, _ := e.get(dc, "/inkorg"); st != http.StatusForbidden {
			t.Fatalf("department contact inbox: %d", st)
		}
	})
}

func TestItemsAPIScoping(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		own, ownItem := e.seedItem("BUF", "page-buf", "c1", "Hur söker jag förskoleplats?")
		_, otherItem := e.seedItem("SBF", "page-sbf", "c2", "Bygglov för altan?")
		e.addMember("redaktor@exempelby.se", own, "editor")
		tok := e.token("redaktor@exempelby.se")
		status, out := e.api("GET", "/api/v1/items?q=f%C3%B6rskoleplatsen", tok, "")
		items, _ := out["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("list: %d %v", status, out)
		}
		if status, _ := e.api("GET", "/api/v1/items?status=all", tok, ""); status != http.StatusUnprocessableEntity {
			t.Fatalf("bad status filter: %d", status)
		}
		if status, _ := e.api("GET", fmt.Sprintf("/api/v1/items/%d", otherItem), tok, ""); status != http.StatusNotFound {
			t.Fatalf("other item: %d", status)
		}
		if status, _ := e.api("POST", fmt.Sprintf("/api/v1/items/%d/status", otherItem), tok, `{"status":"answered"}`); status != http.StatusNotFound {
			t.Fatalf("other item status: %d", status)
		}
		status, got := e.api("POST", fmt.Sprintf("/api/v1/items/%d/status", ownItem), tok, `{"status":"waiting"}`)
		if status != 200 || got["status"] != "waiting" {
			t.Fatalf("status: %d %v", status, got)
		}
		if status, _ := e.api("POST", fmt.Sprintf("/api/v1/items/%d/status", ownItem), tok, `{"status":"hidden"}`); status != http.StatusUnprocessableEntity {
			t.Fatalf("hidden by hand: %d", status)
		}
		// The registrar reads everything but cannot work items.
		rtok := e.token("registrator@exempelby.se")
		if status, _ := e.api("GET", fmt.Sprintf("/api/v1/items/%d", otherItem), rtok, ""); status != 200 {
			t.Fatalf("registrar read: %d", status)
		}
		if status, _ := e.api("POST", fmt.Sprintf("/api/v1/items/%d/notes", otherItem), rtok, `{"text":"x"}`); status != http.StatusForbidden {
			t.Fatalf("registrar note: %d", status)
		}
	})
}

// TestLiveInboxStreamsNewItems: an item stored after the page was made
// arrives on the event stream, rendered and escaped; other channels' do not.
func TestLiveInboxStreamsNewItems(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		own, first := e.seedItem("BUF", "page-buf", "c1", "Första frågan")
		e.addMember("redaktor@exempelby.se", own, "editor")
		c := e.login("redaktor@exempelby.se")
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/inkorg/live?live_after=%d", e.srv.URL, first), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
		}
		e.seedItem("SBF", "page-sbf", "c9", "Annan förvaltning")
		_, second := e.seedItem("BUF", "page-buf", "c2", "Andra frågan <i>kursiv</i>")
		buf := make([]byte, 0, 4096)
		chunk := make([]byte, 1024)
		for !strings.Contains(string(buf), "event: item") {
			n, err := resp.Body.Read(chunk)
			if err != nil {
				t.Fatalf("stream ended before the item: %v (%q)", err, buf)
			}
			buf = append(buf, chunk[:n]...)
		}
		got := string(buf)
		if !strings.Contains(got, fmt.Sprintf("id: %d", second)) || !strings.Contains(got, `\u0026lt;i\u0026gt;kursiv`) {
			t.Fatalf("stream: %q", got)
		}
		if strings.Contains(got, "Annan förvaltning") {
			t.Fatal("another department's item on the stream")
		}
	})
}

// TestCollisionMarker: when one editor has an item open and another is
// writing a reply, each sees the other.
func TestCollisionMarker(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ch, item := e.seedItem("KFF", "page-kff", "c1", "Har simhallen öppet på söndag?")
		e.addMember("kontoansvarig@exempelby.se", ch, "owner")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		owner := e.login("kontoansvarig@exempelby.se")
		editor := e.login("redaktor@exempelby.se")
		path := fmt.Sprintf("/inkorg/%d", item)
		e.get(owner, path)
		_, body := e.get(editor, path)
		if !strings.Contains(body, "Oskar Kontoansvarig har också ärendet öppet.") {
			t.Fatal("editor does not see the owner")
		}
		status, js, _ := e.post(editor, path+"/narvaro", url.Values{"state": {"writing"}, "csrf": {e.csrf(editor, path)}})
		if status != 200 || !strings.Contains(js, "Oskar Kontoansvarig") {
			t.Fatalf("presence: %d %s", status, js)
		}
		_, body = e.get(owner, path)
		if !strings.Contains(body, "Rut Redaktör skriver ett svar just nu") {
			t.Fatal("owner does not see the editor writing")
		}
		if status, _, _ := e.post(editor, path+"/narvaro", url.Values{"state": {"dancing"}, "csrf": {e.csrf(editor, path)}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("bad state: %d", status)
		}
	})
}

func TestBulkActionsAreScoped(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ch, a := e.seedItem("BUF", "page-buf", "c1", "Fråga ett")
		_, b := e.seedItem("BUF", "page-buf", "c2", "Fråga två")
		_, other := e.seedItem("SBF", "page-sbf", "c3", "Fråga tre")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		c := e.login("redaktor@exempelby.se")
		csrf := e.csrf(c, "/inkorg")
		// One item out of scope stops the whole action.
		status, _, _ := e.post(c, "/inkorg/mass", url.Values{"item": {fmt.Sprint(a), fmt.Sprint(other)}, "status": {"no_action"}, "csrf": {csrf}})
		if status != http.StatusNotFound {
			t.Fatalf("out of scope: %d", status)
		}
		if it, _ := e.app.Inbox.Get(context.Background(), a); it.Status != inbox.StatusNew {
			t.Fatal("a partial bulk action changed an item")
		}
		status, _, _ = e.post(c, "/inkorg/mass", url.Values{"item": {fmt.Sprint(a), fmt.Sprint(b)}, "status": {"answered"}, "assign_me": {"1"}, "csrf": {csrf}})
		if status != http.StatusSeeOther {
			t.Fatalf("bulk: %d", status)
		}
		for _, id := range []int64{a, b} {
			it, _ := e.app.Inbox.Get(context.Background(), id)
			if it.Status != inbox.StatusAnswered || it.AssigneeName != "Rut Redaktör" {
				t.Fatalf("item %d: %+v", id, it)
			}
		}
	})
}
