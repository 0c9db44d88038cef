package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform/meta"
)

// TestWebhookToArchive: a signed delivery through the running server is
// archived as received, once however often Meta delivers it, with a record
// for every item version naming it; the archive's pages and API show them
// to the registrar, legal and communicator only, and the chain verifies.
func TestWebhookToArchive(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startWithMeta(t, dialect)
			ctx := context.Background()
			body, err := os.ReadFile("testdata/meta_page_feed.json")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			if _, err := e.app.DB.Exec(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '1000000001', 'Exempelby kommun', 'active', ?, ?)", e.department("SBF").ID, now, now); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
					t.Fatalf("delivery: %d", st)
				}
			}
			e.processed()
			raw, err := archive.Search(ctx, e.app.DB, archive.Filter{Kind: archive.KindRawDelivery})
			if err != nil || len(raw) != 1 {
				t.Fatalf("raw delivery records: %d %v", len(raw), err)
			}
			full, _ := archive.Get(ctx, e.app.DB, raw[0].Seq)
			if !bytes.Equal(full.Content, body) || full.Platform != "facebook" {
				t.Fatal("raw delivery not kept byte for byte")
			}
			versions, _ := archive.Search(ctx, e.app.DB, archive.Filter{Kind: archive.KindItemVersion})
			if n := e.count("SELECT COUNT(*) FROM item_versions"); len(versions) != n || n == 0 {
				t.Fatalf("%d item_version records for %d item versions", len(versions), n)
			}
			for _, v := range versions {
				if v.RefSeq != raw[0].Seq || v.ChannelID == 0 {
					t.Fatalf("version record %d does not name its delivery: %+v", v.Seq, v)
				}
			}
			if rep, err := archive.Verify(ctx, e.app.DB); err != nil || !rep.OK() {
				t.Fatalf("verify: %+v %v", rep, err)
			}
			// The newest citizen's comment.
			var citizen archive.Record
			for _, v := range versions {
				if v.Direction == archive.In {
					citizen = v
					break
				}
			}
			seq := citizen.Seq
			pages := []struct {
				email, path string
				want        int
			}{
				{"registrator@exempelby.se", "/arkiv?q=återvinningscentralerna", http.StatusOK},
				{"registrator@exempelby.se", fmt.Sprintf("/arkiv/%d", seq), http.StatusOK},
				{"jurist@exempelby.se", "/arkiv/gallring", http.StatusOK},
				{"kommunikator@exempelby.se", "/arkiv", http.StatusOK},
				{"redaktor@exempelby.se", "/arkiv", http.StatusForbidden},
				{"redaktor@exempelby.se", fmt.Sprintf("/arkiv/%d", seq), http.StatusForbidden},
				{"verksamhet@exempelby.se", "/arkiv/gallring", http.StatusForbidden},
			}
			for _, p := range pages {
				st, page := e.get(e.login(p.email), p.path)
				if st != p.want {
					t.Errorf("%s %s: %d, want %d", p.email, p.path, st, p.want)
				}
				if p.want == http.StatusOK && strings.Contains(p.path, "?q=") && !strings.Contains(page, "återvinningscentralen") {
					t.Errorf("search page lacks the comment")
				}
			}
			st, out := e.api("GET", "/api/v1/records?kind=item_version&q=nyår", e.token("registrator@exempelby.se"), "")
			if recs, _ := out["records"].([]any); st != http.StatusOK || len(recs) == 0 {
				t.Fatalf("API records: %d %v", st, out)
			}
			if st, _ := e.api("GET", "/api/v1/records", e.token("redaktor@exempelby.se"), ""); st != http.StatusForbidden {
				t.Fatalf("editor read the archive through the API: %d", st)
			}
			if st, out := e.api("GET", fmt.Sprintf("/api/v1/records/%d", raw[0].Seq), e.token("jurist@exempelby.se"), ""); st != http.StatusOK || out["content"] == nil {
				t.Fatalf("API record: %d %v", st, out)
			}
			// The registrar marks the item secret; the communicator then
			// sees neither text nor author.
			reg := e.login("registrator@exempelby.se")
			path := fmt.Sprintf("/arkiv/%d", seq)
			st, page, _ := e.post(reg, path+"/klass", url.Values{"csrf": {e.csrf(reg, path)}, "class": {"sekretess"}, "ground": {"OSL 26 kap. 1 §"}, "reason": {"Uppgifter om hälsa"}})
			if st != http.StatusSeeOther {
				t.Fatalf("class change: %d %s", st, page)
			}
			_, page = e.get(e.login("kommunikator@exempelby.se"), path)
			if strings.Contains(page, citizen.AuthorName) || !strings.Contains(page, "sekretess") {
				i := strings.Index(page, citizen.AuthorName)
				t.Fatalf("secret record shown in full to the communicator: …%s…", page[max(0, i-300):min(len(page), i+100)])
			}
			_, page = e.get(reg, path)
			if !strings.Contains(page, "OSL 26 kap. 1 §") || !strings.Contains(page, citizen.AuthorName) {
				t.Fatal("the registrar does not see the secret record and its ground")
			}
			// A legal hold on the channel refuses a rule that would cull it.
			legal := e.login("jurist@exempelby.se")
			st, page, _ = e.post(legal, "/arkiv/bevarande", url.Values{"csrf": {e.csrf(legal, "/arkiv/gallring")}, "scope": {"channel"}, "target": {fmt.Sprint(citizen.ChannelID)}, "reason": {"Tvist om ett beslut"}})
			if st != http.StatusSeeOther {
				t.Fatalf("hold: %d %s", st, page)
			}
			st, page, _ = e.post(reg, "/arkiv/gallring/regler", url.Values{"csrf": {e.csrf(reg, "/arkiv/gallring")}, "name": {"Kommunens sida"},
				"channel": {fmt.Sprint(citizen.ChannelID)}, "months": {"12"}})
			if st != http.StatusConflict || !strings.Contains(page, "bevarandebeslut") || !strings.Contains(page, "Tvist om ett beslut") {
				t.Fatalf("rule under hold: %d", st)
			}
			if rep, err := archive.Verify(ctx, e.app.DB); err != nil || !rep.OK() {
				t.Fatalf("verify after decisions: %+v %v", rep, err)
			}
		})
	}
}
