// Package config turns the TILLTAL_* environment into one validated Config
// that main passes to whoever needs it. Nothing else reads the environment.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config is every setting Tilltal reads, validated.
type Config struct {
	// Database is "sqlite:PATH" or a postgres:// URL.
	Database string
	Listen   string
	DataDir  string
	BaseURL  string
	// KeyFile holds the key that encrypts secrets at rest; by default a file
	// in DataDir created on first start.
	KeyFile string

	MetaAppSecret   Secret
	MetaVerifyToken Secret
	MetaGraphURL    string
	LinkedInAPIURL  string
	YouTubeAPIURL   string
	// LinkedIn and Google OAuth clients: token refresh, introspection and
	// LinkedIn's signed notifications.
	LinkedInClientID     string
	LinkedInClientSecret Secret
	YouTubeClientID      string
	YouTubeClientSecret  Secret

	SMTP SMTP
	OIDC OIDC
	// Blobs is where attachments are kept: the data directory, or an
	// S3-compatible bucket that several instances share.
	Blobs Blobs
}

// Blobs chooses the blob store (TILLTAL_BLOB_STORE and TILLTAL_S3_*).
type Blobs struct {
	// Bucket is empty for the directory DataDir/blobs.
	Bucket string
	Prefix string
	// Endpoint is the S3 server's http(s) URL.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey Secret
	// PathStyle is "path" (bucket in the URL path), "dns" (in the host
	// name) or "" (the client decides from the endpoint).
	PathStyle string
}

// S3 reports whether blobs are kept in a bucket.
func (b Blobs) S3() bool { return b.Bucket != "" }

// SMTP is the outgoing mail server for notifications.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password Secret
	From     string
	// TLS is "starttls" (default), "tls" or "none".
	TLS string
}

// OIDC is the OpenID Connect provider, e.g. Microsoft Entra ID.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret Secret
	// RoleClaim names the claim that lists groups or app roles: "roles" for
	// Entra app roles, "groups" for group ids.
	RoleClaim string
	// RoleMap maps a claim value to a Tilltal role.
	RoleMap map[string]string
}

// Enabled reports whether OIDC sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" && o.ClientID != "" }

// Secret is a string that never prints.
type Secret string

// String hides the secret from fmt.
func (Secret) String() string { return "[redacted]" }

// LogValue hides the secret from slog.
func (s Secret) LogValue() any { return "[redacted]" }

// Reveal returns the secret's value for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// FromEnv reads the configuration from getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DataDir:         get("TILLTAL_DATA_DIR", "./tilltal-data"),
		Listen:          get("TILLTAL_LISTEN", "127.0.0.1:8080"),
		MetaAppSecret:   Secret(getenv("TILLTAL_META_APP_SECRET")),
		MetaVerifyToken: Secret(getenv("TILLTAL_META_VERIFY_TOKEN")),
		MetaGraphURL:    get("TILLTAL_META_GRAPH_URL", "https://graph.facebook.com"),
		LinkedInAPIURL:  get("TILLTAL_LINKEDIN_API_URL", "https://api.linkedin.com"),
		YouTubeAPIURL:   get("TILLTAL_YOUTUBE_API_URL", "https://www.googleapis.com/youtube/v3"),

		LinkedInClientID:     getenv("TILLTAL_LINKEDIN_CLIENT_ID"),
		LinkedInClientSecret: Secret(getenv("TILLTAL_LINKEDIN_CLIENT_SECRET")),
		YouTubeClientID:      getenv("TILLTAL_YOUTUBE_CLIENT_ID"),
		YouTubeClientSecret:  Secret(getenv("TILLTAL_YOUTUBE_CLIENT_SECRET")),
	}
	c.Database = get("TILLTAL_DATABASE", "sqlite:"+filepath.Join(c.DataDir, "tilltal.db"))
	c.BaseURL = strings.TrimRight(get("TILLTAL_BASE_URL", "http://"+c.Listen), "/")
	c.KeyFile = get("TILLTAL_KEY_FILE", filepath.Join(c.DataDir, "secret.key"))
	c.SMTP = SMTP{
		Host:     getenv("TILLTAL_SMTP_HOST"),
		Username: getenv("TILLTAL_SMTP_USERNAME"),
		Password: Secret(getenv("TILLTAL_SMTP_PASSWORD")),
		From:     get("TILLTAL_SMTP_FROM", "tilltal@localhost"),
		TLS:      get("TILLTAL_SMTP_TLS", "starttls"),
	}
	if p := getenv("TILLTAL_SMTP_PORT"); p != "" {
		if _, err := fmt.Sscanf(p, "%d", &c.SMTP.Port); err != nil {
			return c, fmt.Errorf("TILLTAL_SMTP_PORT: %q is not a port number", p)
		}
	} else {
		c.SMTP.Port = 587
	}
	c.OIDC = OIDC{
		Issuer:       getenv("TILLTAL_OIDC_ISSUER"),
		ClientID:     getenv("TILLTAL_OIDC_CLIENT_ID"),
		ClientSecret: Secret(getenv("TILLTAL_OIDC_CLIENT_SECRET")),
		RoleClaim:    get("TILLTAL_OIDC_ROLE_CLAIM", "roles"),
	}
	rm, err := ParseRoleMap(getenv("TILLTAL_OIDC_ROLE_MAP"))
	if err != nil {
		return c, err
	}
	c.OIDC.RoleMap = rm
	if c.Blobs, err = parseBlobs(getenv, get); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// parseBlobs reads TILLTAL_BLOB_STORE: empty or "dir" for the data
// directory, or s3://bucket/prefix with the TILLTAL_S3_* settings.
func parseBlobs(getenv func(string) string, get func(key, def string) string) (Blobs, error) {
	store := get("TILLTAL_BLOB_STORE", "dir")
	if store == "dir" {
		return Blobs{}, nil
	}
	u, err := url.Parse(store)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return Blobs{}, fmt.Errorf("TILLTAL_BLOB_STORE: %q is not dir or s3://bucket/prefix", redactURL(store))
	}
	b := Blobs{
		Bucket:    u.Host,
		Prefix:    strings.Trim(u.Path, "/"),
		Endpoint:  strings.TrimRight(get("TILLTAL_S3_ENDPOINT", "https://s3.amazonaws.com"), "/"),
		Region:    get("TILLTAL_S3_REGION", "us-east-1"),
		AccessKey: strings.TrimSpace(getenv("TILLTAL_S3_ACCESS_KEY")),
		SecretKey: Secret(strings.TrimSpace(getenv("TILLTAL_S3_SECRET_KEY"))),
	}
	switch ps := get("TILLTAL_S3_PATH_STYLE", ""); ps {
	case "":
	case "true":
		b.PathStyle = "path"
	case "false":
		b.PathStyle = "dns"
	default:
		return b, fmt.Errorf("TILLTAL_S3_PATH_STYLE: %q is not true or false", ps)
	}
	if e, err := url.Parse(b.Endpoint); err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil || strings.Trim(e.Path, "/") != "" {
		return b, fmt.Errorf("TILLTAL_S3_ENDPOINT: %q is not an http(s) URL of a server", redactURL(b.Endpoint))
	}
	if b.AccessKey == "" || b.SecretKey == "" {
		return b, fmt.Errorf("TILLTAL_BLOB_STORE is a bucket: TILLTAL_S3_ACCESS_KEY and TILLTAL_S3_SECRET_KEY are required")
	}
	return b, nil
}

// FromOS reads the configuration from the process environment.
func FromOS() (Config, error) { return FromEnv(os.Getenv) }

// ParseRoleMap parses "claimvalue=role,claimvalue=role".
func ParseRoleMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("TILLTAL_OIDC_ROLE_MAP: %q is not claimvalue=role", pair)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// Validate checks the settings that can be checked without a network.
func (c Config) Validate() error {
	if err := ValidateDatabase(c.Database); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("TILLTAL_LISTEN: %q is not host:port", c.Listen)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("TILLTAL_BASE_URL: %q is not an http(s) URL", c.BaseURL)
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("TILLTAL_SMTP_TLS: %q is not starttls, tls or none", c.SMTP.TLS)
	}
	return nil
}

// ValidateDatabase checks the form of a TILLTAL_DATABASE value.
func ValidateDatabase(s string) error {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		if strings.TrimPrefix(s, "sqlite:") == "" {
			return fmt.Errorf("TILLTAL_DATABASE: %q names no file (use sqlite:PATH)", s)
		}
		return nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return fmt.Errorf("TILLTAL_DATABASE: %q is not a valid postgres:// URL", redactURL(s))
		}
		return nil
	default:
		return fmt.Errorf("TILLTAL_DATABASE: %q must start with sqlite: or postgres://", redactURL(s))
	}
}

// redactURL removes a password from a URL before it is printed.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i > 0 {
			return "…" + s[i:]
		}
		return s
	}
	return u.Redacted()
}
