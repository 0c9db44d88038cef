package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/dbtest"
	"tilltal/internal/demo"
	"tilltal/internal/server"
)

func TestSignInAndSessionCookie(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.client()
		status, _, h := e.post(c, "/login", url.Values{"email": {"redaktor@exempelby.se"}, "password": {"exempelby-demo-2026"}, "csrf": {e.csrf(c, "/login")}, "next": {"/konto"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/konto" {
			t.Fatalf("status %d location %q", status, h.Get("Location"))
		}
		cookie := ""
		for _, v := range h.Values("Set-Cookie") {
			if strings.HasPrefix(v, "tilltal_session=") {
				cookie = v
			}
		}
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("session cookie %q lacks %s", cookie, want)
			}
		}
		status, body := e.get(c, "/")
		if status != 200 || !strings.Contains(body, "Välkommen, Rut Redaktör") {
			t.Fatalf("home: %d", status)
		}
	})
}

func TestBadSignInsChangeNothing(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		sessions := func() int { return e.count("SELECT COUNT(*) FROM sessions") }
		c := e.client()
		tests := []struct {
			name       string
			form       url.Values
			wantStatus int
			wantText   string
		}{
			{"wrong password", url.Values{"email": {"redaktor@exempelby.se"}, "password": {"fel-lösenord-123"}}, 401, "Fel e-postadress eller lösenord"},
			{"unknown user", url.Values{"email": {"ingen@exempelby.se"}, "password": {"exempelby-demo-2026"}}, 401, "Fel e-postadress eller lösenord"},
			{"forged csrf", url.Values{"email": {"redaktor@exempelby.se"}, "password": {"exempelby-demo-2026"}, "csrf": {"forged"}}, 403, "Formuläret har gått ut"},
		}
		for _, tt := range tests {
			if tt.form.Get("csrf") == "" {
				tt.form.Set("csrf", e.csrf(c, "/login"))
			}
			status, body, _ := e.post(c, "/login", tt.form)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantText) {
				t.Errorf("%s: %d, body lacks %q", tt.name, status, tt.wantText)
			}
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%d sessions after failed sign-ins", n)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.client()
		for i := 0; i < 5; i++ {
			e.post(c, "/login", url.Values{"email": {"jurist@exempelby.se"}, "password": {"gissning-nummer-" + fmt.Sprint(i)}, "csrf": {e.csrf(c, "/login")}})
		}
		// Even the right password is refused now, with a message that says why.
		status, body, _ := e.post(c, "/login", url.Values{"email": {"jurist@exempelby.se"}, "password": {"exempelby-demo-2026"}, "csrf": {e.csrf(c, "/login")}})
		if status != http.StatusTooManyRequests || !strings.Contains(body, "För många misslyckade inloggningar") {
			t.Fatalf("got %d", status)
		}
		// Another account is not affected.
		e.login("registrator@exempelby.se")
	})
}

func TestCSRFOnEveryForm(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.login("kommunikator@exempelby.se")
		before := e.count("SELECT COUNT(*) FROM departments")
		for _, token := range []string{"", "forged-token"} {
			status, body, _ := e.post(c, "/admin/verksamheter", url.Values{"name": {"Miljöförvaltningen"}, "csrf": {token}})
			if status != http.StatusForbidden || !strings.Contains(body, "Formuläret har gått ut") {
				t.Fatalf("token %q: status %d", token, status)
			}
		}
		if after := e.count("SELECT COUNT(*) FROM departments"); after != before {
			t.Fatal("a forged form changed data")
		}
		// A cross-site browser request is refused even with a token.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/verksamheter", strings.NewReader(url.Values{"name": {"X"}, "csrf": {e.csrf(c, "/admin/verksamheter")}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site: %d", resp.StatusCode)
		}
		// With the right token it works.
		status, _, _ := e.post(c, "/admin/verksamheter", url.Values{"name": {"Miljöförvaltningen"}, "code": {"MF"}, "csrf": {e.csrf(c, "/admin/verksamheter")}})
		if status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
	})
}

func TestExpiredSessionAsksToSignInAgain(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.login("kommunikator@exempelby.se")
		if _, err := e.app.DB.Exec(context.Background(), "UPDATE sessions SET last_seen_at = ?", time.Now().UTC().Add(-9*time.Hour)); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Get(e.srv.URL + "/admin/anvandare")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if n := e.count("SELECT COUNT(*) FROM sessions"); n != 0 {
			t.Fatalf("expired session kept: %d", n)
		}
	})
}

// TestEditorSeesOnlyOwnDepartment proves the scoping rule through the UI
// and the API: an editor of Barn- och utbildningsförvaltningen cannot read
// Samhällsbyggnadsförvaltningen's data.
func TestEditorSeesOnlyOwnDepartment(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		own, other := e.department("BUF"), e.department("SBF")
		c := e.login("redaktor@exempelby.se")

		_, list := e.get(c, "/admin/verksamheter")
		if !strings.Contains(list, own.Name) || strings.Contains(list, other.Name) {
			t.Fatalf("department list not scoped:\n%s", list)
		}
		if status, _ := e.get(c, fmt.Sprintf("/admin/verksamheter/%d", own.ID)); status != 200 {
			t.Fatalf("own department: %d", status)
		}
		status, body := e.get(c, fmt.Sprintf("/admin/verksamheter/%d", other.ID))
		if status != http.StatusNotFound || strings.Contains(body, other.Description) {
			t.Fatalf("other department through UI: %d", status)
		}
		if status, _ := e.get(c, "/admin/anvandare"); status != http.StatusForbidden {
			t.Fatalf("user admin: %d", status)
		}
		if status, _ := e.get(c, "/admin/logg"); status != http.StatusForbidden {
			t.Fatalf("audit log: %d", status)
		}

		tok := e.token("redaktor@exempelby.se")
		status, out := e.api("GET", "/api/v1/departments", tok, "")
		deps, _ := out["departments"].([]any)
		if status != 200 || len(deps) != 1 || deps[0].(map[string]any)["code"] != "BUF" {
			t.Fatalf("API list: %d %v", status, out)
		}
		if status, _ := e.api("GET", fmt.Sprintf("/api/v1/departments/%d", other.ID), tok, ""); status != http.StatusNotFound {
			t.Fatalf("other department through API: %d", status)
		}
		if status, _ := e.api("GET", "/api/v1/users", tok, ""); status != http.StatusForbidden {
			t.Fatalf("API users: %d", status)
		}
		if status, _ := e.api("GET", "/api/v1/audit", tok, ""); status != http.StatusForbidden {
			t.Fatalf("API audit: %d", status)
		}
		// The communicator sees both.
		ctok := e.token("kommunikator@exempelby.se")
		if status, _ := e.api("GET", fmt.Sprintf("/api/v1/departments/%d", other.ID), ctok, ""); status != 200 {
			t.Fatalf("communicator: %d", status)
		}
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		for _, tok := range []string{"", "tilltal_unknown", "Basic abc"} {
			status, out := e.api("GET", "/api/v1/me", tok, "")
			if status != http.StatusUnauthorized || out["error"] == nil {
				t.Fatalf("token %q: %d %v", tok, status, out)
			}
		}
		tok := e.token("kommunikator@exempelby.se")
		var hash string
		if err := e.app.DB.QueryRow(context.Background(), "SELECT token_hash FROM api_tokens").Scan(&hash); err != nil || strings.Contains(hash, tok) || hash == tok {
			t.Fatalf("token stored in clear: %v", err)
		}
		status, me := e.api("GET", "/api/v1/me", tok, "")
		if status != 200 || me["email"] != "kommunikator@exempelby.se" {
			t.Fatalf("me: %d %v", status, me)
		}
		// Bad input changes nothing.
		before := e.count("SELECT COUNT(*) FROM departments")
		for _, body := range []string{`{"name": "X", "extra": 1}`, `{"name": `, `{"name": ""}`, `{"name":"A"}{"name":"B"}`} {
			if status, _ := e.api("POST", "/api/v1/departments", tok, body); status != http.StatusUnprocessableEntity {
				t.Errorf("body %s: %d", body, status)
			}
		}
		if e.count("SELECT COUNT(*) FROM departments") != before {
			t.Fatal("bad input changed data")
		}
		status, created := e.api("POST", "/api/v1/departments", tok, `{"name": "Miljö- och hälsoskyddsförvaltningen", "code": "MHF"}`)
		if status != http.StatusCreated || created["code"] != "MHF" {
			t.Fatalf("create: %d %v", status, created)
		}
		if status, _ := e.api("POST", "/api/v1/departments", tok, `{"name": "Miljö- och hälsoskyddsförvaltningen"}`); status != http.StatusConflict {
			t.Fatalf("duplicate: %d", status)
		}
		// The change is in the audit log, readable through the API, with the token as actor.
		status, out := e.api("GET", "/api/v1/audit?action=department.create&limit=1", tok, "")
		entries, _ := out["entries"].([]any)
		if status != 200 || len(entries) != 1 {
			t.Fatalf("audit: %d %v", status, out)
		}
		entry := entries[0].(map[string]any)
		if entry["summary"] != "Miljö- och hälsoskyddsförvaltningen" || !strings.Contains(entry["actor"].(string), "token:test") || entry["ip"] == "" {
			t.Fatalf("audit entry: %v", entry)
		}
	})
}

func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.login("kommunikator@exempelby.se")
		e.post(c, "/admin/verksamheter", url.Values{"name": {"Räddningstjänsten <script>"}, "code": {"RTJ"}, "csrf": {e.csrf(c, "/admin/verksamheter")}})
		status, body := e.get(c, "/admin/logg?action=department.create")
		if status != 200 || !strings.Contains(body, "Räddningstjänsten &lt;script&gt;") || !strings.Contains(body, "kommunikator@exempelby.se") {
			t.Fatalf("audit page: %d\n%s", status, body)
		}
		if strings.Contains(body, "<script>") {
			t.Fatal("unescaped text in the audit log")
		}
	})
}

func TestHealthMetricsHeaders(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		c := e.client()
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "tilltal_http_requests_total", "/api/v1/openapi.json": `"openapi": "3.1.0"`} {
			status, body := e.get(c, path)
			if status != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: %d lacks %q", path, status, want)
			}
		}
		resp, err := c.Get(e.srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("missing header %s", h)
			}
		}
	})
}

func TestEveryRouteDeclaresAccess(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	c := e.client()
	for _, r := range e.app.Web.Routes() {
		if !r.Access.Declared() {
			t.Errorf("route %s has no access rule", r.Pattern)
		}
		method, path, _ := strings.Cut(r.Pattern, " ")
		if r.Access.IsPublic() || strings.Contains(path, "{") && !strings.HasSuffix(path, "}") {
			continue
		}
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "1"), "{$}", "")
		req, _ := http.NewRequest(method, e.srv.URL+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Anonymous requests to protected routes never succeed.
		if resp.StatusCode < 300 {
			t.Errorf("%s answered %d to an anonymous request", r.Pattern, resp.StatusCode)
		}
	}
}

func TestEnglishSelectable(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	c := e.login("registrator@exempelby.se")
	e.post(c, "/konto/sprak", url.Values{"locale": {"en"}, "csrf": {e.csrf(c, "/konto")}})
	_, body := e.get(c, "/")
	if !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Welcome, Rolf Registrator") {
		t.Fatal("English not shown after choosing it")
	}
}

// TestStartsWhileOIDCProviderIsDown: an unreachable provider does not stop
// Tilltal; password sign-in works and OIDC sign-in says the service is down.
func TestStartsWhileOIDCProviderIsDown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{
			"TILLTAL_DATABASE":       dbtest.DSN(t, "sqlite"),
			"TILLTAL_DATA_DIR":       dir,
			"TILLTAL_OIDC_ISSUER":    "http://127.0.0.1:1/tenant/v2.0",
			"TILLTAL_OIDC_CLIENT_ID": "tilltal",
			"TILLTAL_OIDC_ROLE_MAP":  "Tilltal.Redaktor=editor",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{})
	if err != nil {
		t.Fatalf("start with provider down: %v", err)
	}
	defer app.Close()
	if err := demo.Seed(context.Background(), app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	defer srv.Close()
	e := &e2e{t: t, app: app, srv: srv}
	e.login("redaktor@exempelby.se")
	status, body := e.get(e.client(), "/login/oidc")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "inloggningstjänst svarar inte") {
		t.Fatalf("OIDC while down: %d", status)
	}
	// A typo in the role map is a configuration error that stops the start.
	cfg.OIDC.RoleMap = map[string]string{"X": "kung"}
	if _, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}); err == nil || !strings.Contains(err.Error(), "not a role") {
		t.Fatalf("bad role map: %v", err)
	}
}

// TestNoSessionFixation: a session id planted before sign-in is never the
// one the person gets, and does not let anyone in afterwards.
func TestNoSessionFixation(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	c := e.client()
	u, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "tilltal_session", Value: "planted-by-attacker", Path: "/"}})
	csrf := e.csrf(c, "/login")
	st, _, h := e.post(c, "/login", url.Values{"email": {"redaktor@exempelby.se"}, "password": {demo.Password}, "csrf": {csrf}, "next": {"/"}})
	if st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	if !strings.Contains(strings.Join(h.Values("Set-Cookie"), ";"), "tilltal_session=") {
		t.Fatal("no new session cookie")
	}
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "tilltal_session" && ck.Value == "planted-by-attacker" {
			t.Fatal("the planted session id was kept")
		}
	}
	attacker := e.client()
	attacker.Jar.SetCookies(u, []*http.Cookie{{Name: "tilltal_session", Value: "planted-by-attacker", Path: "/"}})
	if st, _ := e.get(attacker, "/konto"); st != http.StatusSeeOther {
		t.Fatalf("the planted id lets the attacker in: %d", st)
	}
}

// TestHostileFilters: quotes, SQL and markup in every inbox and audit
// filter are data, not code.
func TestHostileFilters(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		e.seedItem("KFF", "page-kff", "c1", "Vanlig fråga")
		c := e.login("kommunikator@exempelby.se")
		hostile := []string{`' OR 1=1 --`, `"; DROP TABLE items; --`, `<script>alert(1)</script>`, `%' UNION SELECT password_hash FROM users --`, "\x00", strings.Repeat("ö", 5000)}
		for _, h := range hostile {
			for _, path := range []string{"/inkorg?q=", "/inkorg?status=all&platform=", "/inkorg?status=all&department=", "/inkorg?status=all&sentiment=", "/admin/logg?action=", "/admin/logg?object=", "/inkorg?status="} {
				st, body := e.get(c, path+url.QueryEscape(h))
				if st >= 500 {
					t.Fatalf("%s%q: %d", path, h, st)
				}
				if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "$argon2id$") {
					t.Fatalf("%s%q leaked into the page", path, h)
				}
			}
		}
		if n := e.count("SELECT COUNT(*) FROM items"); n != 1 {
			t.Fatalf("items: %d", n)
		}
		// An oversized form is refused before anything reads it all.
		before := e.count("SELECT COUNT(*) FROM departments")
		st, _, _ := e.post(c, "/admin/verksamheter", url.Values{"name": {strings.Repeat("x", 2<<20)}, "csrf": {e.csrf(c, "/admin/verksamheter")}})
		if st != http.StatusForbidden && st != http.StatusUnprocessableEntity && st != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized form: %d", st)
		}
		if e.count("SELECT COUNT(*) FROM departments") != before {
			t.Fatal("an oversized form changed data")
		}
		// NUL smuggled in JSON is refused, not a 500.
		if st, _ := e.api("POST", "/api/v1/departments", e.token("kommunikator@exempelby.se"), `{"name": "Ond\u0000förvaltning"}`); st != http.StatusUnprocessableEntity {
			t.Fatalf("NUL in JSON: %d", st)
		}
		csrf := e.csrf(c, "/admin/verksamheter")
		if st, _, _ := e.post(c, "/admin/verksamheter", url.Values{"name": {"Ond\x00förvaltning"}, "csrf": {csrf}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("NUL in a form: %d", st)
		}
	})
}
