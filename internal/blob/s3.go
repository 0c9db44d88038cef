package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options say where an S3-compatible bucket is and how to reach it.
type S3Options struct {
	// Endpoint is the server's URL, e.g. https://s3.eu-north-1.amazonaws.com
	// or http://127.0.0.1:9000; its scheme decides TLS.
	Endpoint string
	Region   string
	Bucket   string
	// Prefix is put before every key ("tilltal/blobs"), without slashes
	// at either end.
	Prefix    string
	AccessKey string
	SecretKey string
	// PathStyle is "path" (bucket in the path, as most self-hosted stores
	// want), "dns" (bucket in the host name) or "" (decided by the
	// client from the endpoint).
	PathStyle string
	// SpoolDir holds a blob while its hash is computed, before upload;
	// "" is the system's temporary directory.
	SpoolDir string
	// MaxSize bounds one blob in bytes; 0 means no limit.
	MaxSize int64
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// S3 stores blobs as objects Prefix/ab/cd/<hash> in a bucket: the same
// layout as Dir, so a directory store moves into a bucket with any sync
// tool. Several Tilltal instances can share one bucket.
type S3 struct {
	core     minio.Core
	bucket   string
	prefix   string
	spoolDir string
	maxSize  int64
}

var _ Store = (*S3)(nil)

// maxSinglePut is S3's limit for one PUT: a blob is uploaded in one
// request so that the server can check the whole body against the SHA-256
// sent with it.
const maxSinglePut = 5 << 30

// NewS3 returns a store in an existing bucket. It makes no request: a
// bucket that cannot be reached shows in the first Put or Open.
func NewS3(o S3Options) (*S3, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("blob: S3 endpoint %q is not an http(s) URL", o.Endpoint)
	}
	lookup := minio.BucketLookupAuto
	switch o.PathStyle {
	case "path":
		lookup = minio.BucketLookupPath
	case "dns":
		lookup = minio.BucketLookupDNS
	case "":
	default:
		return nil, fmt.Errorf("blob: S3 path style %q is not path, dns or empty", o.PathStyle)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: lookup,
		Transport:    o.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client: %w", err)
	}
	maxSize := o.MaxSize
	if maxSize <= 0 || maxSize > maxSinglePut {
		maxSize = maxSinglePut
	}
	return &S3{core: minio.Core{Client: c}, bucket: o.Bucket, prefix: strings.Trim(o.Prefix, "/"), spoolDir: o.SpoolDir, maxSize: maxSize}, nil
}

// key is the object key of a valid hash.
func (s *S3) key(hash string) (string, error) {
	if !ValidHash(hash) {
		return "", ErrInvalidHash
	}
	return path.Join(s.prefix, hash[0:2], hash[2:4], hash), nil
}

// Put spools r to a temporary file while hashing it (the key is the hash,
// known only at the end), and uploads it unless the bucket has it already.
// The upload is signed with the content's SHA-256, so the server refuses a
// body that changed on the way.
func (s *S3) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(s.spoolDir, "tilltal-blob-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, io.LimitReader(r, s.maxSize+1)})
	if err != nil {
		return "", 0, fmt.Errorf("blob: spool: %w", err)
	}
	if n > s.maxSize {
		return "", 0, ErrTooLarge
	}
	hash := hex.EncodeToString(h.Sum(nil))
	key, _ := s.key(hash)
	if ok, err := s.has(ctx, key); err != nil || ok {
		return hash, n, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, fmt.Errorf("blob: spool: %w", err)
	}
	// DisableContentSha256 turns off chunk-by-chunk streaming signatures,
	// so the whole body is signed with the hash given here.
	_, err = s.core.PutObject(ctx, s.bucket, key, tmp, n, "", hash, minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true})
	if err != nil {
		return "", 0, fmt.Errorf("blob: S3 put: %w", err)
	}
	return hash, n, nil
}

// Open fetches a blob; its reader checks the hash at the end.
func (s *S3) Open(ctx context.Context, hash string) (io.ReadCloser, error) {
	key, err := s.key(hash)
	if err != nil {
		return nil, err
	}
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if notFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: S3 get: %w", err)
	}
	return verified(rc, hash), nil
}

// Has asks for the object's metadata.
func (s *S3) Has(ctx context.Context, hash string) (bool, error) {
	key, err := s.key(hash)
	if err != nil {
		return false, err
	}
	return s.has(ctx, key)
}

func (s *S3) has(ctx context.Context, key string) (bool, error) {
	_, err := s.core.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob: S3 stat: %w", err)
	}
	return true, nil
}

// Delete removes the object; S3 deletes of a missing key succeed. In a
// versioned bucket the old version stays until the bucket's lifecycle
// rules expire it (see README, Operating Tilltal).
func (s *S3) Delete(ctx context.Context, hash string) error {
	key, err := s.key(hash)
	if err != nil {
		return err
	}
	if err := s.core.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("blob: S3 delete: %w", err)
	}
	return nil
}

// List pages through the keys under the prefix; keys that are not a blob
// in its right place (someone else's objects) are passed over.
func (s *S3) List(ctx context.Context, fn func(hash string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	prefix := s.prefix
	if prefix != "" {
		prefix += "/"
	}
	for obj := range s.core.Client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("blob: S3 list: %w", obj.Err)
		}
		h := path.Base(obj.Key)
		if want, err := s.key(h); err != nil || want != obj.Key {
			continue
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// notFound reports whether an S3 error means the key is not there.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	var er minio.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	return er.Code == minio.NoSuchKey || er.StatusCode == http.StatusNotFound && er.Code != minio.NoSuchBucket
}

// Prefix is the key prefix the store keeps its objects under.
func (s *S3) Prefix() string { return s.prefix }
