package linkedin

import "testing"

// FuzzParseNotification: LinkedIn's signed notifications never panic the
// parser, whatever arrives.
func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(`{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","organizationalEntity":"urn:li:organization:1"}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseNotification(b)
	})
}
