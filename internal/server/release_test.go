package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tilltal/internal/archive"
)

// TestReleaseThroughHTTP: a registrar handles a records request through
// the pages alone — opens it (registered in the diary), searches the
// archive and selects a comment, sees the suggested personnummer, has a
// redaction outside the text refused without change, redacts by passage
// and by span, decides a partial refusal, reads the decision with its
// appeal notice and downloads the ZIP, which holds nothing masked; legal
// reads but cannot change; an editor gets 403 on every /utlamnande route
// and the API; the archive still verifies.
func TestReleaseThroughHTTP(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		const pnr = "19580404-3643"
		_, _ = e.seedItem("KLF", "page-klf", "c1", "Hej, jag heter Åsa Öberg och mitt personnummer är "+pnr+". När öppnar badhuset?")
		_, _ = e.seedItem("KLF", "page-klf", "c2", "Badhuset borde öppna snart.")
		var seq int64
		if err := e.app.DB.QueryRow(context.Background(), "SELECT MIN(seq) FROM archive_records WHERE kind = 'item_version'").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		reg := e.login("registrator@exempelby.se")
		csrf := e.csrf(reg, "/utlamnande")

		st, body, h := e.post(reg, "/utlamnande", url.Values{"csrf": {csrf}, "subject": {"Kommentarer om badhuset"}, "requester_name": {"Journalist Jansson"},
			"received": {"2026-03-02"}, "register": {"on"}})
		if st != http.StatusSeeOther {
			t.Fatalf("open: %d %s", st, body)
		}
		loc := strings.TrimSuffix(h.Get("Location"), "?ok=1")
		if !regexp.MustCompile(`^/utlamnande/\d+$`).MatchString(loc) {
			t.Fatalf("open went to %q", loc)
		}
		if st, body := e.get(reg, "/utlamnande"); st != 200 || !strings.Contains(body, "Kommentarer om badhuset") || !strings.Contains(body, "Mottagen") {
			t.Fatalf("list: %d", st)
		}
		st, page := e.get(reg, loc+"?sok=1&q=badhuset")
		if st != 200 || !strings.Contains(page, `name="seq" value="`+itoa(seq)+`"`) || !strings.Contains(page, "KS 2026/") {
			t.Fatalf("search: %d %s", st, page)
		}
		if st, body, _ := e.post(reg, loc+"/handlingar", url.Values{"csrf": {csrf}, "seq": {itoa(seq)}}); st != http.StatusSeeOther {
			t.Fatalf("select: %d %s", st, body)
		}
		st, review := e.get(reg, loc+"/granskning")
		if st != 200 || !strings.Contains(review, "personnummer") || !strings.Contains(review, `<mark>`+pnr+`</mark>`) {
			t.Fatalf("review: %d %s", st, review)
		}
		// Outside the text: refused, nothing stored.
		st, body, _ = e.post(reg, loc+"/maskeringar", url.Values{"csrf": {csrf}, "seq": {itoa(seq)}, "start": {"10"}, "end": {"100000"}, "ground": {"OSL 21 kap. 7 §"}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "efter textens slut") {
			t.Fatalf("outside: %d", st)
		}
		if n := e.count("SELECT COUNT(*) FROM release_redactions"); n != 0 {
			t.Fatalf("a refused redaction stored %d rows", n)
		}
		if st, body, _ := e.post(reg, loc+"/maskeringar", url.Values{"csrf": {csrf}, "seq": {itoa(seq)}, "passage": {pnr}, "ground": {"OSL 21 kap. 7 §"}}); st != http.StatusSeeOther {
			t.Fatalf("passage: %d %s", st, body)
		}
		// The name by span: "Åsa Öberg" starts at code point 15.
		if st, body, _ := e.post(reg, loc+"/maskeringar", url.Values{"csrf": {csrf}, "seq": {itoa(seq)}, "start": {"15"}, "end": {"24"}, "ground": {"OSL 21 kap. 7 §"}}); st != http.StatusSeeOther {
			t.Fatalf("span: %d %s", st, body)
		}
		if st, body, _ := e.post(reg, loc+"/handlingar/"+itoa(seq)+"/undanta", url.Values{"csrf": {csrf}, "author": {"on"}, "author_ground": {"OSL 21 kap. 7 §"}}); st != http.StatusSeeOther {
			t.Fatalf("withhold author: %d %s", st, body)
		}
		// Legal reads the review but may not change it.
		jur := e.login("jurist@exempelby.se")
		if st, _ := e.get(jur, loc+"/granskning"); st != 200 {
			t.Fatalf("legal review: %d", st)
		}
		if st, _, _ := e.post(jur, loc+"/maskeringar", url.Values{"csrf": {e.csrf(jur, "/utlamnande")}, "seq": {itoa(seq)}, "passage": {"badhuset"}, "ground": {"x"}}); st != http.StatusForbidden {
			t.Fatalf("legal redacted: %d", st)
		}
		if st, body, _ := e.post(reg, loc+"/beslut", url.Values{"csrf": {csrf}, "outcome": {"delvis_avslag"}}); st != http.StatusSeeOther {
			t.Fatalf("decide: %d %s", st, body)
		}
		if st, body := e.get(reg, loc+"/beslut.html"); st != 200 || !strings.Contains(body, "kammarrätten") || !strings.Contains(body, "inom tre veckor") {
			t.Fatalf("decision: %d %s", st, body)
		}
		if st, body := e.get(jur, loc+"/beslut.pdf"); st != 200 || !strings.HasPrefix(body, "%PDF") {
			t.Fatalf("decision pdf: %d", st)
		}
		st, zipBody, hdr := e.post(reg, loc+"/utlamnande.zip", url.Values{"csrf": {csrf}})
		if st != 200 || hdr.Get("Content-Type") != "application/zip" {
			t.Fatalf("bundle: %d %s", st, zipBody)
		}
		zr, err := zip.NewReader(strings.NewReader(zipBody), int64(len(zipBody)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			for _, s := range []string{pnr, "Åsa Öberg", "Åsa", "Anna", "Andersson"} {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds %q", f.Name, s)
				}
			}
		}
		if !strings.Contains(strings.Join(names, " "), "handlingar/handling-"+itoa(seq)+".html") || !strings.Contains(strings.Join(names, " "), "beslut.pdf") {
			t.Fatalf("bundle files: %v", names)
		}
		if _, body := e.get(reg, loc); !strings.Contains(body, "Utlämnad") {
			t.Fatal("the request is not shown as released")
		}
		if n := e.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'release.%'"); n < 6 {
			t.Fatalf("audit entries: %d", n)
		}
		rep, err := archive.Verify(context.Background(), e.app.DB)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep.Problems)
		}

		// An editor: 403 on every route of the surface, pages and API.
		ed := e.login("redaktor@exempelby.se")
		edCSRF := e.csrf(ed, "/konto")
		edToken := e.token("redaktor@exempelby.se")
		id := strings.TrimPrefix(loc, "/utlamnande/")
		routes := 0
		for _, r := range e.app.Web.Routes() {
			method, path, _ := strings.Cut(r.Pattern, " ")
			if !strings.HasPrefix(path, "/utlamnande") && !strings.HasPrefix(path, "/api/v1/releases") {
				continue
			}
			routes++
			path = strings.NewReplacer("{id}", id, "{seq}", itoa(seq), "{rid}", "1").Replace(path)
			if st := do(t, ed, e.srv.URL, method, path, edCSRF, edToken, strings.HasPrefix(path, "/api/")); st != http.StatusForbidden && st != http.StatusNotFound {
				t.Errorf("editor %s %s: %d", method, path, st)
			}
		}
		if routes < 20 {
			t.Fatalf("only %d release routes found", routes)
		}
		if st, out := e.api("GET", "/api/v1/releases/"+id, e.token("registrator@exempelby.se"), ""); st != 200 || out["release"].(map[string]any)["status"] != "utlamnad" {
			t.Fatalf("api: %d %v", st, out)
		}
	})
}

// TestReleaseThroughAPI: the same work through /api/v1/releases — an
// anonymous request, a selection, a span outside the text refused with
// nothing stored, a passage masked, a refusal whose decision carries the
// besvärshänvisning, and the bundle with only the decision in it.
func TestReleaseThroughAPI(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		_, _ = e.seedItem("KLF", "page-klf", "c1", "Min dotter på Solrosens förskola mår dåligt.")
		var seq int64
		if err := e.app.DB.QueryRow(context.Background(), "SELECT MIN(seq) FROM archive_records WHERE kind = 'item_version'").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		tok := e.token("registrator@exempelby.se")
		st, out := e.api("POST", "/api/v1/releases", tok, `{"anonymous": true, "requester_name": "ska inte sparas", "subject": "Kommentarer om förskolan", "register": true, "received_at": "2026-03-02"}`)
		if st != http.StatusCreated || out["anonymous"] != true || out["requester_name"] != nil || out["status"] != "mottagen" {
			t.Fatalf("open: %d %v", st, out)
		}
		id := itoa(int64(out["id"].(float64)))
		if st, out := e.api("POST", "/api/v1/releases/"+id+"/records", tok, `{"seqs": [`+itoa(seq)+`]}`); st != 200 || out["release"].(map[string]any)["status"] != "under_provning" {
			t.Fatalf("select: %d %v", st, out)
		}
		if st, out := e.api("POST", "/api/v1/releases/"+id+"/redactions", tok, `{"seq": `+itoa(seq)+`, "start": -1, "end": 4, "ground": "OSL 21 kap. 7 §"}`); st != http.StatusUnprocessableEntity ||
			!strings.Contains(out["error"].(map[string]any)["message"].(string), "före textens början") {
			t.Fatalf("outside: %d %v", st, out)
		}
		if n := e.count("SELECT COUNT(*) FROM release_redactions"); n != 0 {
			t.Fatalf("a refused redaction stored %d rows", n)
		}
		if st, out := e.api("POST", "/api/v1/releases/"+id+"/redactions", tok, `{"seq": `+itoa(seq)+`, "passage": "Solrosens förskola", "ground": "OSL 23 kap. 2 §"}`); st != http.StatusCreated {
			t.Fatalf("passage: %d %v", st, out)
		}
		if st, out := e.api("POST", "/api/v1/releases/"+id+"/decision", tok, `{"outcome": "avslag", "reasoning": "Uppgifterna rör ett barn."}`); st != 200 || out["outcome"] != "avslag" {
			t.Fatalf("decide: %d %v", st, out)
		}
		st, doc := e.api("GET", "/api/v1/releases/"+id+"/decision", e.token("jurist@exempelby.se"), "")
		appeal, _ := json.Marshal(doc["appeal"])
		if st != 200 || !strings.Contains(string(appeal), "kammarrätten") || !strings.Contains(string(appeal), "tre veckor") || doc["requester"] != "Anonym sökande" {
			t.Fatalf("decision: %d %v", st, doc)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/releases/"+id+"/bundle", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Bundle-SHA256") == "" {
			t.Fatalf("bundle: %d %s", resp.StatusCode, data)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "handlingar/") {
				t.Errorf("a refusal released %s", f.Name)
			}
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Contains(b, []byte("Solrosens")) {
				t.Errorf("%s holds the refused text", f.Name)
			}
		}
		if st, _ := e.api("GET", "/api/v1/releases", e.token("redaktor@exempelby.se"), ""); st != http.StatusForbidden {
			t.Fatalf("editor listed requests: %d", st)
		}
	})
}

// TestReleaseSecretNeedsReview: a comment of the secrecy class is not
// released in full by one click, through the API or the page: bifall is
// refused until the registrar states the secrecy review
// (secrecy_reviewed, the page's checkbox) with reasons.
func TestReleaseSecretNeedsReview(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		_, item := e.seedItem("KLF", "page-klf", "c1", "Min son har en diagnos och behöver särskilt stöd.")
		var seq int64
		if err := e.app.DB.QueryRow(context.Background(), "SELECT MIN(seq) FROM archive_records WHERE kind = 'item_version'").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if err := (&archive.Store{DB: e.app.DB}).SetClass(context.Background(), item, archive.ClassSecret, "Uppgifter om ett barns hälsa", "OSL 23 kap. 2 §"); err != nil {
			t.Fatal(err)
		}
		tok := e.token("registrator@exempelby.se")
		open := func() string {
			t.Helper()
			st, out := e.api("POST", "/api/v1/releases", tok, `{"requester_name": "Journalist Jansson", "subject": "Kommentarer om skolan", "received_at": "2026-03-02"}`)
			if st != http.StatusCreated {
				t.Fatalf("open: %d %v", st, out)
			}
			id := itoa(int64(out["id"].(float64)))
			if st, out := e.api("POST", "/api/v1/releases/"+id+"/records", tok, `{"seqs": [`+itoa(seq)+`]}`); st != 200 {
				t.Fatalf("select: %d %v", st, out)
			}
			return id
		}
		id := open()
		st, out := e.api("POST", "/api/v1/releases/"+id+"/decision", tok, `{"outcome": "bifall"}`)
		if st != http.StatusUnprocessableEntity || !strings.Contains(out["error"].(map[string]any)["message"].(string), "sekretessklassad") {
			t.Fatalf("bifall without review: %d %v", st, out)
		}
		if st, out := e.api("POST", "/api/v1/releases/"+id+"/decision", tok, `{"outcome": "bifall", "secrecy_reviewed": true, "reasoning": "Vårdnadshavaren har själv offentliggjort uppgifterna."}`); st != 200 || out["outcome"] != "bifall" {
			t.Fatalf("bifall after review: %d %v", st, out)
		}

		id = open()
		reg := e.login("registrator@exempelby.se")
		csrf := e.csrf(reg, "/utlamnande/"+id)
		if st, page := e.get(reg, "/utlamnande/"+id); st != 200 || !strings.Contains(page, `name="secrecy_reviewed"`) {
			t.Fatalf("the decision form lacks the secrecy review: %d", st)
		}
		if st, page := e.get(reg, "/utlamnande/"+id+"/granskning"); st != 200 || !strings.Contains(page, "<strong>Sekretess</strong>") {
			t.Fatalf("the review does not mark the secret record: %d", st)
		}
		st, body, _ := e.post(reg, "/utlamnande/"+id+"/beslut", url.Values{"csrf": {csrf}, "outcome": {"bifall"}})
		if st == http.StatusSeeOther || !strings.Contains(body, "sekretessklassad") {
			t.Fatalf("page bifall without review: %d", st)
		}
		st, body, _ = e.post(reg, "/utlamnande/"+id+"/beslut", url.Values{"csrf": {csrf}, "outcome": {"bifall"}, "secrecy_reviewed": {"on"},
			"reasoning": {"Vårdnadshavaren har själv offentliggjort uppgifterna."}})
		if st != http.StatusSeeOther {
			t.Fatalf("page bifall after review: %d %s", st, body)
		}
	})
}
