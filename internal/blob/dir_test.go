package blob_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tilltal/internal/blob"
	"tilltal/internal/blob/blobtest"
)

func newDir(t *testing.T, max int64) *blob.Dir {
	t.Helper()
	d, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), max)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDirContract: the directory store keeps the Store contract.
func TestDirContract(t *testing.T) {
	t.Parallel()
	blobtest.Contract(t, blobtest.Harness{
		New: func(t *testing.T, max int64) blob.Store { return newDir(t, max) },
		Tamper: func(t *testing.T, s blob.Store, hash string, content []byte) {
			p := filepath.Join(s.(*blob.Dir).Root, hash[:2], hash[2:4], hash)
			if err := os.WriteFile(p, content, 0o640); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestDirLayout: a blob is the file Root/ab/cd/<hash>, no temporary file is
// left, and List passes over the temporary directory and stray files.
func TestDirLayout(t *testing.T) {
	t.Parallel()
	d := newDir(t, 0)
	content, err := os.ReadFile("testdata/picture.txt")
	if err != nil {
		t.Fatal(err)
	}
	hash := blobtest.Put(t, d, content)
	blobtest.Put(t, d, content)
	if _, err := os.Stat(filepath.Join(d.Root, hash[:2], hash[2:4], hash)); err != nil {
		t.Fatalf("not stored under ab/cd/hash: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(d.Root, "tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
	// A half-written upload and a file in the wrong place are not blobs.
	os.WriteFile(filepath.Join(d.Root, "tmp", hash), content, 0o640)
	os.WriteFile(filepath.Join(d.Root, hash[:2], hash), content, 0o640)
	var listed []string
	if err := d.List(context.Background(), func(h string) error { listed = append(listed, h); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0] != hash {
		t.Fatalf("List = %v, want only %s", listed, hash)
	}
}

// TestDirTraversalTouchesNothing: invalid hashes never reach a file outside
// the store.
func TestDirTraversalTouchesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDir(t, 0)
	secret := filepath.Join(filepath.Dir(d.Root), "secret.key")
	if err := os.WriteFile(secret, []byte("nyckel"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"../secret.key", "../../secret.key"} {
		d.Delete(ctx, h)
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("the file outside the store was touched: %v", err)
	}
}
