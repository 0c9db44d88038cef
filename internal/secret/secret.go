// Package secret encrypts secrets at rest — platform tokens, webhook URLs —
// with AES-256-GCM under one key kept outside the database (a file in the
// data directory by default), so that a copy of the database alone reveals
// nothing.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Box encrypts and decrypts with one key.
type Box struct{ aead cipher.AEAD }

// version prefixes every ciphertext so that the scheme can change later.
const version byte = 1

// New makes a box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, errors.New("secret: key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// LoadOrCreate reads the hex key in path, creating it (mode 0600) when it does
// not exist yet.
func LoadOrCreate(path string) (*Box, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			// Another instance created it first; use theirs.
			return LoadOrCreate(path)
		}
		if err != nil {
			return nil, fmt.Errorf("secret: create key file: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s is not hex", path)
	}
	return New(key)
}

// Seal encrypts plaintext; additional binds the ciphertext to its place (for
// example "channel:12:token") so that it cannot be moved to another row.
func (b *Box) Seal(plaintext, additional string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, []byte(plaintext), []byte(additional))
}

// Open decrypts what Seal produced with the same additional data.
func (b *Box) Open(ciphertext []byte, additional string) (string, error) {
	n := b.aead.NonceSize()
	if len(ciphertext) < 1+n || ciphertext[0] != version {
		return "", errors.New("secret: not a sealed value")
	}
	pt, err := b.aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], []byte(additional))
	if err != nil {
		return "", errors.New("secret: cannot decrypt (wrong key or tampered value)")
	}
	return string(pt), nil
}
