package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader is the header in which Meta signs a webhook delivery.
const SignatureHeader = "X-Hub-Signature-256"

// Signature errors: the webhook handler answers 401 to a missing signature
// and 403 to a wrong one.
var (
	ErrNoSignature  = errors.New("meta: delivery is not signed")
	ErrBadSignature = errors.New("meta: delivery signature does not match")
)

// VerifySignature checks header (the X-Hub-Signature-256 value,
// "sha256=" + hex HMAC-SHA256 of the raw body under the app secret) against
// body, in constant time. It must run on the raw bytes, before any parsing.
func VerifySignature(appSecret string, body []byte, header string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrNoSignature
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || appSecret == "" {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value for body, as Meta computes it.
// Tilltal uses it in tests and in the simulated platform.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
