// Package oidctest starts a real OpenID Connect provider on 127.0.0.1 for
// tests, built on the certified OP implementation github.com/zitadel/oidc/v3.
// It behaves like Microsoft Entra ID does for a municipality's app
// registration: the authorization code flow with PKCE S256 (required), ID
// tokens signed with RS256, and the person's app roles in a "roles" claim
// and group object ids in a "groups" claim. A small HTML form stands in for
// the provider's sign-in page, so tests drive the same redirects a browser
// follows.
//
// Nothing here is used outside tests.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// DefaultPassword is the password of a User that names none.
const DefaultPassword = "korrekt-häst-batteri"

// User is a person known to the provider. Email is also the user name on
// the provider's sign-in form.
type User struct {
	Email string
	Name  string
	// Password is what the sign-in form wants; DefaultPassword when empty.
	Password string
	// Subject is the "sub" claim; a random, stable value when empty.
	Subject string
	// Roles go into the "roles" claim (Entra app roles), Groups into the
	// "groups" claim (Entra group object ids). A nil list leaves the claim
	// out, as Entra does for a person with no assignment.
	Roles  []string
	Groups []string
	// Claims are put into the ID token as they are, e.g. Entra's "oid",
	// "email_verified", or "_claim_names" for a person in too many groups.
	Claims map[string]any
	// Tamper, when set, makes the provider corrupt this person's ID tokens.
	Tamper *Tampering
}

// Provider is a running OpenID provider.
type Provider struct {
	// URL is the issuer, e.g. http://127.0.0.1:41234.
	URL string

	srv *httptest.Server
	op  *op.Provider
	st  *storage
}

// Start runs a provider with the given users until the test ends.
func Start(t testing.TB, users ...User) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: key: %v", err)
	}
	p := &Provider{st: newStorage(key, randomHex(8))}
	for _, u := range users {
		p.AddUser(u)
	}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	p.st.loginURL = p.URL + "/login?id="

	var cryptoKey [32]byte
	_, _ = rand.Read(cryptoKey[:])
	cfg := &op.Config{CryptoKey: cryptoKey, CodeMethodS256: true,
		SupportedClaims: append(slices.Clone(op.DefaultSupportedClaims), "roles", "groups")}
	p.op, err = op.NewProvider(cfg, p.st, op.StaticIssuer(p.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("oidctest: provider: %v", err)
	}
	mux.HandleFunc("GET /login", p.loginPage)
	mux.HandleFunc("POST /login", p.loginSubmit)
	mux.Handle("/oauth/token", p.tamperTokens(p.op))
	mux.Handle("/", p.op)
	return p
}

// AddClient registers an application (a confidential web client
// authenticating with its secret) and the redirect URIs it may use.
func (p *Provider) AddClient(id, secret string, redirectURIs ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.clients[id] = &client{id: id, secret: secret, redirectURIs: redirectURIs, loginURL: p.st.loginURL}
}

// AddUser adds a person, or replaces the one with the same e-mail address.
func (p *Provider) AddUser(u User) {
	if u.Password == "" {
		u.Password = DefaultPassword
	}
	if u.Subject == "" {
		u.Subject = randomHex(16)
	}
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.users[u.Email] = &u
}

// SetRoles changes the app roles the person's next ID token carries.
func (p *Provider) SetRoles(email string, roles ...string) {
	p.st.update(email, func(u *User) { u.Roles = roles })
}

// SetGroups changes the groups the person's next ID token carries.
func (p *Provider) SetGroups(email string, groups ...string) {
	p.st.update(email, func(u *User) { u.Groups = groups })
}

// SetTamper makes the person's next ID tokens corrupt as t says; nil
// makes them honest again.
func (p *Provider) SetTamper(email string, t *Tampering) {
	p.st.update(email, func(u *User) { u.Tamper = t })
}

// Subject returns the "sub" the provider gives the person.
func (p *Provider) Subject(email string) string {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	if u, ok := p.st.users[email]; ok {
		return u.Subject
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// userBySubject finds the person an issued token is about.
func (s *storage) userBySubject(sub string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Subject == sub {
			return *u, true
		}
	}
	return User{}, false
}

func (s *storage) update(email string, fn func(*User)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[email]; ok {
		fn(u)
	}
}
