package oidctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"tilltal/internal/oidctest"
)

// The callback is never reached: the client stops at the redirect to it.
const redirectURI = "http://127.0.0.1:9/callback"

// authorize runs the browser part of the flow with the given extra
// parameters and returns the query the provider redirects back with.
func authorize(t *testing.T, p *oidctest.Provider, cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(cfg.AuthCodeURL("st", append(opts, oauth2.SetAuthURLParam("nonce", "n1"))...))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		// The sign-in page: sign in.
		if resp, err = p.SubmitLogin(c, resp, "a@exempelby.se", oidctest.DefaultPassword); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("expected a redirect to the client, got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func TestPKCEIsRequired(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.User{Email: "a@exempelby.se", Name: "A"})
	p.AddClient("app", "s3cret", redirectURI)
	cfg := config(p, "s3cret")
	verifier := oauth2.GenerateVerifier()
	tests := []struct {
		name    string
		opts    []oauth2.AuthCodeOption
		wantErr string
	}{
		{"no PKCE", nil, "invalid_request"},
		{"plain PKCE", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")}, "invalid_request"},
		{"S256", []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := authorize(t, p, cfg, tt.opts...)
			if q.Get("error") != tt.wantErr || q.Get("state") != "st" || (tt.wantErr == "") == (q.Get("code") == "") {
				t.Fatalf("redirect query = %v, want error %q", q, tt.wantErr)
			}
		})
	}
}

func TestCodeExchange(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.User{Email: "a@exempelby.se", Name: "Anna", Roles: []string{"Tilltal.Redaktor"}, Groups: []string{"g1"}})
	p.AddClient("app", "s3cret", redirectURI)
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	code := authorize(t, p, config(p, "s3cret"), oauth2.S256ChallengeOption(verifier)).Get("code")

	if _, err := config(p, "fel").Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a wrong client secret was accepted")
	}
	if _, err := config(p, "s3cret").Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("a wrong PKCE verifier was accepted")
	}
	tok, err := config(p, "s3cret").Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	claims := payload(t, tok.Extra("id_token").(string))
	if claims["nonce"] != "n1" || claims["email"] != "a@exempelby.se" || claims["name"] != "Anna" ||
		!slices.Equal(strs(claims["roles"]), []string{"Tilltal.Redaktor"}) || !slices.Equal(strs(claims["groups"]), []string{"g1"}) ||
		claims["sub"] != p.Subject("a@exempelby.se") || claims["iss"] != p.URL {
		t.Fatalf("ID token claims = %v", claims)
	}
	if _, err := config(p, "s3cret").Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code was exchanged twice")
	}
}

func config(p *oidctest.Provider, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: "app", ClientSecret: secret, RedirectURL: redirectURI, Scopes: []string{"openid", "profile", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: p.URL + "/authorize", TokenURL: p.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}}
}

// payload decodes a JWT's claims without checking it; Tilltal's tests
// check the verification.
func payload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
