package oauth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
	"tilltal/internal/platform/platformtest"
)

// FuzzRefresh: whatever a token endpoint answers, Refresh never panics;
// it fails with a *platform.Error that waits no negative time and shows no
// secret, or returns a token that is not empty and does not expire before
// it was issued.
func FuzzRefresh(f *testing.F) {
	f.Add([]byte(`{"access_token":"ny","expires_in":5184000,"refresh_token":"r2","refresh_token_expires_in":31536000,"scope":"a b,c"}`))
	f.Add([]byte("\x07Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\n\n" + `{"error":"slow_down"}`))
	f.Add([]byte("\x03\n\n" + `{"error":"invalid_grant","error_description":"revoked"}`))
	f.Add([]byte("\x08\n\n<html>"))
	f.Add([]byte(`{"access_token":"x","expires_in":99999999999999}`))
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, script []byte) {
		s := platformtest.NewScript(t, script)
		r := &oauth.Refresher{Platform: platform.LinkedIn, TokenURL: "https://token.example", ClientID: "cid",
			ClientSecret: platformtest.ClientSecret, HTTP: s.Client(), Clock: &clock.Fixed{T: now}}
		tok, err := r.Refresh(t.Context(), platformtest.Credentials.RefreshToken)
		if err != nil {
			pe, ok := err.(*platform.Error)
			if !ok {
				t.Fatalf("unclassified error %T: %v", err, err)
			}
			if pe.RetryAfter < 0 {
				t.Fatalf("RetryAfter %v", pe.RetryAfter)
			}
			for _, secret := range []string{platformtest.ClientSecret, platformtest.Credentials.RefreshToken} {
				if strings.Contains(err.Error(), secret) && !strings.Contains(string(script), secret) {
					t.Fatalf("the error shows a secret: %v", err)
				}
			}
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("a token without an access token")
		}
		if !tok.ExpiresAt.IsZero() && !tok.ExpiresAt.After(now) {
			t.Fatalf("expires at %v, before it was issued (%v)", tok.ExpiresAt, now)
		}
		if !tok.RefreshExpiresAt.IsZero() && !tok.RefreshExpiresAt.After(now) {
			t.Fatalf("refresh token expires at %v, before it was issued", tok.RefreshExpiresAt)
		}
	})
}

// FuzzRetryAfter: a Retry-After header in any form gives a wait that is
// never negative.
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"120", "0", "-5", "Wed, 21 Oct 2026 07:28:00 GMT", "99999999999999", "soon"} {
		f.Add(v)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		if d := oauth.RetryAfter(h, now); d < 0 {
			t.Fatalf("Retry-After %q: %v", v, d)
		}
	})
}
