package linkedin_test

import (
	"encoding/json"
	"os"
	"testing"

	"tilltal/internal/platform/linkedin"
)

func TestChallengeResponse(t *testing.T) {
	t.Parallel()
	// Vector computed independently: hex(HMAC-SHA256(key="app-secret", msg=code)).
	const code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
	const want = "c19cc7ab3a01fde79436b5d67548bd7e6320bd365cfb63a8ffa40f6d587cac33"
	if got := linkedin.ChallengeResponse("app-secret", code); got != want {
		t.Fatalf("ChallengeResponse = %s", got)
	}
	var ans map[string]string
	if err := json.Unmarshal(linkedin.ChallengeAnswer("app-secret", code), &ans); err != nil ||
		ans["challengeCode"] != code || ans["challengeResponse"] != want {
		t.Fatalf("ChallengeAnswer = %v, %v", ans, err)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/notification.json")
	if err != nil {
		t.Fatal(err)
	}
	// Computed independently: hex(HMAC-SHA256("app-secret", "hmacsha256=" + body)).
	const sig = "b5a16733073c06ae8aedfd5416ed7db4d340a6fcf3a5f65bebf3c49e6d0591a1"
	tests := []struct {
		name   string
		secret string
		body   []byte
		header string
		want   bool
	}{
		{"bare hex", "app-secret", body, sig, true},
		{"prefixed", "app-secret", body, "hmacsha256=" + sig, true},
		{"wrong secret", "other", body, sig, false},
		{"tampered body", "app-secret", append([]byte(" "), body...), sig, false},
		{"missing header", "app-secret", body, "", false},
		{"not hex", "app-secret", body, "zz" + sig[2:], false},
		{"truncated", "app-secret", body, sig[:32], false},
		{"no secret configured", "", body, sig, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := linkedin.VerifySignature(tc.secret, tc.body, tc.header); got != tc.want {
				t.Fatalf("VerifySignature = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseNotification(t *testing.T) {
	t.Parallel()
	body, _ := os.ReadFile("testdata/notification.json")
	tests := []struct {
		name    string
		body    []byte
		wantErr bool
	}{
		{"documented shape", body, false},
		{"truncated", body[:40], true},
		{"no organization", []byte(`{"notificationId":"1","action":"COMMENT"}`), true},
		{"not json", []byte("hej"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := linkedin.ParseNotification(tc.body)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want error", n)
				}
				return
			}
			if err != nil || n.ID != "7123456789" || n.Action != "COMMENT" || n.SourcePost != "urn:li:share:7000001" ||
				n.Organization != "urn:li:organization:2414183" {
				t.Fatalf("n = %+v, %v", n, err)
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "hmacsha256=00")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		_ = linkedin.VerifySignature("s", body, header)
		_, _ = linkedin.ParseNotification(body)
	})
}
