package meta_test

import (
	"testing"
	"time"

	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/platformtest"
)

// FuzzGraphAnswers: whatever the Graph API answers (any status, throttling
// headers, bodies), both connectors neither panic nor loop, classify their
// errors and keep the tokens and the app secret out of them; polled events
// and fetched objects have their identity.
func FuzzGraphAnswers(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"1789_1","message":"Hej","created_time":"2026-03-02T09:00:00+0000","comments":{"data":[{"id":"1789_1_2","message":"Fråga?","from":{"id":"5","name":"Åsa"}}]}}],"paging":{"next":"https://graph.facebook.com/v23.0/next"}}`), "")
	f.Add([]byte("\x07Retry-After: 30\nX-Business-Use-Case-Usage: {\"1789\":[{\"estimated_time_to_regain_access\":5}]}\n\n"+`{"error":{"message":"too many","code":80001}}`), "2026-03-01T00:00:00Z")
	f.Add([]byte("\x04X-App-Usage: {\"call_count\":100}\n\n"+`{"error":{"message":"Session has expired","code":190,"error_subcode":463}}`), "")
	f.Add([]byte(`{"id":"1789_3","message":"m","from":{"id":"9"},"created_time":1700000000}`+"\x00"+`{"success":true}`+"\x00"+`{"data":{"is_valid":true,"expires_at":0,"scopes":["pages_manage_engagement"]}}`), "x")
	f.Add([]byte(`{"id":"c1","status_code":"FINISHED"}`+"\x00"+`{"config":{"quota_total":50},"quota_usage":3}`), "")
	f.Fuzz(func(t *testing.T, script []byte, cursor string) {
		s := platformtest.NewScript(t, script)
		cfg := meta.Config{GraphURL: "https://graph.example", AppID: "42", AppSecret: platformtest.ClientSecret, HTTP: s.Client(),
			Now: func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }, ContainerPollInterval: time.Nanosecond, ContainerMaxPolls: 3, MaxPages: 3}
		platformtest.Exercise(t, meta.NewFacebook(cfg), s, script, platform.Cursor(cursor), "1789_1", "1789_1_2", "m:5:mid.1")
		ig := meta.NewInstagram(cfg)
		platformtest.Exercise(t, ig, s, script, platform.Cursor(cursor), "17900000000000001", "mention:1790:1791", "m:5:mid.2")
		_, _ = ig.PublishingQuota(t.Context(), platformtest.Credentials)
	})
}
