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

	"tilltal/internal/escalation"
	"tilltal/internal/inbox"
)

func TestEscalationRoundTrip(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ctx := context.Background()
		ch, item := e.seedItem("BUF", "page-buf", "c1", "Får man bygga en friggebod på skolgården?")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		e.addMember("kontoansvarig@exempelby.se", ch, "owner")
		editor := e.login("redaktor@exempelby.se")
		sbf, buf := e.department("SBF"), e.department("BUF")
		path := fmt.Sprintf("/inkorg/%d", item)
		status, _, _ := e.post(editor, path+"/verksamhet", url.Values{"department": {fmt.Sprint(sbf.ID)}, "question": {"Gäller bygglovsplikt för friggebodar på kommunal mark?"}, "csrf": {e.csrf(editor, path)}})
		if status != http.StatusSeeOther {
			t.Fatalf("escalate: %d", status)
		}
		if it, _ := e.app.Inbox.Get(ctx, item); it.Status != inbox.StatusWaiting {
			t.Fatalf("item status %s, want waiting", it.Status)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE email = 'verksamhet@exempelby.se'"); n != 1 {
			t.Fatalf("department contact notified %d times", n)
		}
		// A second question, to another department, stays out of sight.
		otherQ, err := e.app.Escalations.Create(ctx, item, buf.ID, "Och rektorns syn?", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		contact := e.login("verksamhet@exempelby.se")
		_, list := e.get(contact, "/verksamhet/fragor")
		if !strings.Contains(list, "bygglovsplikt") || strings.Contains(list, "rektorns") {
			t.Fatal("question list not scoped to the contact's department")
		}
		if st, _ := e.get(contact, fmt.Sprintf("/verksamhet/fragor/%d", otherQ)); st != http.StatusNotFound {
			t.Fatalf("other department's question: %d", st)
		}
		if st, _ := e.get(contact, path); st != http.StatusForbidden {
			t.Fatalf("contact reached the inbox item: %d", st)
		}
		qs, _ := e.app.Escalations.ForDepartments(ctx, []int64{sbf.ID}, true)
		qpath := fmt.Sprintf("/verksamhet/fragor/%d", qs[0].ID)
		_, page := e.get(contact, qpath)
		if !strings.Contains(page, "friggebod på skolgården") {
			t.Fatal("the contact does not see the citizen's text")
		}
		status, _, _ = e.post(contact, qpath, url.Values{"answer": {"Nej, friggebodar är bygglovsfria men kräver markägarens tillstånd."}, "csrf": {e.csrf(contact, qpath)}})
		if status != http.StatusSeeOther {
			t.Fatalf("answer: %d", status)
		}
		if it, _ := e.app.Inbox.Get(ctx, item); it.Status != inbox.StatusNew {
			t.Fatalf("item status after answer %s", it.Status)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE email = 'redaktor@exempelby.se' AND subject = 'Verksamheten har svarat'"); n != 1 {
			t.Fatalf("editor notified %d times", n)
		}
		if _, page := e.get(editor, path); !strings.Contains(page, "kräver markägarens tillstånd") {
			t.Fatal("the answer is not on the item")
		}
		// Answering twice is refused.
		if st, _, _ := e.post(contact, qpath, url.Values{"answer": {"igen"}, "csrf": {e.csrf(contact, qpath)}}); st != http.StatusConflict {
			t.Fatalf("second answer: %d", st)
		}

		// Overdue: the open question to BUF reminds once, then alerts the owner once.
		if _, err := e.app.DB.Exec(ctx, "UPDATE escalations SET due_at = ? WHERE id = ?", time.Now().UTC().Add(-25*time.Hour), otherQ); err != nil {
			t.Fatal(err)
		}
		w := &escalation.OverdueWorker{Store: e.app.Escalations}
		for i := 0; i < 2; i++ {
			if err := w.Work(ctx, &river.Job[escalation.OverdueArgs]{}); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE email = 'kontoansvarig@exempelby.se' AND subject = 'En fråga till verksamheten är försenad'"); n != 1 {
			t.Fatalf("owner alerted %d times", n)
		}
	})
}
