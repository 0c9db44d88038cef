// Package blob keeps files by the SHA-256 of their content: attachments the
// archive fetched from the platforms, before their links expire. A file is
// named by its hash, so the same picture posted twice is stored once and a
// stored file can be checked against its name at any time.
//
// Store is an interface so that an object store (S3, for several instances
// behind a load balancer) can take the place of the directory on disk; Dir
// is the default.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
)

// Store is a content-addressed file store. Hashes are lower-case hex
// SHA-256 digests; anything else is refused with ErrInvalidHash before it
// comes near a file name.
type Store interface {
	// Put stores everything r yields and returns its hash and size. The
	// file is complete and durable when Put returns; storing content that
	// is already there changes nothing.
	Put(ctx context.Context, r io.Reader) (hash string, size int64, err error)
	// Open returns the content stored under hash, or ErrNotFound. The
	// reader checks the content against its hash as it goes: a read that
	// reaches the end of changed content fails with ErrCorrupt.
	Open(ctx context.Context, hash string) (io.ReadCloser, error)
	// Has reports whether content is stored under hash.
	Has(ctx context.Context, hash string) (bool, error)
	// Delete removes the content under hash; removing what is not there is
	// not an error (culling may run twice).
	Delete(ctx context.Context, hash string) error
	// List calls fn with the hash of every stored blob, in no promised
	// order, and stops at fn's first error (backups copy every blob).
	List(ctx context.Context, fn func(hash string) error) error
}

// Errors of a Store.
var (
	ErrInvalidHash = errors.New("blob: not a SHA-256 hex digest")
	ErrNotFound    = errors.New("blob: not found")
	ErrTooLarge    = errors.New("blob: content larger than the limit")
	ErrCorrupt     = errors.New("blob: content does not match its hash")
)

// ValidHash reports whether s is a lower-case hex SHA-256 digest: exactly
// 64 characters of 0-9 and a-f. Only such strings become file names, which
// makes path traversal impossible by construction.
func ValidHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// verified wraps a stored blob's reader so that reaching its end checks the
// content against the hash it is stored under: a blob changed on disk or in
// the bucket is an error, never a silently different attachment.
func verified(rc io.ReadCloser, want string) io.ReadCloser {
	return &verifier{rc: rc, h: sha256.New(), want: want}
}

type verifier struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		return n, ErrCorrupt
	}
	return n, err
}

func (v *verifier) Close() error { return v.rc.Close() }
