package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/demo"
	"tilltal/internal/loadtest"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
)

// lockedBuffer collects the log from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsNeverInLogs signs in, fails to sign in, makes and uses an API
// token, stores a platform token, delivers a signed webhook and forges one,
// fails to store an attachment in an S3 bucket that cannot be reached, all
// with the log at debug level — and then greps the log for every secret.
func TestSecretsNeverInLogs(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	env := map[string]string{"TILLTAL_META_APP_SECRET": appSecret, "TILLTAL_META_VERIFY_TOKEN": "verify-token-xyz",
		"TILLTAL_BLOB_STORE": "s3://arkiv/exempelby", "TILLTAL_S3_ENDPOINT": "http://127.0.0.1:1", "TILLTAL_S3_PATH_STYLE": "true",
		"TILLTAL_S3_ACCESS_KEY": "s3-access-key-id", "TILLTAL_S3_SECRET_KEY": "s3-secret-key-hemligt"}
	e := startE2EWith(t, "sqlite", env, e2eOptions{LogTo: &logs})
	ctx := context.Background()
	c := e.login("kommunikator@exempelby.se")
	bad := e.client()
	e.post(bad, "/login", url.Values{"email": {"kommunikator@exempelby.se"}, "password": {"fel-lösenord-hemligt-1"}, "csrf": {e.csrf(bad, "/login")}})
	tok := e.token("kommunikator@exempelby.se")
	e.api("GET", "/api/v1/me", tok, "")
	e.api("GET", "/api/v1/me", "tilltal_forged-token-value", "")
	var ch int64
	if err := e.app.DB.QueryRow(ctx, "SELECT id FROM channels ORDER BY id LIMIT 1").Scan(&ch); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Credentials.Connect(ctx, ch, platform.Credentials{AccessToken: "EAAG-page-token-secret", RefreshToken: "refresh-secret-1"}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"object":"page","entry":[]}`)
	e.deliver(body, meta.Sign(appSecret, body))
	e.deliver(body, "sha256=deadbeef")
	resp, _ := http.Get(e.srv.URL + "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-token-xyz&hub.challenge=1")
	resp.Body.Close()
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("bild")) }))
	defer pics.Close()
	var page string
	if err := e.app.DB.QueryRow(ctx, "SELECT external_id FROM channels WHERE platform = 'facebook' ORDER BY id LIMIT 1").Scan(&page); err != nil {
		t.Fatal(err)
	}
	photo := loadtest.PhotoDelivery(page, 1, pics.URL+"/bild.jpg", time.Now())
	if st := e.deliver(photo, meta.Sign(appSecret, photo)); st != http.StatusOK {
		t.Fatalf("photo delivery: %d", st)
	}
	if err := e.app.Intake.WaitProcessed(ctx); err != nil {
		t.Fatal(err)
	}
	if n, failed, err := e.app.Archive.FetchDue(ctx, 10); err != nil || n != 0 || failed != 1 {
		t.Fatalf("fetch into an unreachable bucket: %d fetched, %d failed, %v", n, failed, err)
	}
	_ = c
	var session string
	for _, ck := range c.Jar.Cookies(mustURL(t, e.srv.URL)) {
		if ck.Name == "tilltal_session" {
			session = ck.Value
		}
	}
	log := logs.String()
	if log == "" || !strings.Contains(log, "attachment not fetched") {
		t.Fatal("nothing (or no failed upload) was logged; the test would prove nothing")
	}
	for name, secret := range map[string]string{"password": demo.Password, "failed password": "fel-lösenord-hemligt-1", "API token": tok,
		"forged token": "forged-token-value", "page token": "EAAG-page-token-secret", "refresh token": "refresh-secret-1",
		"app secret": appSecret, "verify token": "verify-token-xyz", "session": session, "S3 secret key": "s3-secret-key-hemligt"} {
		if secret != "" && strings.Contains(log, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
