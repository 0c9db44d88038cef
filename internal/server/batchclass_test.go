package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/platform/meta"
)

// A batch of events is processed as one transaction, but what each event
// does to an item's class — a flag's retriage, a case opened by the
// channel's rule — is in place before the next event of the batch, as it
// was when events were processed one by one (found in review: applying
// them after the whole batch lost both).

const (
	thanks = "Tack för hjälpen!"
	threat = "Jag vet var du bor och jag ska se till att du får ångra dig"
)

// change is one comment event of a batch test's delivery.
type change struct {
	id, parent, verb, text string
	fromPage               bool
}

// deliverBatch registers the page's channel (with an incident rule that
// opens a case for threats when openCase), delivers the changes in one
// delivery, waits until it is processed and returns the class of each
// item named with whether its version records are secret.
func deliverBatch(t *testing.T, dialect string, openCase bool, changes []change, items ...string) map[string]string {
	t.Helper()
	e := startWithMeta(t, dbDialect(dialect))
	ctx := context.Background()
	now := time.Now().UTC()
	var ch int64
	if _, err := e.app.DB.Exec(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000003', 'Exempelby trafik', 'active', ?, ?)",
		e.department("SBF").ID, now, now); err != nil {
		t.Fatal(err)
	}
	if err := e.app.DB.QueryRow(ctx, "SELECT id FROM channels WHERE external_id = '3000000003'").Scan(&ch); err != nil {
		t.Fatal(err)
	}
	if openCase {
		if _, err := e.app.DB.Exec(ctx, "INSERT INTO incident_rules (channel_id, category, action, min_score, open_case, updated_at) VALUES (?, 'threat', 'notify', 0.05, TRUE, ?)", ch, now); err != nil {
			t.Fatal(err)
		}
	}
	t0 := now.Add(-time.Hour).Unix()
	var parts []string
	for i, c := range changes {
		from := `{"id":"901","name":"Arg Person"}`
		if c.fromPage {
			from = `{"id":"3000000003","name":"Exempelby"}`
		}
		parts = append(parts, fmt.Sprintf(`{"field":"feed","value":{"from":%s,"post_id":"3000000003_1","comment_id":%q,"parent_id":%q,"created_time":%d,"item":"comment","verb":%q,"message":%q}}`,
			from, c.id, c.parent, t0+int64(10*i), c.verb, c.text))
	}
	body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":"3000000003","time":%d,"changes":[%s]}]}`, t0, strings.Join(parts, ","))
	if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
		t.Fatalf("delivery: %d", st)
	}
	e.processed()
	out := map[string]string{}
	for _, ext := range items {
		var class string
		var secret bool
		if err := e.app.DB.QueryRow(ctx, `SELECT c.class, EXISTS (SELECT 1 FROM archive_records r WHERE r.item_id = i.id AND r.kind = 'item_version' AND r.secret)
			FROM archive_item_classes c JOIN items i ON i.id = c.item_id WHERE i.external_id = ?`, ext).Scan(&class, &secret); err != nil {
			t.Fatal(err)
		}
		out[ext] = fmt.Sprintf("%s secret=%v", class, secret)
	}
	return out
}

func TestBatchClassesFollowEachEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		openCase bool
		changes  []change
		want     map[string]string
	}{
		// A comment edited into a threat and back: the threat version
		// made the item registered, and it stays so.
		{"edited into a threat and back", false, []change{
			{id: "hot_1", parent: "3000000003_1", verb: "add", text: thanks},
			{id: "hot_1", parent: "3000000003_1", verb: "edited", text: threat},
			{id: "hot_1", parent: "3000000003_1", verb: "edited", text: thanks},
		}, map[string]string{"hot_1": "registreras secret=false"}},
		// The page answers a comment just edited into a threat: the
		// answer takes the class its question has by then.
		{"answer to a retriaged comment", false, []change{
			{id: "hot_1", parent: "3000000003_1", verb: "add", text: thanks},
			{id: "hot_1", parent: "3000000003_1", verb: "edited", text: threat},
			{id: "ans_1", parent: "hot_1", verb: "add", text: "Vi har polisanmält detta.", fromPage: true},
		}, map[string]string{"hot_1": "registreras secret=false", "ans_1": "registreras secret=false"}},
		// A threat opens a case by the channel's rule (its records become
		// secret); the page's answer in the same batch is secret too.
		{"answer to a case", true, []change{
			{id: "hot_1", parent: "3000000003_1", verb: "add", text: threat},
			{id: "ans_1", parent: "hot_1", verb: "add", text: "Vi har polisanmält detta.", fromPage: true},
		}, map[string]string{"hot_1": "sekretess secret=true", "ans_1": "sekretess secret=true"}},
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, c := range cases {
			t.Run(dialect+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				var items []string
				for k := range c.want {
					items = append(items, k)
				}
				got := deliverBatch(t, dialect, c.openCase, c.changes, items...)
				for k, want := range c.want {
					if got[k] != want {
						t.Errorf("%s: %s, want %s", k, got[k], want)
					}
				}
			})
		}
	}
}
