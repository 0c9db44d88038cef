package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k", "secret.key")
	b, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	ct := b.Seal("EAAB-page-token", "channel:1")
	if bytes.Contains(ct, []byte("EAAB")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	b2, err := LoadOrCreate(path) // the same key is read back
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b2.Open(ct, "channel:1"); err != nil || got != "EAAB-page-token" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := b2.Open(ct, "channel:2"); err == nil {
		t.Fatal("opened with the wrong additional data")
	}
	ct[len(ct)-1] ^= 1
	if _, err := b2.Open(ct, "channel:1"); err == nil {
		t.Fatal("opened a tampered value")
	}
}
