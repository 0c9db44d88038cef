package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
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

// ErrOIDCConfig marks a configuration mistake, as opposed to a provider that
// cannot be reached: the first stops the start, the second does not.
var ErrOIDCConfig = errors.New("oidc: configuration")

// NewOIDC discovers the provider and prepares the flow. baseURL is Tilltal's
// own public address; the callback is baseURL + /login/oidc/callback.
func NewOIDC(ctx context.Context, cfg config.OIDC, baseURL string, svc *Service, client *http.Client) (*OIDC, error) {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if len(cfg.RoleMap) == 0 {
		return nil, fmt.Errorf("%w: TILLTAL_OIDC_ROLE_MAP is empty, so nobody could get a role", ErrOIDCConfig)
	}
	for value, role := range cfg.RoleMap {
		// A typo here would silently give nobody the role.
		if _, err := org.ParseRole(role); err != nil {
			return nil, fmt.Errorf("%w: TILLTAL_OIDC_ROLE_MAP maps %q to %q, which is not a role (communicator, owner, editor, department, registrar, legal)", ErrOIDCConfig, value, role)
		}
	}
	ctx = oidc.ClientContext(ctx, client)
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
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
	ObjectID          string `json:"oid"`
	Email             string `json:"email"`
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	Name              string `json:"name"`
	Nonce             string `json:"nonce"`
}

// subject is the stable id of the person at the provider. Entra ID's "sub"
// is pairwise: it changes when the municipality registers Tilltal anew
// (another client id), which would lock everyone out of their linked
// account. Its "oid" is the same person in every app of the tenant, and
// Microsoft recommends it as the key; other providers have only "sub".
func (c claims) subject() string { return firstNonEmpty(c.ObjectID, c.Subject) }

// Errors of Finish that the person sees.
var (
	errOIDCNoRole  = apperr.Forbiddenf("Ditt konto har ingen roll i Tilltal. Be kommunikatören lägga till dig i rätt grupp.")
	errOIDCOverage = apperr.Forbiddenf("Identitetsleverantören skickade inte dina grupper, eftersom du är med i för många. Be IT-avdelningen ge Tilltal approller i stället för grupper.")
	errOIDCNoEmail = apperr.Forbiddenf("Identitetsleverantören uppgav ingen e-postadress")
)

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
	var all map[string]any
	if err := idt.Claims(&c); err != nil {
		return 0, "", fmt.Errorf("oidc: claims: %w", err)
	}
	if err := idt.Claims(&all); err != nil {
		return 0, "", fmt.Errorf("oidc: claims: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
		return 0, "", &apperr.Error{Kind: apperr.Unauthorized, Message: "ID-token hör inte till den här inloggningen"}
	}
	id, err := o.signIn(ctx, idt.Issuer, c, emailUnverified(all), o.rolesOf(all))
	return id, returnTo, err
}

// emailUnverified reports whether the provider says outright that the
// address is not verified. Entra ID does not send email_verified at all.
func emailUnverified(all map[string]any) bool {
	v, ok := all["email_verified"]
	return ok && (v == false || v == "false")
}

// rolesOf maps the claim, and tells a person with no role why, where it can.
func (o *OIDC) rolesOf(all map[string]any) rolesResult {
	roles := o.MapRoles(all)
	if len(roles) > 0 {
		return rolesResult{roles: roles}
	}
	// Entra ID leaves "groups" out when a person is in too many (over 200)
	// and names it in "_claim_names" instead, pointing to Microsoft Graph.
	if names, ok := all["_claim_names"].(map[string]any); ok && names[o.cfg.RoleClaim] != nil {
		return rolesResult{refusal: errOIDCOverage}
	}
	return rolesResult{refusal: errOIDCNoRole}
}

// rolesResult is the roles a sign-in maps to, or why there are none.
type rolesResult struct {
	roles   []org.Role
	refusal error
}

// MapRoles reads the configured claim (a list of strings, or one string)
// and maps each value through the role map.
func (o *OIDC) MapRoles(all map[string]any) []org.Role {
	var values []any
	switch v := all[o.cfg.RoleClaim].(type) {
	case []any:
		values = v
	case string:
		values = []any{v}
	}
	var out []org.Role
	for _, v := range values {
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

// signIn finds the person (by their link to the provider, else by e-mail
// address) or creates them, and gives them the roles the provider says.
// The provider decides the roles at every sign-in: a person it gives no
// role loses those they had and is refused.
func (o *OIDC) signIn(ctx context.Context, issuer string, c claims, emailUnverified bool, r rolesResult) (int64, error) {
	u, err := o.svc.Org.UserByOIDC(ctx, issuer, c.subject())
	if err == nil {
		return o.signInLinked(ctx, u, r)
	}
	if !errors.Is(err, apperr.ErrNotFound) {
		return 0, err
	}
	if r.refusal != nil {
		return 0, r.refusal
	}
	email := strings.ToLower(firstNonEmpty(c.Email, c.PreferredUsername, c.UPN))
	if email == "" {
		return 0, errOIDCNoEmail
	}
	u, err = o.svc.Org.UserByEmail(ctx, email)
	if errors.Is(err, apperr.ErrNotFound) {
		u, err = o.svc.Org.CreateUser(ctx, org.NewUser{Email: email, Name: firstNonEmpty(c.Name, email), Roles: nonDept(r.roles), OIDCIssuer: issuer, OIDCSubject: c.subject()})
		return u.ID, err
	}
	if err != nil {
		return 0, err
	}
	if emailUnverified {
		return 0, apperr.Forbiddenf("Identitetsleverantören har inte bekräftat din e-postadress, så den kan inte kopplas till ditt konto i Tilltal")
	}
	return o.link(ctx, u, issuer, c.subject(), r.roles)
}

// signInLinked signs in a person already linked to the provider.
func (o *OIDC) signInLinked(ctx context.Context, u org.User, r rolesResult) (int64, error) {
	if !u.Active {
		return 0, errOIDCInactive
	}
	if err := o.svc.Org.SetRolesFromProvider(ctx, u.ID, r.roles); err != nil {
		return 0, err
	}
	if r.refusal != nil {
		return 0, r.refusal
	}
	return u.ID, nil
}

var errOIDCInactive = apperr.Forbiddenf("Ditt konto i Tilltal är inaktiverat")

// link links a person added by e-mail address before their first sign-in.
// A person already linked to another account at the same provider is not
// taken over by whoever presents the same address: addresses at a provider
// can be set by others than their owner (the "nOAuth" attack on Entra ID).
func (o *OIDC) link(ctx context.Context, u org.User, issuer, subject string, roles []org.Role) (int64, error) {
	if !u.Active {
		return 0, errOIDCInactive
	}
	var linkedIssuer, linkedSubject sql.NullString
	err := o.svc.DB.QueryRow(ctx, "SELECT oidc_issuer, oidc_subject FROM users WHERE id = ?", u.ID).Scan(&linkedIssuer, &linkedSubject)
	if err != nil {
		return 0, fmt.Errorf("oidc: link: %w", err)
	}
	if linkedIssuer.String == issuer && linkedSubject.Valid && linkedSubject.String != subject {
		return 0, apperr.Conflictf("Användaren %s i Tilltal är redan kopplad till en annan inloggning hos identitetsleverantören. Be kommunikatören om hjälp.", u.Email)
	}
	if err := o.svc.Org.LinkOIDC(ctx, u.ID, issuer, subject); err != nil {
		return 0, err
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
