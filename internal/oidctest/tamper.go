package oidctest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"

	jose "github.com/go-jose/go-jose/v4"
)

// Tampering describes how the provider corrupts a person's ID tokens after
// issuing them, to play a provider (or someone in between) that a client
// must not trust.
type Tampering struct {
	// Claims changes the token's claims before it is signed again, e.g. to
	// give it another audience, issuer, nonce or expiry.
	Claims func(claims map[string]any)
	// ForeignKey signs the token with a key the provider does not publish
	// (under the published key id).
	ForeignKey bool
}

// tamperTokens rewrites the ID token in the token endpoint's answer for
// people who have a Tampering.
func (p *Provider) tamperTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			if b, err := p.tamperResponse(body); err == nil {
				body = b
			}
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func (p *Provider) tamperResponse(body []byte) ([]byte, error) {
	var resp map[string]any
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	raw, _ := resp["id_token"].(string)
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(&p.st.key.PublicKey)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	sub, _ := claims["sub"].(string)
	u, ok := p.st.userBySubject(sub)
	if !ok || u.Tamper == nil {
		return body, nil
	}
	if u.Tamper.Claims != nil {
		u.Tamper.Claims(claims)
	}
	key := p.st.key
	if u.Tamper.ForeignKey {
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	signed, err := sign(claims, key, p.st.keyID)
	if err != nil {
		return nil, err
	}
	resp["id_token"] = signed
	var out bytes.Buffer
	err = json.NewEncoder(&out).Encode(resp)
	return out.Bytes(), err
}

func sign(claims map[string]any, key *rsa.PrivateKey, keyID string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
