package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/platform/meta"
)

// TestIncomingItemsAreClassified: a threat and a thank-you arrive by
// webhook; the threat is flagged with its reason on the item, the thanks is
// recognised as positive and kept in the flow.
func TestIncomingItemsAreClassified(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := startWithMeta(t, dbDialect(dialect))
			dep := e.department("SBF")
			now := time.Now().UTC()
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000003', 'Exempelby trafik', 'active', ?, ?)", dep.ID, now, now); err != nil {
				t.Fatal(err)
			}
			body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000003","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"901","name":"Arg Person"},"post_id":"3000000003_1","comment_id":"hot_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"add","message":"Jag vet var du bor och jag ska se till att du får ångra dig"}},
{"field":"feed","value":{"from":{"id":"902","name":"Glad Person"},"post_id":"3000000003_1","comment_id":"tack_1","parent_id":"3000000003_1","created_time":%d,"item":"comment","verb":"add","message":"Stort tack för den fantastiska snöröjningen i morse, ni är bäst!"}}]}]}`, now.Unix(), now.Unix(), now.Unix()))
			if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
			e.processed()
			var flags, sentiment string
			var threatID int64
			if err := e.app.DB.QueryRow(context.Background(), "SELECT id, flags FROM items WHERE external_id = 'hot_1'").Scan(&threatID, &flags); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(flags, "threat") {
				t.Fatalf("threat flags %q", flags)
			}
			if err := e.app.DB.QueryRow(context.Background(), "SELECT sentiment, flags FROM items WHERE external_id = 'tack_1'").Scan(&sentiment, &flags); err != nil {
				t.Fatal(err)
			}
			if sentiment != "positive" || flags != "" {
				t.Fatalf("thanks: sentiment %q flags %q", sentiment, flags)
			}
			c := e.login("kommunikator@exempelby.se")
			_, page := e.get(c, fmt.Sprintf("/inkorg/%d", threatID))
			if !strings.Contains(page, "Flaggat för granskning") || !strings.Contains(page, "olaga hot") {
				t.Fatalf("the flag and its reason are not on the item:\n%s", page[strings.Index(page, "<main"):strings.Index(page, "<main")+1500])
			}
			if _, list := e.get(c, "/inkorg?flag=threat"); !strings.Contains(list, "ångra dig") || strings.Contains(list, "fantastiska") {
				t.Fatal("flag filter")
			}
			if _, list := e.get(c, "/inkorg?sentiment=positive"); !strings.Contains(list, "fantastiska snöröjningen") || strings.Contains(list, "ångra dig") {
				t.Fatal("positive filter")
			}
		})
	}
}

func dbDialect(s string) db.Dialect { return db.Dialect(s) }
