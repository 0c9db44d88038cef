package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A channel's reply rules, set by its owner on the channel page, are what
// the reply check applies to replies in that channel: a reply without the
// channel's sign-off warns, one with it does not, and texts on the allow
// list are not flagged as personal data. Bad rules change nothing.
func TestChannelReplyRules(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ch, item := e.seedItem("KLF", "page-klf-rules", "c1", "Hur når jag kommunens växel?")
		e.addMember("kanal@exempelby.se", ch, "owner")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		owner := e.login("kanal@exempelby.se")
		page := fmt.Sprintf("/admin/kanaler/%d", ch)
		form := url.Values{"sign_offs": {"Hälsningar, <namn>, Exempelby kommun\n\n/<namn>"}, "lix_limit": {"40"},
			"allow": {"0123-45 67 00"}, "csrf": {e.csrf(owner, page)}}
		if st, _, _ := e.post(owner, page+"/svarsregler", form); st != http.StatusSeeOther {
			t.Fatalf("save rules: %d", st)
		}
		if _, body := e.get(owner, page); !strings.Contains(body, "Hälsningar, &lt;namn&gt;, Exempelby kommun\n/&lt;namn&gt;</textarea>") {
			t.Fatal("the channel page does not show the saved sign-offs")
		}

		tok := e.token("redaktor@exempelby.se")
		kinds := func(text string) string {
			t.Helper()
			st, out := e.api("POST", "/api/v1/check", tok, fmt.Sprintf(`{"text": %q, "item_id": %d}`, text, item))
			if st != http.StatusOK {
				t.Fatalf("check: %d %v", st, out)
			}
			var ks []string
			for _, f := range out["findings"].([]any) {
				m := f.(map[string]any)
				ks = append(ks, fmt.Sprint(m["kind"], ":", m["message"]))
			}
			return strings.Join(ks, "|")
		}
		if got := kinds("Växeln nås på 0123-45 67 00 vardagar."); !strings.Contains(got, "saknar avsändare") || strings.Contains(got, "phone") {
			t.Fatalf("no sign-off should warn and the allowed number should pass: %s", got)
		}
		if got := kinds("Växeln nås på 0123-45 67 00 vardagar.\n\nHälsningar, Rut Redaktör, Exempelby kommun"); strings.Contains(got, "saknar avsändare") {
			t.Fatalf("a reply with the sign-off still warns: %s", got)
		}
		if got := kinds("Växeln nås vardagar. /Rut"); strings.Contains(got, "saknar avsändare") {
			t.Fatalf("the second sign-off is not accepted: %s", got)
		}

		// An editor is not the channel's manager; a bad limit is refused.
		editor := e.login("redaktor@exempelby.se")
		bad := url.Values{"sign_offs": {""}, "lix_limit": {"45"}, "csrf": {e.csrf(editor, page)}}
		if st, _, _ := e.post(editor, page+"/svarsregler", bad); st != http.StatusForbidden {
			t.Fatalf("an editor changed the reply rules: %d", st)
		}
		bad.Set("lix_limit", "5")
		bad.Set("csrf", e.csrf(owner, page))
		if st, body, _ := e.post(owner, page+"/svarsregler", bad); st != http.StatusUnprocessableEntity || !strings.Contains(body, "mellan 20 och 80") {
			t.Fatalf("a LIX limit of 5 was not refused: %d", st)
		}
		if got := kinds("Växeln nås vardagar."); !strings.Contains(got, "saknar avsändare") {
			t.Fatalf("a refused change altered the rules: %s", got)
		}
		if n := e.count("SELECT COUNT(*) FROM channel_events WHERE channel_id = ? AND kind = 'reply_rules'", ch); n != 1 {
			t.Fatalf("reply rules changes in the channel's history: %d", n)
		}
	})
}
