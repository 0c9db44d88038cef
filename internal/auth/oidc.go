package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"tilltal/internal/apperr"
	"tilltal/internal/config"
	"tilltal/internal/org"
)

// oidcFlowTTL is how long a started sign-in may take at the provider.
const oidcFlowTTL = 10 * time.Minute

// OIDC signs people in through an OpenID Connect provider such as Microsoft
// Entra ID: the authorization code flow with PKCE, a nonce, and the
// provider's groups or app roles mapped to Tilltal roles at every sign-in.
// The flow's state lives in the database so that any instance can finish
// what another started.
type OIDC struct {
	cfg      config.OIDC
	svc      *Service
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// NewOIDC discovers the provider and prepares the flow. baseURL is Tilltal's
// own public address; the callback is baseURL + /login/oidc/callback.
func NewOIDC(ctx context.Context, cfg config.OIDC, baseURL string, svc *Service, client *http.Client) (*OIDC, error) {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	ctx = oidc.ClientContext(ctx, client)
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	if len(cfg.RoleMap) == 0 {
		return nil, errors.New("oidc: TILLTAL_OIDC_ROLE_MAP is empty, so nobody could get a role")
	}
	o := &OIDC{cfg: cfg, svc: svc, provider: p, client: client}
	o.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret.Reveal(),
		Endpoint:     p.Endpoint(),
		RedirectURL:  strings.TrimRight(baseURL, "/") + "/login/oidc/callback",
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: cfg.ClientID})
	return o, nil
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start records a new flow and returns the provider's sign-in URL.
func (o *OIDC) Start(ctx context.Context, returnTo string) (string, error) {
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	now := o.svc.Now()
	if _, err := o.svc.DB.Exec(ctx, "DELETE FROM oidc_flows WHERE created_at < ?", now.Add(-oidcFlowTTL)); err != nil {
		return "", fmt.Errorf("oidc: %w", err)
	}
	if _, err := o.svc.DB.Exec(ctx, "INSERT INTO oidc_flows (state, nonce, verifier, return_to, created_at) VALUES (?, ?, ?, ?, ?)",
		state, nonce, verifier, returnTo, now); err != nil {
		return "", fmt.Errorf("oidc: %w", err)
	}
	return o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

var errOIDCFlow = &apperr.Error{Kind: apperr.Unauthorized, Message: "Inloggningen har gått ut eller är ogiltig. Försök igen."}

// takeFlow removes and returns a flow: a state is good for one use only.
func (o *OIDC) takeFlow(ctx context.Context, state string) (nonce, verifier, returnTo string, err error) {
	if state == "" || len(state) > 100 {
		return "", "", "", errOIDCFlow
	}
	var created time.Time
	err = o.svc.DB.QueryRow(ctx, "SELECT nonce, verifier, return_to, created_at FROM oidc_flows WHERE state = ?", state).Scan(&nonce, &verifier, &returnTo, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", errOIDCFlow
	}
	if err != nil {
		return "", "", "", err
	}
	res, err := o.svc.DB.Exec(ctx, "DELETE FROM oidc_flows WHERE state = ?", state)
	if err != nil {
		return "", "", "", err
	}
	if n, _ := res.RowsAffected(); n != 1 || o.svc.Now().Sub(created) > oidcFlowTTL {
		return "", "", "", errOIDCFlow
	}
	return nonce, verifier, returnTo, nil
}

// claims are the ID token claims Tilltal reads. Entra ID puts app roles in
// "roles" and group ids in "groups"; which one is used is configured.
type claims struct {
	Subject           string `json:"sub"`
	Email             string `json:"email"`
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	Name              string `json:"name"`
	Nonce             string `json:"nonce"`
}

// Finish exchanges the code, verifies the ID token and returns the user,
// creating or updating them with the roles the provider's claims map to.
func (o *OIDC) Finish(ctx context.Context, state, code string) (int64, string, error) {
	nonce, verifier, returnTo, err := o.takeFlow(ctx, state)
	if err != nil {
		return 0, "", err
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return 0, "", &apperr.Error{Kind: apperr.Unauthorized, Message: "Identitetsleverantören godkände inte inloggningen", Err: err}
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return 0, "", &apperr.Error{Kind: apperr.Unauthorized, Message: "Identitetsleverantören skickade ingen ID-token"}
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return 0, "", &apperr.Error{Kind: apperr.Unauthorized, Message: "ID-token kunde inte verifieras", Err: err}
	}
	var c claims
	all := map[string]any{}
	if err := idt.Claims(&c); err != nil {
		return 0, "", err
	}
	_ = idt.Claims(&all)
	if c.Nonce != nonce {
		return 0, "", &apperr.Error{Kind: apperr.Unauthorized, Message: "ID-token hör inte till den här inloggningen"}
	}
	roles := o.MapRoles(all)
	if len(roles) == 0 {
		return 0, "", apperr.Forbiddenf("Ditt konto har ingen roll i Tilltal. Be kommunikatören lägga till dig i rätt grupp.")
	}
	id, err := o.upsertUser(ctx, idt.Issuer, c, roles)
	return id, returnTo, err
}

// MapRoles reads the configured claim (a list of strings) and maps each value
// through the role map.
func (o *OIDC) MapRoles(all map[string]any) []org.Role {
	var out []org.Role
	list, _ := all[o.cfg.RoleClaim].([]any)
	for _, v := range list {
		s, _ := v.(string)
		if r, ok := o.cfg.RoleMap[s]; ok {
			if role, err := org.ParseRole(r); err == nil && !slices.Contains(out, role) {
				out = append(out, role)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (o *OIDC) upsertUser(ctx context.Context, issuer string, c claims, roles []org.Role) (int64, error) {
	email := strings.ToLower(firstNonEmpty(c.Email, c.PreferredUsername, c.UPN))
	u, err := o.svc.Org.UserByOIDC(ctx, issuer, c.Subject)
	if errors.Is(err, apperr.ErrNotFound) && email != "" {
		// A person added by e-mail before their first sign-in is linked.
		u, err = o.svc.Org.UserByEmail(ctx, email)
		if err == nil {
			err = o.svc.Org.LinkOIDC(ctx, u.ID, issuer, c.Subject)
		}
	}
	if errors.Is(err, apperr.ErrNotFound) {
		if email == "" {
			return 0, apperr.Forbiddenf("Identitetsleverantören uppgav ingen e-postadress")
		}
		u, err = o.svc.Org.CreateUser(ctx, org.NewUser{Email: email, Name: firstNonEmpty(c.Name, email), Roles: nonDept(roles), OIDCIssuer: issuer, OIDCSubject: c.Subject})
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
	if err != nil {
		return 0, err
	}
	if !u.Active {
		return 0, apperr.Forbiddenf("Ditt konto i Tilltal är inaktiverat")
	}
	return u.ID, o.svc.Org.SetRolesFromProvider(ctx, u.ID, roles)
}

// nonDept drops the department-contact role for a new user, who has no
// department yet; the communicator adds it with the department.
func nonDept(roles []org.Role) []org.Role {
	return slices.DeleteFunc(slices.Clone(roles), func(r org.Role) bool { return r == org.DeptContact })
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
