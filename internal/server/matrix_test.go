package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tilltal/internal/org"
)

// TestRoleMatrix walks every route of the route table (HTML and API) as
// every role and as an anonymous visitor: a role the route's rule leaves out
// gets 403 from the guard, an anonymous visitor never gets in. Since the
// table is the source, a new route without a rule fails at registration, and
// a new route is in this matrix the moment it is added.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	e := startE2E(t, "sqlite")
	people := map[org.Role]string{
		org.Communicator: "kommunikator@exempelby.se",
		org.Editor:       "redaktor@exempelby.se",
		org.DeptContact:  "verksamhet@exempelby.se",
		org.Registrar:    "registrator@exempelby.se",
		org.Legal:        "jurist@exempelby.se",
	}
	type session struct {
		c     *http.Client
		csrf  string
		token string
	}
	sessions := map[org.Role]session{}
	for role, email := range people {
		c := e.login(email)
		sessions[role] = session{c: c, csrf: e.csrf(c, "/konto"), token: e.token(email)}
	}
	anon := e.client()
	for _, r := range e.app.Web.Routes() {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok || r.Access.IsPublic() {
			continue
		}
		// Ids that exist nowhere: the guard answers before any row is touched.
		path = strings.NewReplacer("{id}", "999999", "{$}", "").Replace(path)
		api := strings.HasPrefix(path, "/api/")
		t.Run(r.Pattern, func(t *testing.T) {
			// Anonymous: never in.
			if st := do(t, anon, e.srv.URL, method, path, "", "", api); st != http.StatusUnauthorized && st != http.StatusSeeOther && st != http.StatusForbidden {
				t.Errorf("anonymous got %d", st)
			}
			if r.Pattern == "POST /logout" {
				return // signing out would end the sessions the matrix uses
			}
			for role, s := range sessions {
				p, err := e.app.Auth.Principal(t.Context(), userID(t, e, people[role]))
				if err != nil {
					t.Fatal(err)
				}
				st := do(t, s.c, e.srv.URL, method, path, s.csrf, s.token, api)
				allowed := r.Access.Allows(p)
				switch {
				case !allowed && st != http.StatusForbidden:
					t.Errorf("%s may not use it but got %d", role, st)
				case allowed && st == http.StatusUnauthorized:
					t.Errorf("%s may use it but got 401", role)
				}
			}
		})
	}
}

func userID(t *testing.T, e *e2e, email string) int64 {
	u, err := e.app.Org.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// do sends one request the way its surface expects: forms with the
// session's CSRF token, the API with a bearer token.
func do(t *testing.T, c *http.Client, base, method, path, csrf, token string, api bool) int {
	t.Helper()
	var body string
	if method == http.MethodPost && !api {
		body = url.Values{"csrf": {csrf}}.Encode()
	}
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if api {
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		c = http.DefaultClient
	} else if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
