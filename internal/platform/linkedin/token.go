package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// RefreshCredentials renews the access token with the refresh token
// (LinkedIn's programmatic refresh tokens, granted to Marketing partners).
func (c *Connector) RefreshCredentials(ctx context.Context, cred platform.Credentials) (platform.Credentials, error) {
	tok, err := c.refresh.Refresh(ctx, cred.RefreshToken)
	if err != nil {
		return cred, fmt.Errorf("linkedin: refresh token: %w", err)
	}
	return tok.Apply(cred), nil
}

// CheckToken asks LinkedIn whether the token is alive (token
// introspection, when Tilltal's client id is configured) and whether its
// member still holds a role on the page (organizationAcls), which is what
// breaks when someone leaves or loses the admin role.
func (c *Connector) CheckToken(ctx context.Context, cred platform.Credentials) (platform.TokenStatus, error) {
	st := platform.TokenStatus{Valid: true}
	if c.cfg.ClientID != "" {
		in, err := c.introspect(ctx, cred.AccessToken)
		if err != nil {
			return platform.TokenStatus{}, fmt.Errorf("linkedin: check token: %w", err)
		}
		if !in.Active {
			return platform.TokenStatus{Detail: "LinkedIn uppger att token inte längre är aktiv (" + in.Status + ")."}, nil
		}
		if in.ExpiresAt > 0 {
			st.ExpiresAt = time.Unix(in.ExpiresAt, 0).UTC()
		}
		st.Scopes = strings.FieldsFunc(in.Scope, func(r rune) bool { return r == ',' || r == ' ' })
	}
	org := orgURN(cred.AccountID)
	var acls liCollection[liACL]
	err := c.getJSON(ctx, cred, "/rest/organizationAcls", url.Values{"q": {"roleAssignee"}, "state": {"APPROVED"}}, &acls)
	var pe *platform.Error
	if errors.As(err, &pe) && pe.TokenInvalid {
		return platform.TokenStatus{Detail: pe.Message}, nil
	}
	if err != nil {
		return platform.TokenStatus{}, fmt.Errorf("linkedin: check token: %w", err)
	}
	for _, a := range acls.Elements {
		if a.Organization == org && (a.State == "" || a.State == "APPROVED") {
			st.Detail = "Token fungerar; kontot har rollen " + a.Role + " på sidan."
			return st, nil
		}
	}
	return platform.TokenStatus{ExpiresAt: st.ExpiresAt, Scopes: st.Scopes,
		Detail: "Token fungerar men kontot har inte längre någon roll på sidan " + org + "; anslut kanalen med ett konto som är administratör."}, nil
}

// introspect calls LinkedIn's token introspection endpoint.
func (c *Connector) introspect(ctx context.Context, token string) (liIntrospection, error) {
	form := url.Values{"client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret}, "token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.OAuthURL+"/introspectToken", strings.NewReader(form.Encode()))
	if err != nil {
		return liIntrospection{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return liIntrospection{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return liIntrospection{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return liIntrospection{}, c.classify(resp, raw)
	}
	var in liIntrospection
	if err := json.Unmarshal(raw, &in); err != nil {
		return liIntrospection{}, fmt.Errorf("introspection answer: %w", err)
	}
	return in, nil
}
