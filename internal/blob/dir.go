package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir stores blobs as files under Root/ab/cd/<hash>, where ab and cd are
// the hash's first two pairs of hex digits: two levels of 256 directories
// keep each directory small even with millions of files.
type Dir struct {
	// Root is the directory (TILLTAL_DATA_DIR/blobs).
	Root string
	// MaxSize bounds one blob in bytes; 0 means no limit.
	MaxSize int64
}

var _ Store = (*Dir)(nil)

// NewDir returns a store under root, creating it and its temporary
// directory.
func NewDir(root string, maxSize int64) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{Root: root, MaxSize: maxSize}, nil
}

// path is the file of a valid hash.
func (d *Dir) path(hash string) (string, error) {
	if !ValidHash(hash) {
		return "", ErrInvalidHash
	}
	return filepath.Join(d.Root, hash[0:2], hash[2:4], hash), nil
}

// Put writes r to a temporary file while hashing it, makes the file
// durable, and renames it into place: a reader never sees half a file, and
// a crash leaves at most a stray temporary file.
func (d *Dir) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.Root, "tmp"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if d.MaxSize > 0 {
		src = io.LimitReader(r, d.MaxSize+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err != nil {
		return "", 0, fmt.Errorf("blob: write: %w", err)
	}
	if d.MaxSize > 0 && n > d.MaxSize {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: close: %w", err)
	}
	hash := hex.EncodeToString(h.Sum(nil))
	final, _ := d.path(hash)
	if _, err := os.Stat(final); err == nil {
		os.Remove(tmp.Name())
		done = true
		return hash, n, nil
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("blob: rename: %w", err)
	}
	done = true
	if err := syncDir(dir); err != nil {
		return "", 0, err
	}
	return hash, n, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}

// Open opens a stored blob.
func (d *Dir) Open(_ context.Context, hash string) (io.ReadCloser, error) {
	p, err := d.path(hash)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return verified(f, hash), nil
}

// Has reports whether a blob is stored.
func (d *Dir) Has(_ context.Context, hash string) (bool, error) {
	p, err := d.path(hash)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes a blob.
func (d *Dir) Delete(_ context.Context, hash string) error {
	p, err := d.path(hash)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// List walks the two levels of directories; the temporary directory and
// anything not named like a blob in its right place are passed over.
func (d *Dir) List(ctx context.Context, fn func(hash string) error) error {
	err := filepath.WalkDir(d.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			if p == filepath.Join(d.Root, "tmp") {
				return filepath.SkipDir
			}
			return nil
		}
		h := e.Name()
		if want, err := d.path(h); err != nil || want != p || !e.Type().IsRegular() {
			return nil
		}
		return fn(h)
	})
	if err != nil {
		return fmt.Errorf("blob: list: %w", err)
	}
	return nil
}

// ctxReader stops a long copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
