package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDiary(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		_, item := e.seedItem("SBF", "page-sbf", "c1", "Jag vet var du bor och ska se till att du får ångra dig")
		reg := e.login("registrator@exempelby.se")
		path := fmt.Sprintf("/inkorg/%d", item)
		form := url.Values{"secret": {"on"}, "csrf": {e.csrf(reg, path)}}
		if st, body, _ := e.post(reg, path+"/diarium", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, "sekretessgrunden") {
			t.Fatalf("secret without ground: %d", st)
		}
		form.Set("ground", "OSL 18 kap. 1 §")
		if st, _, _ := e.post(reg, path+"/diarium", form); st != http.StatusSeeOther {
			t.Fatalf("register: %d", st)
		}
		if st, _, _ := e.post(reg, path+"/diarium", form); st != http.StatusConflict {
			t.Fatalf("registered twice: %d", st)
		}
		// The archive has the registration: the item's records carry the
		// number and the item is secret under the ground given.
		if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'registration' AND item_id = ? AND diary_number LIKE 'KS 20%'", item); n != 1 {
			t.Fatalf("%d registration records", n)
		}
		if n := e.count("SELECT COUNT(*) FROM archive_records WHERE kind = 'item_version' AND item_id = ? AND diary_number LIKE 'KS 20%' AND secret", item); n != 1 {
			t.Fatalf("%d registered item versions", n)
		}
		if n := e.count("SELECT COUNT(*) FROM archive_item_classes WHERE item_id = ? AND class = 'sekretess' AND secrecy_ground = 'OSL 18 kap. 1 §'", item); n != 1 {
			t.Fatal("the item's class is not sekretess")
		}
		_, page := e.get(reg, path)
		if !strings.Contains(page, "Diariefört: <strong>KS 20") {
			t.Fatal("the item does not show its diary number")
		}
		e.post(reg, "/diarium", url.Values{"description": {"Fråga om bygglov"}, "direction": {"in"}, "sender": {"Per Persson"}, "csrf": {e.csrf(reg, "/diarium")}})
		// The public list masks the secret entry but shows the open one.
		_, public := e.get(e.client(), "/diarium/offentlig")
		if !strings.Contains(public, "Fråga om bygglov") || !strings.Contains(public, "[sekretessbelagd uppgift]") || strings.Contains(public, "Anna") || strings.Contains(public, "OSL 18") {
			t.Fatalf("public diary:\n%s", public)
		}
		st, csv := e.get(reg, "/diarium/export/csv")
		if st != 200 || !strings.HasPrefix(csv, "diarienummer,") || strings.Count(csv, "\n") != 3 {
			t.Fatalf("csv: %d\n%s", st, csv)
		}
		ed := e.login("redaktor@exempelby.se")
		if st, _ := e.get(ed, "/diarium"); st != http.StatusForbidden {
			t.Fatalf("editor: %d", st)
		}
	})
}
