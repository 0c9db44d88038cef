package youtube_test

import (
	"testing"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/platformtest"
	"tilltal/internal/platform/youtube"
)

// FuzzAPIAnswers: whatever the YouTube Data API and Google's token
// endpoints answer, the connector neither panics nor loops, classifies its
// errors and keeps the tokens and the client secret out of them; polled
// events and fetched objects have their identity. The cursor, stored
// between polls, is fuzzed too.
func FuzzAPIAnswers(f *testing.F) {
	threads := `{"items":[{"id":"Ugx1","snippet":{"videoId":"dQw4w9WgXcQ","channelId":"` + channel + `","totalReplyCount":1,"topLevelComment":{"id":"Ugx1","snippet":{"textOriginal":"Fråga?","authorDisplayName":"Åsa","authorChannelId":{"value":"` + citizen + `"},"publishedAt":"2026-11-20T17:00:00Z","updatedAt":"2026-11-20T17:00:00Z"}}}}],"nextPageToken":"p2"}`
	f.Add([]byte(threads), "")
	f.Add([]byte("\x07Retry-After: 120\n\n"+`{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}`), `{"v":1,"since":{"published":"2026-11-19T00:00:00Z"}}`)
	f.Add([]byte("\x04\n\n"+`{"error":{"code":401,"message":"Invalid Credentials","errors":[{"reason":"authError"}]}}`), `{"v":3}`)
	f.Add([]byte(`{"items":[{"id":"Ugx1.r1","snippet":{"textOriginal":"Svar","parentId":"Ugx1","videoId":"dQw4w9WgXcQ"}}]}`+"\x00"+`{"access_token":"n","expires_in":3599,"scope":"https://www.googleapis.com/auth/youtube.force-ssl"}`), "")
	f.Add([]byte(`{"items":[{"id":"dQw4w9WgXcQ","snippet":{"title":"Film","channelId":"`+channel+`","publishedAt":"2026-11-01T10:00:00Z"}}]}`), "")
	f.Fuzz(func(t *testing.T, script []byte, cursor string) {
		s := platformtest.NewScript(t, script)
		clk := &clock.Fixed{T: base}
		c := youtube.New(youtube.Config{APIURL: "https://yt.example", TokenURL: "https://token.example", TokenInfoURL: "https://info.example",
			ClientID: "cid", ClientSecret: platformtest.ClientSecret, HTTP: s.Client(), Clock: clk, MaxPages: 3})
		platformtest.Exercise(t, c, s, script, platform.Cursor(cursor), "Ugx1", "Ugx1.r1", "dQw4w9WgXcQ")
	})
}
