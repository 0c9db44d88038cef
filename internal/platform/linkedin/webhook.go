package linkedin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// ChallengeResponse answers LinkedIn's webhook validation: the hex-encoded
// HMAC-SHA256 of challengeCode keyed with the app's client secret.
func ChallengeResponse(clientSecret, challengeCode string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(challengeCode))
	return hex.EncodeToString(m.Sum(nil))
}

// ChallengeAnswer is the JSON body that answers GET ?challengeCode=…
// (served with 200 and Content-Type application/json within 3 seconds).
func ChallengeAnswer(clientSecret, challengeCode string) []byte {
	b, _ := json.Marshal(struct {
		ChallengeCode     string `json:"challengeCode"`
		ChallengeResponse string `json:"challengeResponse"`
	}{challengeCode, ChallengeResponse(clientSecret, challengeCode)})
	return b
}

// SignaturePrefix is what LinkedIn puts before the raw body when signing.
const SignaturePrefix = "hmacsha256="

// VerifySignature checks a notification's X-LI-Signature header: the hex
// HMAC-SHA256, keyed with the client secret, of "hmacsha256=" followed by
// the raw body. The header is accepted with or without that prefix in
// front of the hex, in constant time. Check it before parsing anything.
func VerifySignature(clientSecret string, body []byte, header string) bool {
	if clientSecret == "" || header == "" {
		return false
	}
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(header), SignaturePrefix))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(SignaturePrefix))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// Notification is the part of an organization social action notification
// Tilltal uses: it names the post to poll again. Tilltal does not trust a
// notification's content as the item itself; the poll reads the real one.
type Notification struct {
	// ID deduplicates LinkedIn's repeated deliveries.
	ID           string
	Type         string
	Action       string // COMMENT, COMMENT_EDIT, COMMENT_DELETE, SHARE_MENTION, ...
	Organization string
	SourcePost   string
	Activity     string
	LastModified int64
}

// ParseNotification reads one signed delivery, ignoring unknown fields.
func ParseNotification(body []byte) (Notification, error) {
	var w struct {
		NotificationID       json.RawMessage `json:"notificationId"`
		Type                 string          `json:"type"`
		Action               string          `json:"action"`
		OrganizationalEntity string          `json:"organizationalEntity"`
		SourcePost           string          `json:"sourcePost"`
		GeneratedActivity    string          `json:"generatedActivity"`
		LastModifiedAt       int64           `json:"lastModifiedAt"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Notification{}, fmt.Errorf("linkedin: notification: %w", err)
	}
	if w.OrganizationalEntity == "" {
		return Notification{}, fmt.Errorf("linkedin: notification: no organizationalEntity")
	}
	return Notification{ID: strings.Trim(string(w.NotificationID), `"`), Type: w.Type, Action: w.Action,
		Organization: w.OrganizationalEntity, SourcePost: w.SourcePost, Activity: w.GeneratedActivity,
		LastModified: w.LastModifiedAt}, nil
}
