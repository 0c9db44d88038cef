package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newDir(t *testing.T, max int64) *Dir {
	t.Helper()
	d, err := NewDir(filepath.Join(t.TempDir(), "blobs"), max)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPutOpenHasDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDir(t, 0)
	content, err := os.ReadFile("testdata/picture.txt")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	hash, size, err := d.Put(ctx, bytes.NewReader(content))
	if err != nil || hash != want || size != int64(len(content)) {
		t.Fatalf("Put = %s %d %v, want %s %d", hash, size, err, want, len(content))
	}
	if _, err := os.Stat(filepath.Join(d.Root, want[:2], want[2:4], want)); err != nil {
		t.Fatalf("not stored under ab/cd/hash: %v", err)
	}
	// The same content again is stored once.
	if h2, _, err := d.Put(ctx, bytes.NewReader(content)); err != nil || h2 != want {
		t.Fatalf("second Put = %s %v", h2, err)
	}
	if left, _ := os.ReadDir(filepath.Join(d.Root, "tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
	if ok, err := d.Has(ctx, want); !ok || err != nil {
		t.Fatalf("Has = %v %v", ok, err)
	}
	r, err := d.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("Open returned other bytes")
	}
	if err := d.Delete(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, want); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if ok, _ := d.Has(ctx, want); ok {
		t.Fatal("still there after Delete")
	}
	if _, err := d.Open(ctx, want); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
}

func TestOnlyHexHashesReachTheDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDir(t, 0)
	// A file outside the store that a traversal would reach.
	secret := filepath.Join(filepath.Dir(d.Root), "secret.key")
	if err := os.WriteFile(secret, []byte("nyckel"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []string{
		"",
		"../secret.key",
		"../../secret.key",
		"/etc/passwd",
		strings.Repeat("a", 63),
		strings.Repeat("a", 65),
		strings.Repeat("A", 64),
		strings.Repeat("g", 64),
		"../" + strings.Repeat("a", 61),
		strings.Repeat("a", 62) + "/.",
		strings.Repeat("a", 60) + "%2e%2e",
		strings.Repeat("a", 63) + "\x00",
	}
	for _, h := range tests {
		t.Run(h, func(t *testing.T) {
			if _, err := d.Open(ctx, h); !errors.Is(err, ErrInvalidHash) {
				t.Errorf("Open(%q) = %v, want ErrInvalidHash", h, err)
			}
			if _, err := d.Has(ctx, h); !errors.Is(err, ErrInvalidHash) {
				t.Errorf("Has(%q) = %v, want ErrInvalidHash", h, err)
			}
			if err := d.Delete(ctx, h); !errors.Is(err, ErrInvalidHash) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidHash", h, err)
			}
		})
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("the file outside the store was touched: %v", err)
	}
}

func TestPutRefusesTooLarge(t *testing.T) {
	t.Parallel()
	d := newDir(t, 10)
	if _, _, err := d.Put(context.Background(), strings.NewReader("elva tecken")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put = %v, want ErrTooLarge", err)
	}
	if _, _, err := d.Put(context.Background(), strings.NewReader("tio tecken")); err != nil {
		t.Fatalf("Put at the limit: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(d.Root, "tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
}
