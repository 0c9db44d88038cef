// Package oauth exchanges an OAuth2 refresh token for a new access token at
// a platform's token endpoint (LinkedIn, Google). It is deliberately small:
// Tilltal keeps tokens in its own encrypted store and decides when to
// refresh, so it needs one honest HTTP exchange with classified errors, not
// a token source that refreshes behind the caller's back.
package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
)

// maxBody bounds what a token endpoint may send back.
const maxBody = 1 << 20

// Refresher talks to one token endpoint for one OAuth client.
type Refresher struct {
	Platform     platform.Name
	TokenURL     string
	ClientID     string
	ClientSecret string
	HTTP         *http.Client
	Clock        clock.Clock
}

// LogValue keeps the client secret out of logs.
func (r *Refresher) LogValue() slog.Value {
	return slog.GroupValue(slog.String("platform", string(r.Platform)),
		slog.String("token_url", r.TokenURL), slog.String("client_id", r.ClientID),
		slog.String("client_secret", "[redacted]"))
}

// Token is the endpoint's answer. RefreshToken is empty when the endpoint
// kept the old one (Google does not rotate refresh tokens).
type Token struct {
	AccessToken      string
	RefreshToken     string
	ExpiresAt        time.Time
	RefreshExpiresAt time.Time
	Scopes           []string
}

// String keeps tokens out of fmt output.
func (Token) String() string { return "oauth.Token[redacted]" }

// LogValue keeps tokens out of logs.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.Time("expires_at", t.ExpiresAt))
}

// Refreshable is implemented by connectors whose access tokens expire and
// can be renewed. The caller stores the returned credentials (encrypted)
// before using them: a rotated refresh token is lost otherwise.
type Refreshable interface {
	RefreshCredentials(ctx context.Context, cred platform.Credentials) (platform.Credentials, error)
}

type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
	Error                 string `json:"error"`
	ErrorDescription      string `json:"error_description"`
}

// Refresh exchanges refreshToken (grant_type=refresh_token, client
// credentials in the form body as both LinkedIn and Google accept).
func (r *Refresher) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	if refreshToken == "" {
		return Token{}, &platform.Error{Platform: r.Platform, Code: "no_refresh_token", Permanent: true,
			TokenInvalid: true, Message: "Kanalen saknar förnyelsetoken och behöver anslutas på nytt."}
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {r.ClientID},
		"client_secret": {r.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("oauth: refresh: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := r.client().Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("oauth: refresh: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Token{}, fmt.Errorf("oauth: refresh: read answer: %w", err)
	}
	var a tokenAnswer
	_ = json.Unmarshal(raw, &a) // an unparsable body is classified by status below
	if resp.StatusCode != http.StatusOK || a.AccessToken == "" {
		return Token{}, r.classify(resp, a, raw)
	}
	now := r.now()
	t := Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, Scopes: splitScopes(a.Scope)}
	if a.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(platform.Seconds(a.ExpiresIn, maxLifetime))
	}
	if a.RefreshTokenExpiresIn > 0 {
		t.RefreshExpiresAt = now.Add(platform.Seconds(a.RefreshTokenExpiresIn, maxLifetime))
	}
	return t, nil
}

// Apply returns cred updated with t, keeping the old refresh token when the
// endpoint did not rotate it.
func (t Token) Apply(cred platform.Credentials) platform.Credentials {
	cred.AccessToken = t.AccessToken
	if t.RefreshToken != "" {
		cred.RefreshToken = t.RefreshToken
	}
	cred.ExpiresAt = t.ExpiresAt
	return cred
}

// classify turns a failed exchange into a platform.Error. RFC 6749 §5.2:
// invalid_grant means the refresh token is dead (revoked, expired, password
// changed); invalid_client means our own client credentials are wrong.
// Either way no retry can help and a person must act.
func (r *Refresher) classify(resp *http.Response, a tokenAnswer, raw []byte) error {
	e := &platform.Error{Platform: r.Platform, Status: resp.StatusCode, Code: a.Error, Raw: raw}
	detail := a.ErrorDescription
	if detail == "" {
		detail = a.Error
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.RetryAfter = RetryAfter(resp.Header, r.now())
		e.Message = "Plattformen begränsar förnyelse av token just nu; försöker igen senare."
	case resp.StatusCode >= 500:
		e.Message = "Plattformens tokentjänst svarar inte just nu; försöker igen senare."
	case a.Error == "invalid_client" || a.Error == "unauthorized_client":
		e.Permanent = true
		e.Message = "Tilltals klient-id eller klienthemlighet för plattformen godtas inte; kontrollera inställningarna."
	default:
		// invalid_grant, invalid_request about the token, 400 and 401: the
		// refresh token no longer works.
		e.Permanent = true
		e.TokenInvalid = true
		e.Message = "Förnyelsetoken godtas inte längre; kanalen behöver anslutas på nytt."
	}
	if detail != "" {
		e.Message += " (" + detail + ")"
	}
	return e
}

func (r *Refresher) client() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return http.DefaultClient
}

func (r *Refresher) now() time.Time {
	if r.Clock != nil {
		return r.Clock.Now()
	}
	return time.Now().UTC()
}

func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// RetryAfter reads a Retry-After header in either of its forms (seconds or
// an HTTP date), at most platform.MaxRetryAfter; 0 when absent or
// unparsable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return platform.Seconds(s, platform.MaxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), platform.MaxRetryAfter)
	}
	return 0
}

// maxLifetime bounds a token's lifetime as an answer states it (Google's
// are an hour, LinkedIn's refresh tokens a year): more is a broken answer,
// and its seconds would overflow.
const maxLifetime = 10 * 365 * 24 * time.Hour
