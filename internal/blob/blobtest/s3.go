// Package blobtest holds what the blob stores' tests share: the contract
// every Store passes, and an S3-compatible server started inside the test
// (gofakes3 in memory, behind a real HTTP listener) for the S3 store.
package blobtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"tilltal/internal/blob"
)

// S3Server is an S3-compatible server on loopback with one bucket.
type S3Server struct {
	URL     string
	Bucket  string
	backend *s3mem.Backend
	// Puts counts object uploads that reached the server.
	Puts atomic.Int64
}

// Test credentials; the fake server accepts any, but the client signs with
// them like it would against a real store.
const (
	AccessKey = "tilltal-test"
	SecretKey = "tilltal-test-secret-key"
)

// NewS3Server starts the server and creates the bucket; it stops with the
// test.
func NewS3Server(t testing.TB) *S3Server {
	t.Helper()
	s := &S3Server{Bucket: "tilltal", backend: s3mem.New()}
	if err := s.backend.CreateBucket(s.Bucket); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(s.backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	srv := httptest.NewServer(s.checkSHA256(fake))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// checkSHA256 does what AWS S3 does and the fake does not: an upload signed
// with a hex SHA-256 of its payload is refused when the body has another.
func (s *S3Server) checkSHA256(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Get("uploadId") == "" && !r.URL.Query().Has("versioning") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			claimed := r.Header.Get("X-Amz-Content-Sha256")
			sum := sha256.Sum256(body)
			if blob.ValidHash(claimed) && claimed != hex.EncodeToString(sum[:]) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>XAmzContentSHA256Mismatch</Code><Message>The provided 'x-amz-content-sha256' header does not match what was computed.</Message></Error>`)
				return
			}
			s.Puts.Add(1)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// Options are the S3 store's options for this server under prefix.
func (s *S3Server) Options(prefix string) blob.S3Options {
	return blob.S3Options{Endpoint: s.URL, Region: "us-east-1", Bucket: s.Bucket, Prefix: prefix,
		AccessKey: AccessKey, SecretKey: SecretKey, PathStyle: "path"}
}

// Env is the Tilltal configuration that points at this server.
func (s *S3Server) Env(prefix string) map[string]string {
	return map[string]string{
		"TILLTAL_BLOB_STORE":    "s3://" + s.Bucket + "/" + prefix,
		"TILLTAL_S3_ENDPOINT":   s.URL,
		"TILLTAL_S3_REGION":     "us-east-1",
		"TILLTAL_S3_ACCESS_KEY": AccessKey,
		"TILLTAL_S3_SECRET_KEY": SecretKey,
		"TILLTAL_S3_PATH_STYLE": "true",
	}
}

// Overwrite replaces an object's content behind the store's back.
func (s *S3Server) Overwrite(t testing.TB, key string, content []byte) {
	t.Helper()
	if _, err := s.backend.PutObject(s.Bucket, key, map[string]string{}, bytes.NewReader(content), int64(len(content)), nil); err != nil {
		t.Fatal(err)
	}
}

// Keys lists every object key in the bucket.
func (s *S3Server) Keys(t testing.TB) []string {
	t.Helper()
	list, err := s.backend.ListBucket(s.Bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}

// Key is where a store under prefix keeps hash.
func Key(prefix, hash string) string {
	return strings.TrimPrefix(prefix+"/", "/") + hash[:2] + "/" + hash[2:4] + "/" + hash
}
