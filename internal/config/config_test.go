package config

import (
	"fmt"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"postgres", map[string]string{"TILLTAL_DATABASE": "postgres://u@127.0.0.1/test"}, ""},
		{"bad scheme", map[string]string{"TILLTAL_DATABASE": "mysql://x"}, "must start with sqlite: or postgres://"},
		{"empty sqlite", map[string]string{"TILLTAL_DATABASE": "sqlite:"}, "names no file"},
		{"password hidden", map[string]string{"TILLTAL_DATABASE": "mongodb://u:hemligt@x"}, "xxxxx@x"},
		{"bad listen", map[string]string{"TILLTAL_LISTEN": "8080"}, "not host:port"},
		{"bad role map", map[string]string{"TILLTAL_OIDC_ROLE_MAP": "abc"}, "not claimvalue=role"},
		{"bad smtp port", map[string]string{"TILLTAL_SMTP_PORT": "x"}, "not a port"},
		{"blob dir", map[string]string{"TILLTAL_BLOB_STORE": "dir"}, ""},
		{"blob s3", s3env(nil), ""},
		{"blob not s3", map[string]string{"TILLTAL_BLOB_STORE": "gs://b/p"}, "not dir or s3://bucket/prefix"},
		{"blob no bucket", s3env(map[string]string{"TILLTAL_BLOB_STORE": "s3:///p"}), "not dir or s3://bucket/prefix"},
		{"blob key in url", s3env(map[string]string{"TILLTAL_BLOB_STORE": "s3://nyckel:hemligt@b/p"}), "not dir or s3://"},
		{"s3 endpoint", s3env(map[string]string{"TILLTAL_S3_ENDPOINT": "s3.example.se"}), "TILLTAL_S3_ENDPOINT"},
		{"s3 endpoint path", s3env(map[string]string{"TILLTAL_S3_ENDPOINT": "https://s3.example.se/bucket"}), "TILLTAL_S3_ENDPOINT"},
		{"s3 no secret", s3env(map[string]string{"TILLTAL_S3_SECRET_KEY": ""}), "TILLTAL_S3_SECRET_KEY are required"},
		{"s3 path style", s3env(map[string]string{"TILLTAL_S3_PATH_STYLE": "ja"}), "not true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := FromEnv(env(tt.env))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Listen == "" || c.Database == "" {
					t.Fatalf("defaults missing: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hemligt") {
				t.Fatalf("password leaked: %v", err)
			}
		})
	}
}

// s3env is a valid S3 configuration with changes.
func s3env(change map[string]string) map[string]string {
	m := map[string]string{"TILLTAL_BLOB_STORE": "s3://tilltal-arkiv/exempelby/blobs", "TILLTAL_S3_ENDPOINT": "https://s3.example.se",
		"TILLTAL_S3_ACCESS_KEY": "AKID", "TILLTAL_S3_SECRET_KEY": "hemligt", "TILLTAL_S3_PATH_STYLE": "true"}
	for k, v := range change {
		m[k] = v
	}
	return m
}

// TestBlobsFromEnv: the bucket, prefix and settings arrive as given, and
// the secret key never prints.
func TestBlobsFromEnv(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(s3env(nil)))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Blobs
	if !b.S3() || b.Bucket != "tilltal-arkiv" || b.Prefix != "exempelby/blobs" || b.Endpoint != "https://s3.example.se" ||
		b.Region != "us-east-1" || b.AccessKey != "AKID" || b.SecretKey.Reveal() != "hemligt" || b.PathStyle != "path" {
		t.Fatalf("blobs %+v", b)
	}
	if s := fmt.Sprintf("%v %+v", c, b); strings.Contains(s, "hemligt") {
		t.Fatalf("the secret key printed: %s", s)
	}
	if c, _ := FromEnv(env(nil)); c.Blobs.S3() {
		t.Fatal("the default is a bucket")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("topsecret")
	if s.String() != "[redacted]" || s.Reveal() != "topsecret" {
		t.Fatal("secret handling broken")
	}
}
