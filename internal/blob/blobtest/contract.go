package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"tilltal/internal/blob"
)

// Harness makes fresh stores of one kind for the contract.
type Harness struct {
	// New returns an empty store; maxSize 0 means no limit.
	New func(t *testing.T, maxSize int64) blob.Store
	// Tamper replaces what s holds under hash with content, as a failing
	// disk or a careless hand in the bucket would.
	Tamper func(t *testing.T, s blob.Store, hash string, content []byte)
}

// Contract runs the tests every Store passes: what the archive, culling,
// attachment downloads and backups rely on.
func Contract(t *testing.T, h Harness) {
	t.Run("PutOpenHasDelete", func(t *testing.T) { putOpenHasDelete(t, h.New(t, 0)) })
	t.Run("PutTwiceStoresOnce", func(t *testing.T) { putTwice(t, h.New(t, 0)) })
	t.Run("EmptyBlob", func(t *testing.T) { emptyBlob(t, h.New(t, 0)) })
	t.Run("OnlyHexHashes", func(t *testing.T) { onlyHexHashes(t, h.New(t, 0)) })
	t.Run("TooLarge", func(t *testing.T) { tooLarge(t, h.New(t, 10)) })
	t.Run("List", func(t *testing.T) { list(t, h.New(t, 0)) })
	t.Run("ChangedContentFailsToRead", func(t *testing.T) { changed(t, h) })
	t.Run("CancelledPut", func(t *testing.T) { cancelled(t, h.New(t, 0)) })
}

// Hash is the store's name for content.
func Hash(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// Put stores content and checks the hash and size it is given back.
func Put(t testing.TB, s blob.Store, content []byte) string {
	t.Helper()
	hash, size, err := s.Put(context.Background(), bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if want := Hash(content); hash != want || size != int64(len(content)) {
		t.Fatalf("Put = %s %d, want %s %d", hash, size, want, len(content))
	}
	return hash
}

// Read returns what s holds under hash, read to the end.
func Read(t testing.TB, s blob.Store, hash string) ([]byte, error) {
	t.Helper()
	r, err := s.Open(context.Background(), hash)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func putOpenHasDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	content := bytes.Repeat([]byte("Bild från kommunens sida. "), 5000)
	hash := Put(t, s, content)
	if ok, err := s.Has(ctx, hash); !ok || err != nil {
		t.Fatalf("Has = %v %v", ok, err)
	}
	if got, err := Read(t, s, hash); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("Open returned %d other bytes: %v", len(got), err)
	}
	if err := s.Delete(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, hash); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if ok, err := s.Has(ctx, hash); ok || err != nil {
		t.Fatalf("Has after Delete = %v %v", ok, err)
	}
	if _, err := s.Open(ctx, hash); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
	other := Hash([]byte("aldrig lagrad"))
	if _, err := s.Open(ctx, other); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open of what was never stored: %v", err)
	}
}

func putTwice(t *testing.T, s blob.Store) {
	content := []byte("samma bild två gånger")
	first := Put(t, s, content)
	if second := Put(t, s, content); second != first {
		t.Fatalf("second Put named it %s, first %s", second, first)
	}
	if got := hashes(t, s); !slices.Equal(got, []string{first}) {
		t.Fatalf("stored %v, want once", got)
	}
	if got, err := Read(t, s, first); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("Open after the second Put: %q %v", got, err)
	}
}

func emptyBlob(t *testing.T, s blob.Store) {
	hash := Put(t, s, nil)
	if got, err := Read(t, s, hash); err != nil || len(got) != 0 {
		t.Fatalf("empty blob read as %q %v", got, err)
	}
}

func onlyHexHashes(t *testing.T, s blob.Store) {
	ctx := context.Background()
	for _, h := range []string{
		"", "../secret.key", "../../secret.key", "/etc/passwd",
		strings.Repeat("a", 63), strings.Repeat("a", 65), strings.Repeat("A", 64), strings.Repeat("g", 64),
		"../" + strings.Repeat("a", 61), strings.Repeat("a", 62) + "/.", strings.Repeat("a", 60) + "%2e%2e",
		strings.Repeat("a", 63) + "\x00", strings.Repeat("a", 63) + "?",
	} {
		if _, err := s.Open(ctx, h); !errors.Is(err, blob.ErrInvalidHash) {
			t.Errorf("Open(%q) = %v, want ErrInvalidHash", h, err)
		}
		if _, err := s.Has(ctx, h); !errors.Is(err, blob.ErrInvalidHash) {
			t.Errorf("Has(%q) = %v, want ErrInvalidHash", h, err)
		}
		if err := s.Delete(ctx, h); !errors.Is(err, blob.ErrInvalidHash) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidHash", h, err)
		}
	}
}

func tooLarge(t *testing.T, s blob.Store) {
	if _, _, err := s.Put(context.Background(), strings.NewReader("elva tecken")); !errors.Is(err, blob.ErrTooLarge) {
		t.Fatalf("Put = %v, want ErrTooLarge", err)
	}
	if got := hashes(t, s); len(got) != 0 {
		t.Fatalf("a refused blob was stored: %v", got)
	}
	Put(t, s, []byte("tio tecken"))
}

func list(t *testing.T, s blob.Store) {
	var want []string
	for i := range 5 {
		want = append(want, Put(t, s, []byte(strings.Repeat("x", i+1))))
	}
	slices.Sort(want)
	if got := hashes(t, s); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	stop := errors.New("nog")
	calls := 0
	err := s.List(context.Background(), func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("List went on after an error: %d calls, %v", calls, err)
	}
}

func changed(t *testing.T, h Harness) {
	s := h.New(t, 0)
	content := []byte("originalet")
	hash := Put(t, s, content)
	h.Tamper(t, s, hash, []byte("förfalskat"))
	if got, err := Read(t, s, hash); !errors.Is(err, blob.ErrCorrupt) {
		t.Fatalf("changed content read as %q, %v; want ErrCorrupt", got, err)
	}
}

func cancelled(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.Put(ctx, strings.NewReader("för sent")); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if got := hashes(t, s); len(got) != 0 {
		t.Fatalf("a cancelled Put stored %v", got)
	}
}

// hashes lists a store, sorted.
func hashes(t testing.TB, s blob.Store) []string {
	t.Helper()
	var got []string
	if err := s.List(context.Background(), func(h string) error { got = append(got, h); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}
