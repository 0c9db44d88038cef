package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"tilltal/internal/blob"
	"tilltal/internal/blob/blobtest"
)

// TestS3Contract: the S3 store keeps the same contract as the directory,
// against an S3-compatible server over HTTP.
func TestS3Contract(t *testing.T) {
	t.Parallel()
	srv := blobtest.NewS3Server(t)
	n := 0
	blobtest.Contract(t, blobtest.Harness{
		New: func(t *testing.T, max int64) blob.Store {
			// One bucket, a prefix per store: the stores must not see
			// each other's objects.
			n++
			o := srv.Options("tilltal/test" + strings.Repeat("x", n))
			o.MaxSize, o.SpoolDir = max, t.TempDir()
			s, err := blob.NewS3(o)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Tamper: func(t *testing.T, s blob.Store, hash string, content []byte) {
			srv.Overwrite(t, blobtest.Key(s.(*blob.S3).Prefix(), hash), content)
		},
	})
}

// TestS3Layout: objects are Prefix/ab/cd/<hash>, a second Put of the same
// content uploads nothing, and objects that are not blobs under the prefix
// are not listed.
func TestS3Layout(t *testing.T) {
	t.Parallel()
	srv := blobtest.NewS3Server(t)
	o := srv.Options("kommun/blobs")
	o.SpoolDir = t.TempDir()
	s, err := blob.NewS3(o)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("en bilaga")
	hash := blobtest.Put(t, s, content)
	blobtest.Put(t, s, content)
	if n := srv.Puts.Load(); n != 1 {
		t.Fatalf("%d uploads for one content", n)
	}
	srv.Overwrite(t, "kommun/blobs/"+hash, content)          // wrong place
	srv.Overwrite(t, "kommun/other/"+hash[:2]+"/x", content) // someone else's
	srv.Overwrite(t, "annat/"+blobtest.Key("", hash), content)
	keys := srv.Keys(t)
	if !slices.Contains(keys, "kommun/blobs/"+hash[:2]+"/"+hash[2:4]+"/"+hash) {
		t.Fatalf("keys %v", keys)
	}
	var listed []string
	if err := s.List(context.Background(), func(h string) error { listed = append(listed, h); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(listed, []string{hash}) {
		t.Fatalf("List = %v", listed)
	}
}

// TestS3ServerChecksTheHash: the upload carries the content's SHA-256, so
// a server that checks it (as S3 does) refuses a body changed on the way.
func TestS3ServerChecksTheHash(t *testing.T) {
	t.Parallel()
	srv := blobtest.NewS3Server(t)
	o := srv.Options("p")
	o.SpoolDir = t.TempDir()
	o.Transport = flipLastByte{}
	s, err := blob.NewS3(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Put(context.Background(), strings.NewReader("ändras på vägen")); err == nil || !strings.Contains(strings.ToLower(err.Error()), "sha256") {
		t.Fatalf("a changed upload was accepted: %v", err)
	}
	if len(srv.Keys(t)) != 0 {
		t.Fatal("the changed upload was stored")
	}
}

// TestS3Unreachable: a store whose server is gone fails, and says so.
func TestS3Unreachable(t *testing.T) {
	t.Parallel()
	s, err := blob.NewS3(blob.S3Options{Endpoint: "http://127.0.0.1:1", Bucket: "b", Region: "us-east-1", SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := s.Put(ctx, bytes.NewReader([]byte("x"))); err == nil {
		t.Fatal("Put to nowhere succeeded")
	}
	if _, err := s.Open(ctx, blobtest.Hash([]byte("x"))); err == nil || errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open from nowhere = %v, want a failure that is not 'not found'", err)
	}
}

func TestS3RefusesBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []blob.S3Options{
		{Endpoint: "s3.example.se", Bucket: "b"},
		{Endpoint: "ftp://s3.example.se", Bucket: "b"},
		{Endpoint: "https://s3.example.se", Bucket: "b", PathStyle: "sideways"},
	} {
		if _, err := blob.NewS3(o); err == nil {
			t.Errorf("NewS3(%+v) accepted", o)
		}
	}
}

// flipLastByte changes an upload's last byte on the way to the server.
type flipLastByte struct{}

func (flipLastByte) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if len(body) > 0 {
			body[len(body)-1] ^= 1
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return http.DefaultTransport.RoundTrip(r)
}
