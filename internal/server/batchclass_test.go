package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tilltal/internal/platform/meta"
)

// A batch of events is processed as one transaction, but what each event
// does to an item's class — a flag's retriage, a case opened by the
// channel's rule — is in place before the next event of the batch, as it
// was when events were processed one by one (found in review: applying
// them after the whole batch lost both).

// A comment edited into a threat and back within one batch: the threat
// version must make the item registered, as the one-by-one consumer did.
func TestBatchEditedIntoThreatIsRegistered(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			e := startWithMeta(t, dbDialect(dialect))
			dep := e.department("SBF")
			now := time.Now().UTC()
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000003', 'Exempelby trafik', 'active', ?, ?)", dep.ID, now, now); err != nil {
				t.Fatal(err)
			}
			t0 := now.Add(-time.Hour).Unix()
			body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000003","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"add","message":"Tack för hjälpen!"}},
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"edited","message":"Jag vet var du bor och jag ska se till att du får ångra dig"}},
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"edited","message":"Tack för hjälpen!"}}]}]}`, t0, t0, t0+10, t0+20))
			if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
			e.processed()
			var id int64
			var version int
			var flags, class string
			if err := e.app.DB.QueryRow(context.Background(), "SELECT id, version, flags FROM items WHERE external_id = 'hot_1'").Scan(&id, &version, &flags); err != nil {
				t.Fatal(err)
			}
			if err := e.app.DB.QueryRow(context.Background(), "SELECT class FROM archive_item_classes WHERE item_id = ?", id).Scan(&class); err != nil {
				t.Fatal(err)
			}
			rows, _ := e.app.DB.Query(context.Background(), "SELECT class, previous_class, actor FROM archive_item_class_history WHERE item_id = ? ORDER BY id", id)
			for rows.Next() {
				var c, p, a string
				rows.Scan(&c, &p, &a)
				t.Logf("history: %s <- %q by %s", c, p, a)
			}
			rows.Close()
			t.Logf("item %d version %d flags %q class %s", id, version, flags, class)
			if class != "registreras" {
				t.Errorf("class %q: the threat version is not registered", class)
			}
		})
	}
}

// The page answers a comment just edited into a threat: the answer takes
// the class of what it answers, as the one-by-one consumer gave it.
func TestBatchReplyTakesRetriagedClass(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			e := startWithMeta(t, dbDialect(dialect))
			dep := e.department("SBF")
			now := time.Now().UTC()
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000003', 'Exempelby trafik', 'active', ?, ?)", dep.ID, now, now); err != nil {
				t.Fatal(err)
			}
			t0 := now.Add(-time.Hour).Unix()
			body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000003","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"add","message":"Tack för hjälpen!"}},
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"edited","message":"Jag vet var du bor och jag ska se till att du får ångra dig"}},
{"field":"feed","value":{"from":{"id":"3000000003","name":"Exempelby"},"post_id":"3000000003_1","comment_id":"ans_1","parent_id":"hot_1","created_time":%d,"item":"comment","verb":"add","message":"Vi har polisanmält detta."}}]}]}`, t0, t0, t0+10, t0+20))
			if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
			e.processed()
			for _, ext := range []string{"hot_1", "ans_1"} {
				var class string
				if err := e.app.DB.QueryRow(context.Background(), "SELECT c.class FROM archive_item_classes c JOIN items i ON i.id = c.item_id WHERE i.external_id = ?", ext).Scan(&class); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %s", ext, class)
				if class != "registreras" {
					t.Errorf("%s: class %q", ext, class)
				}
			}
		})
	}
}

// A threat opens a case by the channel's rule (its records become secret);
// the page's answer to it in the same batch takes its class, secret.
func TestBatchReplyToCaseIsSecret(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			e := startWithMeta(t, dbDialect(dialect))
			dep := e.department("SBF")
			now := time.Now().UTC()
			var ch int64
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000003', 'Exempelby trafik', 'active', ?, ?)", dep.ID, now, now); err != nil {
				t.Fatal(err)
			}
			if err := e.app.DB.QueryRow(context.Background(), "SELECT id FROM channels WHERE external_id = '3000000003'").Scan(&ch); err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO incident_rules (channel_id, category, action, min_score, open_case, updated_at) VALUES (?, 'threat', 'notify', 0.05, TRUE, ?)", ch, now); err != nil {
				t.Fatal(err)
			}
			t0 := now.Add(-time.Hour).Unix()
			body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000003","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"add","message":"Jag vet var du bor och jag ska se till att du får ångra dig"}},
{"field":"feed","value":{"from":{"id":"3000000003","name":"Exempelby"},"post_id":"3000000003_1","comment_id":"ans_1","parent_id":"hot_1","created_time":%d,"item":"comment","verb":"add","message":"Vi har polisanmält detta."}}]}]}`, t0, t0, t0+20))
			if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
			e.processed()
			var n int
			e.app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM incidents").Scan(&n)
			t.Logf("incidents: %d", n)
			for _, ext := range []string{"hot_1", "ans_1"} {
				var class string
				var secret bool
				if err := e.app.DB.QueryRow(context.Background(), "SELECT c.class, r.secret FROM archive_item_classes c JOIN items i ON i.id = c.item_id JOIN archive_records r ON r.item_id = i.id AND r.kind = 'item_version' WHERE i.external_id = ?", ext).Scan(&class, &secret); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %s secret=%v", ext, class, secret)
				if class != "sekretess" || !secret {
					t.Errorf("%s: class %q secret %v", ext, class, secret)
				}
			}
		})
	}
}
