package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/oidctest"
	"tilltal/internal/org"
	"tilltal/internal/server"
)

// Messages the sign-in shows when it refuses.
const (
	msgFlowInvalid = "Inloggningen har gått ut eller är ogiltig"
	msgNoRole      = "Ditt konto har ingen roll i Tilltal"
	msgBadToken    = "ID-token kunde inte verifieras"
	msgWrongNonce  = "ID-token hör inte till den här inloggningen"
	msgCancelled   = "Du har inte tillgång till Tilltal hos identitetsleverantören"
	msgRelinked    = "redan kopplad till en annan inloggning"
	msgOverage     = "du är med i för många"
	msgUnverified  = "har inte bekräftat din e-postadress"
	msgInactive    = "Ditt konto i Tilltal är inaktiverat"
)

// oidcRig is a Tilltal that signs people in through a real OpenID
// provider, both reached over HTTP on 127.0.0.1.
type oidcRig struct {
	idp *oidctest.Provider
	app *server.App
	url string
}

// startOIDCRig builds Tilltal with server.New on a fresh database of the
// dialect, configured through the same TILLTAL_OIDC_* settings an operator
// sets, as client clientID of idp.
func startOIDCRig(t *testing.T, dialect db.Dialect, idp *oidctest.Provider, clientID, claim, roleMap string) *oidcRig {
	t.Helper()
	// The callback URL must be known before Tilltal is built, so the
	// listener comes first.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	secret := "hemlighet-" + clientID
	idp.AddClient(clientID, secret, base+"/login/oidc/callback")

	dir := t.TempDir()
	env := map[string]string{
		"TILLTAL_DATABASE":           dbtest.DSN(t, dialect),
		"TILLTAL_DATA_DIR":           dir,
		"TILLTAL_KEY_FILE":           filepath.Join(dir, "secret.key"),
		"TILLTAL_BASE_URL":           base,
		"TILLTAL_OIDC_ISSUER":        idp.URL,
		"TILLTAL_OIDC_CLIENT_ID":     clientID,
		"TILLTAL_OIDC_CLIENT_SECRET": secret,
		"TILLTAL_OIDC_ROLE_CLAIM":    claim,
		"TILLTAL_OIDC_ROLE_MAP":      roleMap,
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Options{HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	srv.Config.Handler = app.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return &oidcRig{idp: idp, app: app, url: base}
}

// browser is a client with a cookie jar that follows redirects across
// Tilltal and the provider and remembers where it went.
type browser struct {
	t      *testing.T
	c      *http.Client
	jar    *cookiejar.Jar
	visits []*url.URL
	// stopAtCallback makes it stop before Tilltal's callback, to see (or
	// steal) the URL the provider sends the browser to.
	stopAtCallback bool
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, jar: jar}
	b.c = &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		b.visits = append(b.visits, req.URL)
		if b.stopAtCallback && req.URL.Path == "/login/oidc/callback" {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return errors.New("redirect loop")
		}
		return nil
	}}
	return b
}

// page is a response with its body read.
type page struct {
	status int
	url    *url.URL
	body   string
	resp   *http.Response
}

func (b *browser) do(resp *http.Response, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL, body: string(body), resp: resp}
}

func (b *browser) get(u string) page { b.t.Helper(); return b.do(b.c.Get(u)) }

// session returns the Tilltal session cookie the browser holds, or "".
func (b *browser) session(rig *oidcRig) string {
	u, _ := url.Parse(rig.url)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "tilltal_session" {
			return c.Value
		}
	}
	return ""
}

// visited returns the last URL with the path the browser was sent to.
func (b *browser) visited(path string) *url.URL {
	for i := len(b.visits) - 1; i >= 0; i-- {
		if b.visits[i].Path == path {
			return b.visits[i]
		}
	}
	b.t.Fatalf("the browser never went to %s (went to %v)", path, b.visits)
	return nil
}

// toProviderLogin starts a sign-in at Tilltal and follows it to the
// provider's sign-in page.
func (rig *oidcRig) toProviderLogin(b *browser, next string) page {
	b.t.Helper()
	p := b.get(rig.url + "/login/oidc?next=" + url.QueryEscape(next))
	if p.status != http.StatusOK || !strings.HasPrefix(p.url.String(), rig.idp.URL+"/login?") {
		b.t.Fatalf("expected the provider's sign-in page, got %d at %s: %s", p.status, p.url, gist(p.body))
	}
	return p
}

// signIn walks the whole flow as the person and returns the last page.
func (rig *oidcRig) signIn(b *browser, email, next string) page {
	b.t.Helper()
	login := rig.toProviderLogin(b, next)
	return b.do(rig.idp.SubmitLogin(b.c, login.resp, email, oidctest.DefaultPassword))
}

// roles returns the Tilltal roles of the person, or nil with found=false.
func (rig *oidcRig) roles(t *testing.T, email string) (roles []org.Role, found bool) {
	t.Helper()
	u, err := rig.app.Org.UserByEmail(context.Background(), email)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return u.Roles, true
}

var (
	htmlTag = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces  = regexp.MustCompile(`\s+`)
)

// gist is the visible text of a page's main part, for failure messages.
func gist(body string) string {
	if i := strings.Index(body, `id="innehall"`); i >= 0 {
		body = body[i:]
	}
	s := strings.TrimSpace(spaces.ReplaceAllString(htmlTag.ReplaceAllString(body, " "), " "))
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// refused checks a refusal: the status, the Swedish message, no session.
func refused(t *testing.T, b *browser, rig *oidcRig, p page, status int, msg string) {
	t.Helper()
	if p.status != status || !strings.Contains(p.body, msg) {
		t.Fatalf("want %d with %q, got %d at %s: %s", status, msg, p.status, p.url, gist(p.body))
	}
	if p.url.Host != strings.TrimPrefix(rig.url, "http://") {
		t.Fatalf("the refusal should be Tilltal's page, is at %s", p.url)
	}
	if s := b.session(rig); s != "" {
		t.Fatalf("a refused sign-in left a session cookie")
	}
}

// meRoles asks GET /api/v1/me with a new API token of the person.
func (rig *oidcRig) meRoles(t *testing.T, email string) []org.Role {
	t.Helper()
	ctx := context.Background()
	u, err := rig.app.Org.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := rig.app.Auth.CreateToken(ctx, u.ID, "oidc-test")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, rig.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct {
		Email string     `json:"email"`
		Roles []org.Role `json:"roles"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || resp.StatusCode != http.StatusOK || me.Email != email {
		t.Fatalf("GET /api/v1/me: %d %+v %v", resp.StatusCode, me, err)
	}
	return me.Roles
}

// Group object ids as Entra ID puts them in the "groups" claim.
const (
	groupEditors     = "5f0c1a2e-8d3b-4c6e-9a71-2b4d6f8e0a13"
	groupRegistrars  = "b7e9d4c2-1a3f-4e58-86b0-c9d2e4f6a8b1"
	groupUnrelated   = "0e4a6c8b-2d1f-4b3a-9c5e-7f8a1b2c3d4e"
	rolesMap         = "Tilltal.Redaktor=editor,Tilltal.Kommunikator=communicator"
	groupsMap        = groupEditors + "=editor," + groupRegistrars + "=registrar"
	roleEditor       = "Tilltal.Redaktor"
	roleCommunicator = "Tilltal.Kommunikator"
)

// TestOIDCSignIn proves the OpenID Connect sign-in end to end against a
// real provider, on SQLite and PostgreSQL.
func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			idp := oidctest.Start(t)
			rolesRig := startOIDCRig(t, dialect, idp, "tilltal-roles", "roles", rolesMap)
			groupsRig := startOIDCRig(t, dialect, idp, "tilltal-groups", "groups", groupsMap)
			t.Run("app roles", func(t *testing.T) { t.Parallel(); testAppRoles(t, rolesRig) })
			t.Run("groups", func(t *testing.T) { t.Parallel(); testGroups(t, groupsRig) })
			t.Run("replayed callback", func(t *testing.T) { t.Parallel(); testReplayedCallback(t, rolesRig) })
			t.Run("wrong state", func(t *testing.T) { t.Parallel(); testWrongState(t, rolesRig) })
			t.Run("no role", func(t *testing.T) { t.Parallel(); testNoRole(t, rolesRig) })
			t.Run("role change", func(t *testing.T) { t.Parallel(); testRoleChange(t, rolesRig) })
			t.Run("bad ID tokens", func(t *testing.T) { t.Parallel(); testBadIDTokens(t, rolesRig) })
			t.Run("cancelled", func(t *testing.T) { t.Parallel(); testCancelled(t, rolesRig) })
			t.Run("linking", func(t *testing.T) { t.Parallel(); testLinking(t, rolesRig) })
			t.Run("link refusals", func(t *testing.T) { t.Parallel(); testLinkRefusals(t, rolesRig) })
		})
	}
}

func testAppRoles(t *testing.T, rig *oidcRig) {
	const email = "anna.andersson@exempelby.se"
	rig.idp.AddUser(oidctest.User{Email: email, Name: "Anna Andersson", Roles: []string{roleEditor, "Annan.App.Admin"}})
	b := newBrowser(t)
	p := rig.signIn(b, email, "/konto")

	// The request to the provider carried PKCE S256, a nonce and a state.
	auth := b.visited("/authorize").Query()
	if auth.Get("code_challenge_method") != "S256" || auth.Get("code_challenge") == "" || auth.Get("nonce") == "" || auth.Get("state") == "" {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %v", auth)
	}
	if p.status != http.StatusOK || p.url.String() != rig.url+"/konto" {
		t.Fatalf("want the account page after sign-in, got %d at %s: %s", p.status, p.url, gist(p.body))
	}
	if b.session(rig) == "" {
		t.Fatal("no session cookie after sign-in")
	}
	home := b.get(rig.url + "/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "Välkommen, Anna Andersson") {
		t.Fatalf("home page does not greet the person: %d %s", home.status, gist(home.body))
	}
	if r, _ := rig.roles(t, email); !slices.Equal(r, []org.Role{org.Editor}) {
		t.Fatalf("roles = %v, want [editor]", r)
	}
	if r := rig.meRoles(t, email); !slices.Equal(r, []org.Role{org.Editor}) {
		t.Fatalf("/api/v1/me roles = %v, want [editor]", r)
	}
}

func testGroups(t *testing.T, rig *oidcRig) {
	tests := []struct {
		email  string
		groups []string
		claims map[string]any
		want   []org.Role
		msg    string // the refusal when want is nil
	}{
		{"grupp.redaktor@exempelby.se", []string{groupUnrelated, groupEditors}, nil, []org.Role{org.Editor}, ""},
		{"grupp.bada@exempelby.se", []string{groupRegistrars, groupEditors}, nil, []org.Role{org.Editor, org.Registrar}, ""},
		{"grupp.ingen@exempelby.se", []string{groupUnrelated}, nil, nil, msgNoRole},
		// A person in over 200 groups: Entra leaves "groups" out and points
		// to Microsoft Graph instead.
		{"grupp.manga@exempelby.se", nil, map[string]any{
			"_claim_names":   map[string]any{"groups": "src1"},
			"_claim_sources": map[string]any{"src1": map[string]any{"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}},
		}, nil, msgOverage},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			t.Parallel()
			rig.idp.AddUser(oidctest.User{Email: tt.email, Name: "Gun Gruppsson", Groups: tt.groups, Claims: tt.claims,
				Roles: []string{roleCommunicator}}) // the roles claim is not the configured one
			b := newBrowser(t)
			p := rig.signIn(b, tt.email, "/")
			if tt.want == nil {
				refused(t, b, rig, p, http.StatusForbidden, tt.msg)
				return
			}
			if p.status != http.StatusOK || !strings.Contains(p.body, "Gun Gruppsson") {
				t.Fatalf("sign-in failed: %d at %s: %s", p.status, p.url, gist(p.body))
			}
			if r, _ := rig.roles(t, tt.email); !slices.Equal(r, tt.want) {
				t.Fatalf("roles = %v, want %v", r, tt.want)
			}
		})
	}
}

func testReplayedCallback(t *testing.T, rig *oidcRig) {
	const email = "rut.replay@exempelby.se"
	rig.idp.AddUser(oidctest.User{Email: email, Name: "Rut Replay", Roles: []string{roleEditor}})
	b := newBrowser(t)
	if p := rig.signIn(b, email, "/"); p.status != http.StatusOK {
		t.Fatalf("first sign-in failed: %d %s", p.status, gist(p.body))
	}
	callback := b.visited("/login/oidc/callback")
	state := callback.Query().Get("state")

	// Someone who saw the callback URL (in a log, a proxy, the history)
	// tries it in their own browser.
	thief := newBrowser(t)
	refused(t, thief, rig, thief.get(callback.String()), http.StatusUnauthorized, msgFlowInvalid)

	// Even with the browser's binding cookie put back, the state is spent.
	again := newBrowser(t)
	u, _ := url.Parse(rig.url)
	again.jar.SetCookies(u, []*http.Cookie{{Name: "tilltal_oidc_state", Value: state, Path: "/login/oidc"}})
	if c := again.jar.Cookies(callback); len(c) != 1 || c[0].Value != state {
		t.Fatalf("the binding cookie would not be sent with the callback: %v", c)
	}
	refused(t, again, rig, again.get(callback.String()), http.StatusUnauthorized, msgFlowInvalid)
}

func testWrongState(t *testing.T, rig *oidcRig) {
	const email = "stina.state@exempelby.se"
	rig.idp.AddUser(oidctest.User{Email: email, Name: "Stina State", Roles: []string{roleEditor}})

	// An attacker signs in as themself and stops before the callback, to
	// get the victim's browser to finish the attacker's sign-in.
	attacker := newBrowser(t)
	attacker.stopAtCallback = true
	rig.signIn(attacker, email, "/")
	stolen := attacker.visited("/login/oidc/callback")

	tests := []struct {
		name   string
		cookie string // the victim's binding cookie; "" for none
		query  string
	}{
		{"missing state", "", "code=abc"},
		{"missing state with cookie", "s1", "code=abc"},
		{"unknown state", "", "state=forged&code=abc"},
		{"state not of this browser", "s1", "state=forged&code=abc"},
		{"forged state and cookie", "forged", "state=forged&code=abc"},
		{"someone else's sign-in", "", stolen.RawQuery},
		{"someone else's sign-in in a signing-in browser", "s1", stolen.RawQuery},
	}
	t.Run("refused", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				victim := newBrowser(t)
				if tt.cookie != "" {
					u, _ := url.Parse(rig.url)
					victim.jar.SetCookies(u, []*http.Cookie{{Name: "tilltal_oidc_state", Value: tt.cookie, Path: "/login/oidc"}})
				}
				refused(t, victim, rig, victim.get(rig.url+"/login/oidc/callback?"+tt.query), http.StatusUnauthorized, msgFlowInvalid)
			})
		}
	})
	// The stolen callback was good all along: in the browser that started
	// it, it signs in.
	if p := attacker.get(stolen.String()); p.status != http.StatusOK || attacker.session(rig) == "" {
		t.Fatalf("the attacker's own callback did not sign in: %d %s", p.status, gist(p.body))
	}
}

func testNoRole(t *testing.T, rig *oidcRig) {
	tests := []struct {
		name   string
		roles  []string
		claims map[string]any
		msg    string
	}{
		{"other app's role", []string{"Annan.App.Admin"}, nil, msgNoRole},
		{"empty roles claim", []string{}, nil, msgNoRole},
		{"no roles claim", nil, nil, msgNoRole},
		{"role map value is case-sensitive", []string{strings.ToLower(roleEditor)}, nil, msgNoRole},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := "utan.roll" + string(rune('a'+i)) + "@exempelby.se"
			rig.idp.AddUser(oidctest.User{Email: email, Name: "Utan Roll", Roles: tt.roles, Claims: tt.claims})
			b := newBrowser(t)
			refused(t, b, rig, rig.signIn(b, email, "/"), http.StatusForbidden, tt.msg)
			if _, found := rig.roles(t, email); found {
				t.Fatal("a person without a role was created")
			}
		})
	}
}

func testRoleChange(t *testing.T, rig *oidcRig) {
	const email = "rolf.rollbyte@exempelby.se"
	rig.idp.AddUser(oidctest.User{Email: email, Name: "Rolf Rollbyte", Roles: []string{roleEditor}})
	steps := []struct {
		roles []string
		want  []org.Role
	}{
		{[]string{roleEditor}, []org.Role{org.Editor}},
		{[]string{roleCommunicator}, []org.Role{org.Communicator}},
		{[]string{roleCommunicator, roleEditor}, []org.Role{org.Communicator, org.Editor}},
		{[]string{roleEditor}, []org.Role{org.Editor}},
		{[]string{roleCommunicator}, []org.Role{org.Communicator}},
	}
	var first *browser
	for i, s := range steps {
		rig.idp.SetRoles(email, s.roles...)
		b := newBrowser(t)
		if p := rig.signIn(b, email, "/"); p.status != http.StatusOK {
			t.Fatalf("step %d: sign-in failed: %d %s", i, p.status, gist(p.body))
		}
		if r, _ := rig.roles(t, email); !slices.Equal(r, s.want) {
			t.Fatalf("step %d: roles = %v, want %v", i, r, s.want)
		}
		if first == nil {
			first = b
		}
	}

	// The provider takes the last role away: the next sign-in is refused
	// and the person keeps no role in Tilltal, not even in the session
	// they opened earlier.
	rig.idp.SetRoles(email)
	b := newBrowser(t)
	refused(t, b, rig, rig.signIn(b, email, "/"), http.StatusForbidden, msgNoRole)
	if r, found := rig.roles(t, email); !found || len(r) != 0 {
		t.Fatalf("after the provider removed every role: roles = %v (found %v), want none", r, found)
	}
	if home := first.get(rig.url + "/admin/anvandare"); home.status != http.StatusForbidden {
		t.Fatalf("an earlier session still reaches a communicator page: %d", home.status)
	}
}

func testBadIDTokens(t *testing.T, rig *oidcRig) {
	tests := []struct {
		name   string
		tamper oidctest.Tampering
		msg    string // "" when the sign-in must succeed
	}{
		// The control: re-signing itself does not break a token.
		{"re-signed, honest", oidctest.Tampering{Claims: func(c map[string]any) { c["xms_pl"] = "sv" }}, ""},
		{"another client's token", oidctest.Tampering{Claims: func(c map[string]any) {
			c["aud"], c["azp"], c["client_id"] = []string{"annan-app"}, "annan-app", "annan-app"
		}}, msgBadToken},
		{"another issuer", oidctest.Tampering{Claims: func(c map[string]any) {
			c["iss"] = "https://login.microsoftonline.com/annan-tenant/v2.0"
		}}, msgBadToken},
		{"expired", oidctest.Tampering{Claims: func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		}}, msgBadToken},
		{"forged signature", oidctest.Tampering{ForeignKey: true}, msgBadToken},
		{"another sign-in's nonce", oidctest.Tampering{Claims: func(c map[string]any) {
			c["nonce"] = "en-annan-inloggning"
		}}, msgWrongNonce},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := "tore.token" + string(rune('a'+i)) + "@exempelby.se"
			rig.idp.AddUser(oidctest.User{Email: email, Name: "Tore Token", Roles: []string{roleCommunicator}, Tamper: &tt.tamper})
			b := newBrowser(t)
			p := rig.signIn(b, email, "/")
			if tt.msg == "" {
				if p.status != http.StatusOK || !strings.Contains(p.body, "Tore Token") {
					t.Fatalf("an honest re-signed token was refused: %d %s", p.status, gist(p.body))
				}
				return
			}
			refused(t, b, rig, p, http.StatusUnauthorized, tt.msg)
			if _, found := rig.roles(t, email); found {
				t.Fatal("a refused token created a user")
			}
		})
	}
}

func testCancelled(t *testing.T, rig *oidcRig) {
	const email = "ada.avbryt@exempelby.se"
	rig.idp.AddUser(oidctest.User{Email: email, Name: "Ada Avbryt", Roles: []string{roleEditor}})
	b := newBrowser(t)
	login := rig.toProviderLogin(b, "/")
	refused(t, b, rig, b.do(rig.idp.Cancel(b.c, login.resp)), http.StatusForbidden, msgCancelled)
}

func testLinking(t *testing.T, rig *oidcRig) {
	tests := []struct {
		name  string
		email string // at the provider, as typed there; Tilltal keeps it in lower case
		// oid is Entra's object id, the same in every app registration; ""
		// for a provider that has only "sub".
		oid string
	}{
		{"entra object id", "Bo.Befintlig@Exempelby.se", "3c1f9a2b-5d7e-4f80-a1b2-c3d4e5f60718"},
		{"subject only", "Cia.Befintlig@Exempelby.se", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			email := strings.ToLower(tt.email)
			claims := map[string]any{}
			if tt.oid != "" {
				claims["oid"] = tt.oid
			}
			// The communicator added the person before their first sign-in.
			before, err := rig.app.Org.CreateUser(ctx, org.NewUser{Email: email, Name: "Befintlig Person", Roles: []org.Role{org.Legal}})
			if err != nil {
				t.Fatal(err)
			}
			rig.idp.AddUser(oidctest.User{Email: tt.email, Name: "B", Roles: []string{roleEditor}, Claims: claims})
			b := newBrowser(t)
			if p := rig.signIn(b, tt.email, "/"); p.status != http.StatusOK || !strings.Contains(p.body, "Befintlig Person") {
				t.Fatalf("sign-in of an existing person failed: %d %s", p.status, gist(p.body))
			}
			after, err := rig.app.Org.UserByEmail(ctx, email)
			if err != nil || after.ID != before.ID || !slices.Equal(after.Roles, []org.Role{org.Editor}) {
				t.Fatalf("existing person not linked: before %+v after %+v (%v)", before, after, err)
			}

			if tt.oid != "" {
				// Tilltal registered anew in Entra: every "sub" changes, the
				// "oid" stays, and so does the link.
				rig.idp.AddUser(oidctest.User{Email: tt.email, Name: "B", Roles: []string{roleEditor}, Claims: claims})
				if p := rig.signIn(newBrowser(t), tt.email, "/"); p.status != http.StatusOK || !strings.Contains(p.body, "Befintlig Person") {
					t.Fatalf("sign-in after a new app registration failed: %d %s", p.status, gist(p.body))
				}
			}

			// Another account at the provider that claims the same address
			// (the "nOAuth" attack) must not take over the linked person.
			impostor := map[string]any{}
			if tt.oid != "" {
				impostor["oid"] = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
			}
			rig.idp.AddUser(oidctest.User{Email: tt.email, Name: "Inkräktare", Roles: []string{roleCommunicator}, Claims: impostor})
			b = newBrowser(t)
			refused(t, b, rig, rig.signIn(b, tt.email, "/"), http.StatusConflict, msgRelinked)
			if r, _ := rig.roles(t, email); !slices.Equal(r, []org.Role{org.Editor}) {
				t.Fatalf("roles changed by the impostor: %v", r)
			}
		})
	}
}

func testLinkRefusals(t *testing.T, rig *oidcRig) {
	tests := []struct {
		name     string
		claims   map[string]any
		inactive bool
		msg      string
	}{
		{"address not verified", map[string]any{"email_verified": false}, false, msgUnverified},
		{"deactivated in Tilltal", nil, true, msgInactive},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			email := "lisa.lank" + string(rune('a'+i)) + "@exempelby.se"
			u, err := rig.app.Org.CreateUser(ctx, org.NewUser{Email: email, Name: "Lisa Länk", Roles: []org.Role{org.Legal}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.inactive {
				u.Active = false
				if err := rig.app.Org.UpdateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			rig.idp.AddUser(oidctest.User{Email: email, Name: "Lisa Länk", Roles: []string{roleCommunicator}, Claims: tt.claims})
			b := newBrowser(t)
			refused(t, b, rig, rig.signIn(b, email, "/"), http.StatusForbidden, tt.msg)
			if r, _ := rig.roles(t, email); !slices.Equal(r, []org.Role{org.Legal}) {
				t.Fatalf("a refused sign-in changed the roles: %v", r)
			}
		})
	}
}
