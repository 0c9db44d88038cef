package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
)

func TestRefresh(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		file       string
		retryAfter string
		refresh    string
		wantAccess string
		wantRotate string
		wantExpiry time.Duration
		wantErr    func(*platform.Error) bool
	}{
		{name: "rotated", status: 200, file: "ok_rotated.json", refresh: "AQX-old",
			wantAccess: "AQV-new", wantRotate: "AQX-new", wantExpiry: 5184000 * time.Second},
		{name: "google keeps refresh token", status: 200, file: "ok_google.json", refresh: "1//old",
			wantAccess: "ya29.new", wantRotate: "1//old", wantExpiry: 3599 * time.Second},
		{name: "revoked", status: 400, file: "invalid_grant.json", refresh: "1//old",
			wantErr: func(e *platform.Error) bool { return e.TokenInvalid && e.Permanent }},
		{name: "linkedin expired refresh token", status: 400, file: "linkedin_invalid_request.json", refresh: "x",
			wantErr: func(e *platform.Error) bool { return e.TokenInvalid && e.Permanent }},
		{name: "bad client", status: 401, file: "invalid_client.json", refresh: "x",
			wantErr: func(e *platform.Error) bool { return !e.TokenInvalid && e.Permanent }},
		{name: "throttled", status: 429, file: "invalid_grant.json", retryAfter: "30", refresh: "x",
			wantErr: func(e *platform.Error) bool { return !e.Permanent && e.RetryAfter == 30*time.Second }},
		{name: "outage", status: 503, file: "invalid_grant.json", refresh: "x",
			wantErr: func(e *platform.Error) bool { return !e.Permanent && !e.TokenInvalid }},
		{name: "no refresh token", refresh: "",
			wantErr: func(e *platform.Error) bool { return e.TokenInvalid && e.Permanent }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, _ := os.ReadFile(filepath.Join("testdata", tc.file))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" ||
					r.PostForm.Get("refresh_token") != tc.refresh || r.PostForm.Get("client_secret") != "s3cret" {
					http.Error(w, `{"error":"invalid_request"}`, 400)
					return
				}
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			r := &oauth.Refresher{Platform: platform.YouTube, TokenURL: srv.URL, ClientID: "cid",
				ClientSecret: "s3cret", Clock: &clock.Fixed{T: now}}
			tok, err := r.Refresh(context.Background(), tc.refresh)
			if tc.wantErr != nil {
				var pe *platform.Error
				if !errors.As(err, &pe) || !tc.wantErr(pe) {
					t.Fatalf("err = %#v, want a matching platform error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cred := tok.Apply(platform.Credentials{AccountID: "a", RefreshToken: tc.refresh})
			if cred.AccessToken != tc.wantAccess || cred.RefreshToken != tc.wantRotate ||
				!cred.ExpiresAt.Equal(now.Add(tc.wantExpiry)) || cred.AccountID != "a" {
				t.Fatalf("cred = %+v", cred)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {"junk", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.value != "" {
				h.Set("Retry-After", tc.value)
			}
			if got := oauth.RetryAfter(h, now); got != tc.want {
				t.Fatalf("RetryAfter(%q) = %v, want %v", tc.value, got, tc.want)
			}
		})
	}
}

func TestTokenNeverPrints(t *testing.T) {
	t.Parallel()
	tok := oauth.Token{AccessToken: "secret-access"}
	if s := tok.String(); s != "oauth.Token[redacted]" {
		t.Fatalf("String() = %q", s)
	}
}
