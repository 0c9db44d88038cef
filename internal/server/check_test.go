package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestCheckAPI: POST /api/v1/check returns the reply check's findings in
// code points, judges the reply against the item's thread, and keeps to
// the caller's channels.
func TestCheckAPI(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		own, ownItem := e.seedItem("BUF", "page-buf", "c1", "Min granne Erik Svensson spelar hög musik. Ring mig på 0771-17 40 60.")
		other, otherItem := e.seedItem("SBF", "page-sbf", "c2", "Snöröjningen på Storgatan?")
		e.addMember("redaktor@exempelby.se", own, "editor")
		editor, comm := e.token("redaktor@exempelby.se"), e.token("kommunikator@exempelby.se")
		body := func(text string, extra string) string {
			b, _ := json.Marshal(text)
			return `{"text":` + string(b) + extra + `}`
		}
		item := func(id int64) string { return fmt.Sprintf(`,"item_id":%d`, id) }
		tests := []struct {
			name   string
			token  string
			body   string
			status int
			want   []string // kind/severity/start/end of every finding
		}{
			// "Hej Anna! Vi har pratat med " is 28 characters; the name 14.
			{"thread author's name blocks", editor, body("Hej Anna! Vi har pratat med Anna Andersson.", item(ownItem)), http.StatusOK, []string{"name/block/28/42"}},
			{"the same name without a thread warns", editor, body("Hej Anna! Vi har pratat med Anna Andersson.", ""), http.StatusOK, []string{"name/warn/28/42"}},
			{"name in a thread text blocks", editor, body("Vi talar med Erik Svensson.", item(ownItem)), http.StatusOK, []string{"name/block/13/26"}},
			{"the same name elsewhere warns", editor, body("Vi talar med Erik Svensson.", ""), http.StatusOK, []string{"name/warn/13/26"}},
			// A service number only warns, unless the citizen wrote it in the thread.
			{"phone from the thread blocks", editor, body("Vi ringer 0771-17 40 60.", item(ownItem)), http.StatusOK, []string{"phone/block/10/23"}},
			{"service number warns", editor, body("Vi ringer 0771-17 40 60.", ""), http.StatusOK, []string{"phone/warn/10/23"}},
			// "Åh 😀 ring " is 10 characters (15 bytes).
			{"offsets in characters", editor, body("Åh 😀 ring 070-174 06 05", ""), http.StatusOK, []string{"phone/block/10/23"}},
			{"valid personnummer blocks", editor, body("Nummer 800102-2394.", ""), http.StatusOK, []string{"personnummer/block/7/18"}},
			{"invalid check digit warns", editor, body("Nummer 800102-2395.", ""), http.StatusOK, []string{"personnummer/warn/7/18"}},
			{"clean reply is an empty array", editor, body("Tack för din fråga! Förskolan öppnar klockan sju.", item(ownItem)), http.StatusOK, []string{}},
			{"own channel", editor, body("Jag tror det.", fmt.Sprintf(`,"channel_id":%d`, own)), http.StatusOK, []string{"speculation/warn/0/8"}},
			{"10,000 characters of å", editor, body(strings.Repeat("å", 10000), ""), http.StatusOK, []string{}},
			{"10,001 characters", editor, body(strings.Repeat("a", 10001), ""), http.StatusUnprocessableEntity, nil},
			{"unknown field", editor, `{"text":"hej","reply":true}`, http.StatusUnprocessableEntity, nil},
			{"not JSON", editor, `text=hej`, http.StatusUnprocessableEntity, nil},
			{"channel not the item's", editor, body("Hej", item(ownItem)+fmt.Sprintf(`,"channel_id":%d`, other)), http.StatusUnprocessableEntity, nil},
			{"other department's item", editor, body("Hej", item(otherItem)), http.StatusNotFound, nil},
			{"other department's channel", editor, body("Hej", fmt.Sprintf(`,"channel_id":%d`, other)), http.StatusNotFound, nil},
			{"no such item", editor, body("Hej", item(999999)), http.StatusNotFound, nil},
			{"communicator sees every item", comm, body("Storgatan 5 är adressen.", item(otherItem)), http.StatusOK, []string{"address/block/0/11"}},
			{"registrar may not check replies", e.token("registrator@exempelby.se"), body("Hej", ""), http.StatusForbidden, nil},
			{"department contact may not", e.token("verksamhet@exempelby.se"), body("Hej", ""), http.StatusForbidden, nil},
			{"no token", "", body("Hej", ""), http.StatusUnauthorized, nil},
		}
		for _, tt := range tests {
			status, out := e.api("POST", "/api/v1/check", tt.token, tt.body)
			if status != tt.status {
				t.Errorf("%s: status %d, want %d: %v", tt.name, status, tt.status, out)
				continue
			}
			if tt.want == nil {
				continue
			}
			fs, ok := out["findings"].([]any)
			if !ok {
				t.Errorf("%s: findings is %T, want an array", tt.name, out["findings"])
				continue
			}
			got := []string{}
			for _, f := range fs {
				m := f.(map[string]any)
				if m["message"] == "" {
					t.Errorf("%s: finding without message", tt.name)
				}
				got = append(got, fmt.Sprintf("%s/%s/%.0f/%.0f", m["kind"], m["severity"], m["start"], m["end"]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: findings %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}
