package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform/meta"
)

const appSecret = "meta-app-secret-for-tests"

func startWithMeta(t *testing.T, dialect db.Dialect) *e2e {
	t.Helper()
	return startE2EWith(t, dialect, map[string]string{"TILLTAL_META_APP_SECRET": appSecret, "TILLTAL_META_VERIFY_TOKEN": "verify-me"}, e2eOptions{})
}

func (e *e2e) deliver(body []byte, signature string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/webhooks/meta", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// processed waits until every acknowledged delivery has been processed
// (items, archive, classification are made after the 200).
func (e *e2e) processed() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.app.Intake.WaitProcessed(ctx); err != nil {
		e.t.Fatalf("deliveries not processed: %v", err)
	}
}

// TestMetaWebhookToInbox: a signed delivery through the running server
// becomes items in the inbox of the page's channel, once however often it
// is delivered; a forged one leaves no trace.
func TestMetaWebhookToInbox(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startWithMeta(t, dialect)
			body, err := os.ReadFile("testdata/meta_page_feed.json")
			if err != nil {
				t.Fatal(err)
			}
			dep := e.department("SBF")
			now := time.Now().UTC()
			if _, err := e.app.DB.Exec(context.Background(), "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '1000000001', 'Exempelby kommun', 'active', ?, ?)", dep.ID, now, now); err != nil {
				t.Fatal(err)
			}
			tables := []string{"webhook_arrivals", "webhook_deliveries", "platform_events", "items", "item_versions", "audit_log"}
			counts := func() map[string]int {
				m := map[string]int{}
				for _, tb := range tables {
					m[tb] = e.count("SELECT COUNT(*) FROM " + tb)
				}
				return m
			}
			before := counts()
			for _, sig := range []string{"", "sha256=00", meta.Sign("wrong-secret", body)} {
				if st := e.deliver(body, sig); st != http.StatusUnauthorized && st != http.StatusForbidden {
					t.Fatalf("signature %q: %d", sig, st)
				}
			}
			after := counts()
			for _, tb := range tables {
				if before[tb] != after[tb] {
					t.Fatalf("a refused delivery changed %s: %d → %d", tb, before[tb], after[tb])
				}
			}
			for i := 0; i < 5; i++ {
				if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
					t.Fatalf("delivery %d: %d", i, st)
				}
			}
			e.processed()
			if n := e.count("SELECT COUNT(*) FROM items WHERE external_id = '200_300'"); n != 1 {
				t.Fatalf("replayed delivery made %d items", n)
			}
			// The operator sees the queue empty and the replays counted
			// (the counters are the process's, shared with other tests).
			_, metrics := e.get(http.DefaultClient, "/metrics")
			for _, line := range []string{"tilltal_intake_arrivals_waiting 0", "tilltal_intake_oldest_arrival_age_seconds 0", "tilltal_intake_held_deliveries 0"} {
				if !strings.Contains(metrics, "\n"+line+"\n") {
					t.Errorf("/metrics lacks %q", line)
				}
			}
			if n := metricValue(t, metrics, "tilltal_intake_replays_total"); n < 4 {
				t.Errorf("%v replays counted, want at least this test's 4", n)
			}
			var text string
			if err := e.app.DB.QueryRow(context.Background(), "SELECT body FROM items WHERE external_id = '200_300'").Scan(&text); err != nil || !strings.Contains(text, "efter nyår") {
				t.Fatalf("edited text not applied: %q %v", text, err)
			}
			if n := e.count("SELECT COUNT(*) FROM item_versions v JOIN items i ON i.id = v.item_id WHERE i.external_id = '200_300'"); n != 2 {
				t.Fatalf("versions: %d, want create + edit", n)
			}
			// Processed in batches that hold the chain's head: each version
			// archived once, the delivery once, and the chain verifies.
			if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'item_version' AND external_id = '200_300'"); n != 2 {
				t.Fatalf("version records: %d, want 2", n)
			}
			if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'raw_delivery'"); n != 1 {
				t.Fatalf("raw delivery records: %d, want 1", n)
			}
			if rep, err := archive.Verify(context.Background(), e.app.DB); err != nil || !rep.OK() {
				t.Fatalf("archive: %+v %v", rep, err)
			}
			// The communicator finds it in the inbox.
			c := e.login("kommunikator@exempelby.se")
			if _, page := e.get(c, "/inkorg?status=all"); !strings.Contains(page, "återvinningscentralen") {
				t.Fatal("webhook item not in the inbox")
			}
			// A page no channel owns yet: kept as unrouted, shown to the
			// communicator, and handed to the channel once it is registered.
			other := bytes.ReplaceAll(body, []byte("1000000001"), []byte("2000000002"))
			if st := e.deliver(other, meta.Sign(appSecret, other)); st != http.StatusOK {
				t.Fatalf("unrouted delivery: %d", st)
			}
			e.processed()
			if _, page := e.get(c, "/admin/plattformar"); !strings.Contains(page, "2000000002") {
				t.Fatal("unrouted account not shown to the communicator")
			}
			ch, err := e.app.Channels.Create(context.Background(), channel.System, channel.NewChannel{
				Details: channel.Details{DepartmentID: dep.ID, Platform: "facebook", ExternalID: "2000000002", Name: "Exempelby återvinning", Purpose: "Frågor om återvinning"},
				People:  channel.People{Owner: "kontoansvarig@exempelby.se"}})
			if err != nil {
				t.Fatal(err)
			}
			if n := e.count("SELECT COUNT(*) FROM items WHERE channel_id = ?", ch.ID); n == 0 {
				t.Fatal("the registered channel did not take over its earlier events")
			}
			// The verification handshake.
			resp, err := http.Get(e.srv.URL + "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=4711")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != "4711" {
				t.Fatalf("handshake: %d %q", resp.StatusCode, b)
			}
			resp, _ = http.Get(e.srv.URL + "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=4711")
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("bad verify token: %d", resp.StatusCode)
			}
		})
	}
}

// metricValue is the value of an unlabelled metric in a /metrics page.
func metricValue(t *testing.T, page, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return 0
}
