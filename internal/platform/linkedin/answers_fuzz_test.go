package linkedin_test

import (
	"time"

	"testing"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/linkedin"
	"tilltal/internal/platform/platformtest"
)

// FuzzAPIAnswers: whatever LinkedIn's REST and OAuth endpoints answer,
// the connector neither panics nor loops, classifies its errors and keeps
// the tokens and the client secret out of them; polled events and fetched
// objects have their identity. The cursor, stored between polls, is
// fuzzed too.
func FuzzAPIAnswers(f *testing.F) {
	post := `{"elements":[{"id":"urn:li:share:1","author":"urn:li:organization:1789","commentary":"Hej","createdAt":1700000000000,"lastModifiedAt":1700000000000}],"paging":{"start":0,"count":50,"total":1}}`
	comments := `{"elements":[{"id":"2","$URN":"urn:li:comment:(urn:li:activity:1,2)","actor":"urn:li:person:a","message":{"text":"Fråga?"},"created":{"time":1700000001000},"lastModified":{"time":1700000001000}}],"paging":{"start":0,"count":50,"total":1}}`
	f.Add([]byte(post+"\x00"+comments), "")
	f.Add([]byte("\x07Retry-After: 60\n\n"+`{"status":429,"serviceErrorCode":101,"message":"throttled"}`), `{"v":1,"posts":{"urn:li:share:1":{"m":1,"s":1,"ids":["x"]}}}`)
	f.Add([]byte("\x04\n\n"+`{"status":401,"serviceErrorCode":65600,"message":"Invalid access token"}`), `{"v":2}`)
	f.Add([]byte(`{"active":true,"status":"active","expires_at":1900000000,"scope":"r_organization_social,w_organization_social"}`+"\x00"+`{"access_token":"new","expires_in":5184000,"refresh_token":"r2","refresh_token_expires_in":31536000}`), "")
	f.Add([]byte(`{"value":{"uploadUrl":"https://upload.example/1","image":"urn:li:image:1"}}`+"\x00"+"Content-Type: image/png\n\n\x89PNG"), "")
	f.Fuzz(func(t *testing.T, script []byte, cursor string) {
		s := platformtest.NewScript(t, script)
		c := linkedin.New(linkedin.Config{APIURL: "https://api.example", OAuthURL: "https://oauth.example", ClientID: "cid",
			ClientSecret: platformtest.ClientSecret, HTTP: s.Client(), Clock: &clock.Fixed{T: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}, MaxPosts: 3, PageSize: 10})
		platformtest.Exercise(t, c, s, script, platform.Cursor(cursor), "urn:li:comment:(urn:li:activity:1,2)", "urn:li:share:1", "urn:li:ugcPost:7")
	})
}
