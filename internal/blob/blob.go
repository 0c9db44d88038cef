// Package blob keeps files by the SHA-256 of their content: attachments the
// archive fetched from the platforms, before their links expire. A file is
// named by its hash, so the same picture posted twice is stored once and a
// stored file can be checked against its name at any time.
//
// Store is an interface so that an object store (S3) can take the place of
// the directory on disk; Dir is the default.
package blob

import (
	"context"
	"errors"
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
	// Open returns the content stored under hash, or ErrNotFound.
	Open(ctx context.Context, hash string) (io.ReadCloser, error)
	// Has reports whether content is stored under hash.
	Has(ctx context.Context, hash string) (bool, error)
	// Delete removes the content under hash; removing what is not there is
	// not an error (culling may run twice).
	Delete(ctx context.Context, hash string) error
}

// Errors of a Store.
var (
	ErrInvalidHash = errors.New("blob: not a SHA-256 hex digest")
	ErrNotFound    = errors.New("blob: not found")
	ErrTooLarge    = errors.New("blob: content larger than the limit")
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
