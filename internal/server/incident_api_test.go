package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestIncidentAPI: the case through the JSON API as scenarios — the owner
// sets the channel's rules, an editor opens a case (and learns no more
// than that it exists), the owner lists it, legal records the police's
// number; the wrong people get 403 or 404 and bad input 422.
func TestIncidentAPI(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ch, item := e.seedItem("KFF", "page-kff", "t1", "Jag vet var du bor och jag ska se till att du får ångra dig.")
		e.addMember("redaktor@exempelby.se", ch, "editor")
		e.addMember("kontoansvarig@exempelby.se", ch, "owner")
		tok := map[string]string{}
		for _, who := range []string{"redaktor", "kontoansvarig", "jurist", "kommunikator", "skola"} {
			tok[who] = e.token(who + "@exempelby.se")
		}
		rules := fmt.Sprintf("/api/v1/channels/%d/incident-rules", ch)
		rule := `{"rules": [{"category": "threat", "action": "hide", "min_score": 0.6, "open_case": true}], "removal_target_minutes": 30}`
		var id float64
		steps := []struct {
			name, who, method, path, body string
			status                        int
			check                         func(out map[string]any) bool
		}{
			{"owner sets rules", "kontoansvarig", "PUT", rules, rule, 200, func(o map[string]any) bool { return o["removal_target_minutes"] == 30.0 }},
			{"editor may not", "redaktor", "PUT", rules, rule, 403, nil},
			{"case rule for harassment", "kontoansvarig", "PUT", rules, `{"rules": [{"category": "harassment", "action": "hide", "min_score": 0.6, "open_case": true}]}`, 422, nil},
			{"unknown field", "kontoansvarig", "PUT", rules, `{"rulez": []}`, 422, nil},
			{"editor opens a case", "redaktor", "POST", fmt.Sprintf("/api/v1/items/%d/incident", item), `{"category": "threat", "note": "Hot"}`, 201,
				func(o map[string]any) bool { _, sees := o["incident"]; return o["created"] == true && !sees }},
			{"unknown crime", "redaktor", "POST", fmt.Sprintf("/api/v1/items/%d/incident", item), `{"category": "rudeness"}`, 422, nil},
			{"opened once", "jurist", "POST", fmt.Sprintf("/api/v1/items/%d/incident", item), `{"category": "threat"}`, 200,
				func(o map[string]any) bool {
					inc, _ := o["incident"].(map[string]any)
					id, _ = inc["id"].(float64)
					return o["created"] == false && inc["diary_number"] != ""
				}},
			{"owner lists it", "kontoansvarig", "GET", "/api/v1/incidents", "", 200, func(o map[string]any) bool { l, _ := o["incidents"].([]any); return len(l) == 1 }},
			{"another owner lists nothing", "skola", "GET", "/api/v1/incidents", "", 200, func(o map[string]any) bool { l, _ := o["incidents"].([]any); return len(l) == 0 }},
			{"editor may not list", "redaktor", "GET", "/api/v1/incidents", "", 403, nil},
			{"bad K-nummer", "jurist", "POST", "/api/v1/incidents/{id}/police-report", `{"report_number": "12"}`, 422, nil},
			{"K-nummer", "jurist", "POST", "/api/v1/incidents/{id}/police-report", `{"report_number": "k4711-26"}`, 200,
				func(o map[string]any) bool {
					return o["police_report_number"] == "K4711-26" && o["status"] == "reported"
				}},
			{"another owner cannot", "skola", "POST", "/api/v1/incidents/{id}/close", `{}`, 404, nil},
			{"report for the communicator", "kommunikator", "GET", "/api/v1/incidents/report", "", 200,
				func(o map[string]any) bool { return o["total"] == 1.0 && o["police_reports"] == 1.0 }},
		}
		for _, s := range steps {
			path := s.path
			if id != 0 {
				path = strings.ReplaceAll(path, "{id}", fmt.Sprint(int64(id)))
			}
			st, out := e.api(s.method, path, tok[s.who], s.body)
			if st != s.status || (s.check != nil && !s.check(out)) {
				t.Fatalf("%s: %d %v", s.name, st, out)
			}
		}
	})
}
