package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/demo"
	"tilltal/internal/org"
	"tilltal/internal/server"
)

// e2e is a running Tilltal with the demo seed, reached over real HTTP.
type e2e struct {
	t   *testing.T
	app *server.App
	srv *httptest.Server
}

func startE2E(t *testing.T, dialect db.Dialect) *e2e {
	t.Helper()
	return startE2EWith(t, dialect, nil, e2eOptions{})
}

// e2eOptions are the server's options and where its log goes.
type e2eOptions struct {
	server.Options
	// LogTo receives the server's JSON log, at debug level.
	LogTo io.Writer
}

// startE2EWith starts Tilltal with extra settings and options, seeded with
// the demo municipality and served over real HTTP.
func startE2EWith(t *testing.T, dialect db.Dialect, env map[string]string, o e2eOptions) *e2e {
	t.Helper()
	dir := t.TempDir()
	settings := map[string]string{
		"TILLTAL_DATABASE": dbtest.DSN(t, dialect),
		"TILLTAL_DATA_DIR": dir,
		"TILLTAL_KEY_FILE": filepath.Join(dir, "secret.key"),
	}
	for k, v := range env {
		settings[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return settings[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var logs io.Writer = io.Discard
	if o.LogTo != nil {
		logs = o.LogTo
	}
	app, err := server.New(ctx, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), o.Options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	if err := demo.Seed(ctx, app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return &e2e{t: t, app: app, srv: srv}
}

// client is a browser-like client with cookies that does not follow
// redirects, so tests see them.
func (e *e2e) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns status and body.
func (e *e2e) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post submits a form as a browser would.
func (e *e2e) post(c *http.Client, path string, form url.Values) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// csrf reads the CSRF token from a page.
func (e *e2e) csrf(c *http.Client, path string) string {
	e.t.Helper()
	_, body := e.get(c, path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

// login signs in a demo user and returns their client.
func (e *e2e) login(email string) *http.Client {
	e.t.Helper()
	c := e.client()
	status, body, h := e.post(c, "/login", url.Values{"email": {email}, "password": {demo.Password}, "csrf": {e.csrf(c, "/login")}, "next": {"/"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/" {
		e.t.Fatalf("login %s: %d %s", email, status, body)
	}
	return c
}

// token makes an API token for a demo user.
func (e *e2e) token(email string) string {
	e.t.Helper()
	u, err := e.app.Org.UserByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	plain, _, err := e.app.Auth.CreateToken(context.Background(), u.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return plain
}

// api calls the JSON API with a bearer token.
func (e *e2e) api(method, path, token, body string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *e2e) department(code string) org.Department {
	e.t.Helper()
	d, err := e.app.Org.DepartmentByName(context.Background(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *e2e) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func eachDialect(t *testing.T, fn func(t *testing.T, e *e2e)) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, startE2E(t, d))
		})
	}
}
