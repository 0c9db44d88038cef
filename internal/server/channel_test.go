package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/channel"
)

// fetch gets a path with request headers and returns the response and body.
func (e *e2e) fetch(c *http.Client, path string, header map[string]string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// publicIDs returns the ids on /kanaler.json.
func (e *e2e) publicIDs() []int64 {
	e.t.Helper()
	resp, body := e.fetch(e.client(), "/kanaler.json", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		e.t.Fatalf("/kanaler.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out struct {
		Channels []struct {
			ID int64 `json:"id"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, c := range out.Channels {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// idsWhere returns channel ids from the database.
func (e *e2e) idsWhere(cond string, args ...any) []int64 {
	e.t.Helper()
	rows, err := e.app.DB.Query(context.Background(), "SELECT id FROM channels WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func (e *e2e) channelID(name string) int64 {
	e.t.Helper()
	ids := e.idsWhere("name = ?", name)
	if len(ids) != 1 {
		e.t.Fatalf("channel %q: %v", name, ids)
	}
	return ids[0]
}

// TestPublicChannelList: /kanaler and its variants show exactly the active
// channels to anyone, cheaply revalidated with ETags, and a closed channel
// leaves them all.
func TestPublicChannelList(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		active := e.idsWhere("status = ?", "active")
		if len(active) < 8 || len(e.idsWhere("status <> ?", "active")) == 0 {
			t.Fatalf("demo seed: %d active channels", len(active))
		}
		if got := e.publicIDs(); !slices.Equal(got, active) {
			t.Fatalf("/kanaler.json lists %v, want the active %v", got, active)
		}
		anon := e.client()
		resp, page := e.fetch(anon, "/kanaler", nil)
		if resp.StatusCode != 200 || !strings.Contains(page, "Exempelby kommun i sociala medier") || !strings.Contains(page, "Gator och trafik i Exempelby") {
			t.Fatalf("/kanaler for an anonymous visitor: %d", resp.StatusCode)
		}
		if strings.Contains(page, "Exempelby återvinning") || strings.Contains(page, "@exempelby.se") || strings.Contains(page, `name="csrf"`) {
			t.Fatal("/kanaler shows a request, people or a form")
		}
		for _, h := range []string{"Barn- och utbildningsförvaltningen", "<h3>Facebook</h3>", "<h3>Instagram</h3>", "<h3>LinkedIn</h3>", "<h3>YouTube</h3>"} {
			if !strings.Contains(page, h) {
				t.Errorf("/kanaler lacks %q", h)
			}
		}

		// Every variant carries a validator and answers it with 304.
		etags := map[string]string{}
		for _, path := range []string{"/kanaler", "/kanaler/inbaddning", "/kanaler.json", "/kanaler.atom"} {
			resp, body := e.fetch(anon, path, nil)
			etag := resp.Header.Get("ETag")
			if resp.StatusCode != 200 || etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") || body == "" {
				t.Fatalf("%s: %d etag %q cache %q", path, resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
			}
			resp, body = e.fetch(anon, path, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("%s with its ETag: %d", path, resp.StatusCode)
			}
			if resp, _ := e.fetch(anon, path, map[string]string{"If-None-Match": `"annan"`}); resp.StatusCode != 200 {
				t.Errorf("%s with another ETag: %d", path, resp.StatusCode)
			}
			etags[path] = etag
		}
		// A signed-in visitor gets the very same page.
		if resp, _ := e.fetch(e.login("kommunikator@exempelby.se"), "/kanaler", map[string]string{"If-None-Match": etags["/kanaler"]}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("/kanaler differs for a signed-in person: %d", resp.StatusCode)
		}

		// The communicator closes a channel: it leaves every variant.
		closed := e.channelID("Gator och trafik i Exempelby")
		status, out := e.api("POST", fmt.Sprintf("/api/v1/channels/%d/status", closed), e.token("kommunikator@exempelby.se"), `{"status": "closed", "reason": "Ersatt av kommunens huvudsida"}`)
		if status != 200 || out["status"] != "closed" {
			t.Fatalf("close: %d %v", status, out)
		}
		want := slices.DeleteFunc(slices.Clone(active), func(id int64) bool { return id == closed })
		if got := e.publicIDs(); !slices.Equal(got, want) {
			t.Fatalf("after closing %d: %v, want %v", closed, got, want)
		}
		for path, old := range etags {
			if resp, _ := e.fetch(anon, path, map[string]string{"If-None-Match": old}); resp.StatusCode != 200 {
				t.Errorf("%s still 304 after a change: %d", path, resp.StatusCode)
			}
		}
		if _, page := e.fetch(anon, "/kanaler", nil); strings.Contains(page, "Gator och trafik i Exempelby") {
			t.Error("closed channel still on /kanaler")
		}
		_, feed := e.fetch(anon, "/kanaler.atom", nil)
		var atom struct {
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed), &atom); err != nil || len(atom.Entries) == 0 || atom.Entries[0].Title != "Kanal borttagen: Gator och trafik i Exempelby" {
			t.Errorf("atom feed: %v %+v", err, atom.Entries)
		}
		if strings.Contains(feed, "Ersatt av kommunens huvudsida") {
			t.Error("the feed shows the internal reason")
		}
	})
}

// TestEmbedMayBeFramed: only the embeddable variant may be framed by
// another site.
func TestEmbedMayBeFramed(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	resp, body := e.fetch(e.client(), "/kanaler/inbaddning", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "" || !strings.Contains(csp, "frame-ancestors *") {
		t.Fatalf("embed: %d XFO %q CSP %q", resp.StatusCode, resp.Header.Get("X-Frame-Options"), csp)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<form") || !strings.Contains(body, `target="_top"`) {
		t.Error("embed has scripts, forms, or links that open inside the frame")
	}
	resp, _ = e.fetch(e.client(), "/kanaler", nil)
	if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("/kanaler may be framed")
	}
}

var channelLink = regexp.MustCompile(`^/admin/kanaler/(\d+)\?ok=1$`)

// TestChannelRequestFlow: a department contact asks for an account in the
// web interface, the communicators are told, the review refuses approval
// with the rules broken, and after the rota is completed the channel goes
// live. Another department's editor never sees it.
func TestChannelRequestFlow(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		sbf := e.department("SBF")
		contact := e.login("verksamhet@exempelby.se")
		form := url.Values{"department": {fmt.Sprint(sbf.ID)}, "platform": {"instagram"}, "name": {"Exempelby parker"},
			"purpose": {"Bilder från parkerna och information om skötsel."}, "owner": {"trafik@exempelby.se"}, "editors": {"webb@exempelby.se"}}
		// Weekday evenings only: the rota leaves the weekends open.
		for _, day := range []string{"1", "2", "3", "4", "5"} {
			form["shift_day"] = append(form["shift_day"], day, day)
			form["shift_start"] = append(form["shift_start"], "08:00", "15:00")
			form["shift_end"] = append(form["shift_end"], "15:00", "22:00")
			form["shift_person"] = append(form["shift_person"], "trafik@exempelby.se", "webb@exempelby.se")
		}
		before := e.count("SELECT COUNT(*) FROM channels")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("owner", "ingen@exempelby.se")
		bad.Set("csrf", e.csrf(contact, "/admin/kanaler/ny"))
		status, body, _ := e.post(contact, "/admin/kanaler", bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Det finns ingen användare med e-postadressen ingen@exempelby.se") || !strings.Contains(body, "Exempelby parker") {
			t.Fatalf("owner without an account: %d", status)
		}
		if e.count("SELECT COUNT(*) FROM channels") != before {
			t.Fatal("a refused request was saved")
		}
		form.Set("csrf", e.csrf(contact, "/admin/kanaler/ny"))
		status, body, h := e.post(contact, "/admin/kanaler", form)
		m := channelLink.FindStringSubmatch(h.Get("Location"))
		if status != http.StatusSeeOther || m == nil {
			t.Fatalf("request: %d %s\n%s", status, h.Get("Location"), body)
		}
		page := "/admin/kanaler/" + m[1]
		if n := e.count("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.recipient_user_id WHERE u.email = ? AND n.subject = ?",
			"kommunikator@exempelby.se", "Ny kanal begärd: Exempelby parker"); n != 1 {
			t.Fatalf("communicator got %d notifications of the request", n)
		}
		if status, body := e.get(contact, page); status != 200 || !strings.Contains(body, "Begärd") {
			t.Fatalf("requester's view: %d", status)
		}

		// Another department's editor: not in the UI, not in the API.
		editor := e.login("redaktor@exempelby.se")
		if status, body := e.get(editor, page); status != http.StatusNotFound || strings.Contains(body, "Exempelby parker") {
			t.Fatalf("editor of BUF reads an SBF channel: %d", status)
		}
		tok := e.token("redaktor@exempelby.se")
		if status, _ := e.api("GET", "/api/v1/channels/"+m[1], tok, ""); status != http.StatusNotFound {
			t.Fatalf("editor of BUF through the API: %d", status)
		}
		_, list := e.api("GET", "/api/v1/channels", tok, "")
		for _, c := range list["channels"].([]any) {
			if dep := c.(map[string]any)["department"].(map[string]any)["code"]; dep != "BUF" {
				t.Errorf("editor of BUF lists a %v channel", dep)
			}
		}
		if status, _ := e.get(editor, page+"/jourschema"); status != http.StatusNotFound {
			t.Errorf("editor of BUF reads the rota: %d", status)
		}

		// The review: approval is refused with each rule broken, in Swedish.
		comm := e.login("kommunikator@exempelby.se")
		review := func(action string, checks ...string) (int, string) {
			f := url.Values{"action": {action}, "csrf": {e.csrf(comm, page)}}
			for _, c := range checks {
				f.Set(c, "1")
			}
			status, body, _ := e.post(comm, page+"/granskning", f)
			return status, body
		}
		if status, _ := review("review"); status != http.StatusSeeOther {
			t.Fatalf("start review: %d", status)
		}
		status, body = review("approve", "check_sender", "check_graphic_profile", "check_name_picture")
		for _, want := range []string{"Kanalen kan inte bli aktiv", "Kanalen saknar plattformens id", "Jourschemat lämnar luckor i bevakningstiden", "lördag"} {
			if !strings.Contains(body, want) {
				t.Errorf("refusal lacks %q", want)
			}
		}
		if status != http.StatusConflict || e.count("SELECT COUNT(*) FROM channels WHERE name = ? AND status = 'under_review'", "Exempelby parker") != 1 {
			t.Fatalf("refused approval: %d", status)
		}
		// The owner completes the rota and the platform id; then it goes live.
		owner := e.login("trafik@exempelby.se")
		rota := url.Values{"csrf": {e.csrf(owner, page+"/jourschema")}}
		for _, day := range []string{"0", "1", "2", "3", "4", "5", "6", "h"} {
			rota["shift_day"] = append(rota["shift_day"], day, day)
			rota["shift_start"] = append(rota["shift_start"], "08:00", "15:00")
			rota["shift_end"] = append(rota["shift_end"], "15:00", "22:00")
			rota["shift_person"] = append(rota["shift_person"], "trafik@exempelby.se", "webb@exempelby.se")
		}
		if status, body, _ := e.post(owner, page+"/jourschema", rota); status != http.StatusSeeOther {
			t.Fatalf("rota: %d\n%s", status, body)
		}
		tok = e.token("trafik@exempelby.se")
		if status, out := e.api("PATCH", "/api/v1/channels/"+m[1], tok, `{"external_id": "17841400555555555", "url": "https://www.instagram.com/exempelbyparker/"}`); status != 200 {
			t.Fatalf("owner sets the platform id: %d %v", status, out)
		}
		if status, body := review("approve", "check_sender", "check_graphic_profile", "check_name_picture"); status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", status, body)
		}
		if !slices.Contains(e.publicIDs(), e.channelID("Exempelby parker")) {
			t.Fatal("approved channel not on /kanaler.json")
		}
	})
}

// TestRotaFormRefusesBadTimes: an inverted or overlapping shift is refused
// with a clear message and the rota is kept as it was.
func TestRotaFormRefusesBadTimes(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	id := e.channelID("Exempelby bibliotek")
	page := fmt.Sprintf("/admin/kanaler/%d/jourschema", id)
	owner := e.login("kontoansvarig@exempelby.se")
	before := e.count("SELECT COUNT(*) FROM channel_rota_shifts WHERE channel_id = ?", id)
	tests := []struct {
		name         string
		starts, ends []string
		want         string
	}{
		{"inverted", []string{"22:00"}, []string{"08:00"}, "Passet slutar före det börjar"},
		{"overlapping", []string{"08:00", "12:00"}, []string{"15:00", "16:00"}, "Samma person har två pass som överlappar"},
		{"not a time", []string{"8"}, []string{"15:00"}, "Ogiltig tid"},
	}
	for _, tt := range tests {
		f := url.Values{"csrf": {e.csrf(owner, page)}, "shift_start": tt.starts, "shift_end": tt.ends}
		for range tt.starts {
			f["shift_day"] = append(f["shift_day"], "1")
			f["shift_person"] = append(f["shift_person"], "kontoansvarig@exempelby.se")
		}
		status, body, _ := e.post(owner, page, f)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d, want %q", tt.name, status, tt.want)
		}
	}
	if after := e.count("SELECT COUNT(*) FROM channel_rota_shifts WHERE channel_id = ?", id); after != before {
		t.Fatalf("rota changed by refused forms: %d → %d", before, after)
	}
	// An editor sees the rota but cannot change it.
	editor := e.login("bibliotek@exempelby.se")
	if status, body := e.get(editor, page); status != 200 || strings.Contains(body, `name="shift_start"`) {
		t.Fatalf("editor's rota page: %d", status)
	}
	status, _, _ := e.post(editor, page, url.Values{"csrf": {e.csrf(editor, page)}})
	if status != http.StatusForbidden {
		t.Fatalf("editor saves the rota: %d", status)
	}
}

// TestChannelAPI: bad input is refused and changes nothing; a refused
// approval lists the rules broken.
func TestChannelAPI(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		tok := e.token("kommunikator@exempelby.se")
		kff := e.department("KFF")
		before := e.count("SELECT COUNT(*) FROM channels")
		tests := []struct {
			body   string
			status int
			want   string
		}{
			{`{"name": "X", "platform": "facebook", "department_id": ` + fmt.Sprint(kff.ID) + `, "owner": "kontoansvarig@exempelby.se", "extra": 1}`, 422, "unknown field"},
			{`{"name": "X", "platform": "facebook", "department_id": 99999, "owner": "kontoansvarig@exempelby.se"}`, 422, "Verksamheten finns inte"},
			{`{"name": "X", "platform": "facebook", "external_id": "100055566677788", "department_id": ` + fmt.Sprint(kff.ID) + `, "owner": "kontoansvarig@exempelby.se"}`, 409, "Det finns redan en kanal på Facebook"},
			{`{"name": "X", "platform": "facebook", "department_id": ` + fmt.Sprint(kff.ID) + `, "owner": "ingen@exempelby.se"}`, 422, "Det finns ingen användare"},
			{`{"name": "X", "platform": "facebook", "department_id": ` + fmt.Sprint(kff.ID) + `, "owner": "kontoansvarig@exempelby.se", "rota": {"shifts": [{"day": "monday", "start": "10:00", "end": "09:00", "email": "kontoansvarig@exempelby.se"}]}}`, 422, "slutar före det börjar"},
			{`{"name": "X", "platform": "facebook", "department_id": ` + fmt.Sprint(kff.ID) + `, "owner": "kontoansvarig@exempelby.se", "rota": {"shifts": [{"day": "caturday", "start": "10:00", "end": "12:00"}]}}`, 422, "day måste vara"},
		}
		for _, tt := range tests {
			status, out := e.api("POST", "/api/v1/channels", tok, tt.body)
			msg, _ := json.Marshal(out)
			if status != tt.status || !strings.Contains(string(msg), tt.want) {
				t.Errorf("%s: %d %s, want %d %q", tt.body, status, msg, tt.status, tt.want)
			}
		}
		if e.count("SELECT COUNT(*) FROM channels") != before {
			t.Fatal("bad input created a channel")
		}
		status, c := e.api("POST", "/api/v1/channels", tok, `{"name": "Exempelby simhall", "platform": "instagram", "department_id": `+fmt.Sprint(kff.ID)+`, "owner": "kontoansvarig@exempelby.se", "purpose": "Öppettider och kurser."}`)
		if status != 201 || c["status"] != "requested" || c["external_id"] != nil {
			t.Fatalf("request: %d %v", status, c)
		}
		path := fmt.Sprintf("/api/v1/channels/%v", c["id"])
		e.api("POST", path+"/status", tok, `{"status": "under_review"}`)
		status, out := e.api("POST", path+"/status", tok, `{"status": "active", "checklist": {"sender": true, "graphic_profile": true, "name_picture": true}}`)
		errObj, _ := out["error"].(map[string]any)
		problems, _ := errObj["problems"].([]any)
		var rules []string
		for _, p := range problems {
			rules = append(rules, p.(map[string]any)["rule"].(string))
		}
		if status != http.StatusConflict || !slices.Equal(rules, []string{"external_id", "editor", "coverage"}) {
			t.Fatalf("refused approval: %d %v", status, out)
		}
		status, cov := e.api("GET", path+"/coverage", tok, "")
		if gaps, _ := cov["gaps"].([]any); status != 200 || len(gaps) == 0 {
			t.Fatalf("coverage: %d %v", status, cov)
		}
		// An owner may not approve.
		if status, _ := e.api("POST", path+"/status", e.token("kontoansvarig@exempelby.se"), `{"status": "active"}`); status != http.StatusForbidden {
			t.Fatalf("owner approves: %d", status)
		}
		// The refused approval left nothing behind, its checklist included.
		status, hist := e.api("GET", path+"/history", tok, "")
		if events, _ := hist["events"].([]any); status != 200 || len(events) != 2 {
			t.Fatalf("history: %d %v", status, hist)
		}
	})
}

// TestGapJobAlertsOnce runs the real job queue: the periodic gap check
// alerts the owner and the communicators of each gap in the demo's
// Kulturskolan channel (its editor is away three days next week), and a
// second check alerts nothing more.
func TestGapJobAlertsOnce(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := e.app.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer scancel()
			_ = e.app.Queue.Stop(sctx)
		})
		alerts := func(email string) int {
			return e.count(`SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.recipient_user_id
				WHERE u.email = ? AND n.subject LIKE 'Lucka i jourschemat: Kulturskolan Exempelby%'`, email)
		}
		completed := func() int {
			return e.count("SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'", channel.GapCheckArgs{}.Kind())
		}
		waitFor(t, "the first gap check", func() bool { return completed() >= 1 })
		for _, who := range []string{"kontoansvarig@exempelby.se", "kommunikator@exempelby.se"} {
			if n := alerts(who); n != 3 {
				t.Errorf("%s got %d gap alerts, want 3", who, n)
			}
		}
		if n := alerts("bibliotek@exempelby.se"); n != 0 {
			t.Errorf("the absent editor got %d gap alerts", n)
		}
		done := completed()
		if _, err := e.app.Queue.Insert(ctx, channel.GapCheckArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the second gap check", func() bool { return completed() > done })
		if n := alerts("kontoansvarig@exempelby.se"); n != 3 {
			t.Errorf("after a second check the owner has %d gap alerts, want still 3", n)
		}
	})
}
