package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tilltal/internal/archive"
)

// TestChannelSnapshots: the channel's owner takes a snapshot from the
// channel page and downloads its PDF and HTML; an editor of the channel
// may download but not take one, a person outside it sees nothing; closing
// the channel takes its last snapshot in the same transaction; and the
// archive holds a snapshot record for each, with the chain intact.
func TestChannelSnapshots(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ch, _ := e.seedItem("SBF", "page-sbf", "c1", "Vi undrar <script>alert(1)</script> om bygglovet")
		e.addMember("kontoansvarig@exempelby.se", ch, "owner")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		owner, editor := e.login("kontoansvarig@exempelby.se"), e.login("redaktor@exempelby.se")
		path := fmt.Sprintf("/admin/kanaler/%d", ch)
		if _, page := e.get(owner, path); !strings.Contains(page, "Ingen ögonblicksbild än.") || !strings.Contains(page, "Ta ögonblicksbild nu") {
			t.Fatal("the channel page has no snapshot section for the owner")
		}
		if _, page := e.get(editor, path); strings.Contains(page, "Ta ögonblicksbild nu") {
			t.Fatal("an editor is offered the button")
		}
		if st, _, _ := e.post(editor, path+"/ogonblicksbild", url.Values{"csrf": {e.csrf(editor, path)}}); st != http.StatusForbidden {
			t.Fatalf("editor takes a snapshot: %d", st)
		}
		if st, _, _ := e.post(owner, path+"/ogonblicksbild", url.Values{"csrf": {e.csrf(owner, path)}}); st != http.StatusSeeOther {
			t.Fatalf("owner takes a snapshot: %d", st)
		}
		_, page := e.get(owner, path)
		links := regexp.MustCompile(`href="(/admin/kanaler/\d+/ogonblicksbilder/\d+/(pdf|html))"`).FindAllStringSubmatch(page, -1)
		if len(links) != 2 || !strings.Contains(page, "Tagen för hand") {
			t.Fatalf("snapshot list: %v", links)
		}
		for _, l := range links {
			resp, body := e.fetch(editor, l[1], nil)
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("%s: %d", l[1], resp.StatusCode)
			}
			switch l[2] {
			case "pdf":
				if !strings.HasPrefix(body, "%PDF-") || resp.Header.Get("Content-Type") != "application/pdf" {
					t.Fatalf("pdf: %q", body[:min(20, len(body))])
				}
			case "html":
				if !strings.Contains(body, "om bygglovet") || strings.Contains(body, "<script>alert") || !strings.Contains(body, `lang="sv"`) {
					t.Fatalf("html:\n%s", body)
				}
			}
			if st, _ := e.get(e.login("registrator@exempelby.se"), l[1]); st != 200 {
				t.Fatalf("registrar downloads %s: %d", l[1], st)
			}
		}
		other, _ := e.seedItem("BUF", "page-buf", "c2", "Annan kanal")
		outsider := e.login("skola@exempelby.se")
		if st, _ := e.get(outsider, links[0][1]); st != http.StatusNotFound && st != http.StatusForbidden {
			t.Fatalf("outsider downloads: %d", st)
		}
		// A snapshot id under another channel's address is not found.
		wrong := strings.Replace(links[0][1], fmt.Sprintf("/kanaler/%d/", ch), fmt.Sprintf("/kanaler/%d/", other), 1)
		if st, _ := e.get(e.login("kommunikator@exempelby.se"), wrong); st != http.StatusNotFound {
			t.Fatalf("snapshot under another channel: %d", st)
		}
		// Closing the channel takes its last snapshot first.
		com := e.login("kommunikator@exempelby.se")
		if st, _, _ := e.post(com, path+"/status", url.Values{"to": {"closed"}, "reason": {"Ersatt av huvudsidan"}, "csrf": {e.csrf(com, path)}}); st != http.StatusSeeOther {
			t.Fatalf("close: %d", st)
		}
		if n := e.count("SELECT COUNT(*) FROM archive_snapshots WHERE channel_id = ? AND reason = 'closing'", ch); n != 1 {
			t.Fatalf("%d closing snapshots", n)
		}
		if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'snapshot' AND channel_id = ?", ch); n != 2 {
			t.Fatalf("%d snapshot records", n)
		}
		if n := e.count("SELECT COUNT(*) FROM channels WHERE id = ? AND status = 'closed'", ch); n != 1 {
			t.Fatal("the channel is not closed")
		}
		if rep, err := archive.Verify(context.Background(), e.app.DB); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep.Problems, err)
		}
	})
}
