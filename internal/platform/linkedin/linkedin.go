// Package linkedin connects Tilltal to LinkedIn organization pages through
// LinkedIn's versioned REST API (Community Management: Posts, Comments,
// Images). LinkedIn offers webhooks only to approved partners, so the inbox
// polls; signed notifications are verified here for municipalities that
// have that access and serve as a nudge to poll sooner.
//
// Reference: learn.microsoft.com/linkedin/marketing/community-management
// (posts-api, comments-api, images-api), shared/api-guide/webhook-validation,
// marketing/versioning.
package linkedin

import (
	"net/http"
	"strings"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
)

// RestliProtocolVersion is the Rest.li protocol every versioned call names.
const RestliProtocolVersion = "2.0.0"

// Defaults for Config fields left zero.
const (
	DefaultAPIURL     = "https://api.linkedin.com"
	DefaultOAuthURL   = "https://www.linkedin.com/oauth/v2"
	DefaultPostWindow = 30 * 24 * time.Hour
	DefaultMaxPosts   = 50
	DefaultPageSize   = 50
	DefaultMaxImage   = 20 << 20
)

// maxTrackedComments bounds how many comment ids per post the cursor keeps
// to notice deletions; busier posts fall back to time-only tracking.
const maxTrackedComments = 1000

// Config is what the connector needs; zero fields take the defaults above.
type Config struct {
	// APIURL is TILLTAL_LINKEDIN_API_URL (https://api.linkedin.com).
	APIURL string
	// OAuthURL holds accessToken and introspectToken
	// (https://www.linkedin.com/oauth/v2); tests point it at a fake.
	OAuthURL     string
	ClientID     string
	ClientSecret string
	HTTP         *http.Client
	Clock        clock.Clock
	// PostWindow is how far back Poll looks for the page's posts, and
	// MaxPosts how many of them it watches for comments.
	PostWindow time.Duration
	MaxPosts   int
	// PageSize is the count asked for per page.
	PageSize int
	// MaxImageBytes bounds an image fetched for Publish.
	MaxImageBytes int64
}

// Connector is the LinkedIn connector. It keeps no per-account state: the
// cursor carries what polling needs, so any instance can poll any page.
type Connector struct {
	cfg     Config
	refresh *oauth.Refresher
}

var (
	_ platform.Connector = (*Connector)(nil)
	_ oauth.Refreshable  = (*Connector)(nil)
)

// New returns a connector for cfg.
func New(cfg Config) *Connector {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.OAuthURL == "" {
		cfg.OAuthURL = DefaultOAuthURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	cfg.OAuthURL = strings.TrimRight(cfg.OAuthURL, "/")
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.PostWindow <= 0 {
		cfg.PostWindow = DefaultPostWindow
	}
	if cfg.MaxPosts <= 0 {
		cfg.MaxPosts = DefaultMaxPosts
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MaxImageBytes <= 0 {
		cfg.MaxImageBytes = DefaultMaxImage
	}
	return &Connector{cfg: cfg, refresh: &oauth.Refresher{
		Platform: platform.LinkedIn, TokenURL: cfg.OAuthURL + "/accessToken",
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, HTTP: cfg.HTTP, Clock: cfg.Clock,
	}}
}

// Name is platform.LinkedIn.
func (c *Connector) Name() platform.Name { return platform.LinkedIn }
