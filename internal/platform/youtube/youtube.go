// Package youtube connects Tilltal to YouTube channels through the YouTube
// Data API v3: it polls the channel's comment threads, replies, moderates
// (hide = heldForReview, unhide = published, delete someone else's
// comment = rejected) and reads video metadata for context, within the
// project's daily quota (QuotaMeter).
//
// Reference: developers.google.com/youtube/v3/docs (commentThreads, comments,
// videos, channels; the quota cost table; errors).
package youtube

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
)

// Defaults for Config fields left zero.
const (
	DefaultAPIURL        = "https://www.googleapis.com/youtube/v3"
	DefaultTokenURL      = "https://oauth2.googleapis.com/token"
	DefaultTokenInfoURL  = "https://oauth2.googleapis.com/tokeninfo"
	DefaultBackfill      = 7 * 24 * time.Hour
	DefaultReplyLookback = 48 * time.Hour
	DefaultMaxPages      = 10
	// DefaultRateLimitWait is used for a short-term rate limit that names
	// no Retry-After.
	DefaultRateLimitWait = time.Minute
)

// Moderation statuses, as the API spells them.
const (
	StatusPublished     = "published"
	StatusHeldForReview = "heldForReview"
	StatusLikelySpam    = "likelySpam"
	StatusRejected      = "rejected"
)

// Config is what the connector needs; zero fields take the defaults.
type Config struct {
	// APIURL is TILLTAL_YOUTUBE_API_URL.
	APIURL       string
	TokenURL     string
	TokenInfoURL string
	ClientID     string
	ClientSecret string
	HTTP         *http.Client
	Clock        clock.Clock
	// Quota is shared by all channels of one Google Cloud project; by
	// default a meter of DefaultBudget units with DefaultReserve kept for
	// writes.
	Quota *QuotaMeter
	// Backfill is how far back the first poll of a channel reads.
	Backfill time.Duration
	// ReplyLookback is how old a thread may be and still be searched for
	// new replies on each poll.
	ReplyLookback time.Duration
	// MaxPages bounds the pages of threads one poll reads per status.
	MaxPages int
	// Statuses are the moderation statuses polled; by default published
	// and heldForReview, so comments YouTube holds (often the ones that
	// matter most to moderation) still reach the inbox. Each costs a unit
	// per page and poll.
	Statuses []string
}

// Connector is the YouTube connector. Safe for concurrent use.
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
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
		*s = strings.TrimRight(*s, "/")
	}
	def(&cfg.APIURL, DefaultAPIURL)
	def(&cfg.TokenURL, DefaultTokenURL)
	def(&cfg.TokenInfoURL, DefaultTokenInfoURL)
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Quota == nil {
		cfg.Quota = NewQuotaMeter(cfg.Clock.Now, DefaultBudget, DefaultReserve, DefaultBurst)
	}
	if cfg.Backfill <= 0 {
		cfg.Backfill = DefaultBackfill
	}
	if cfg.ReplyLookback <= 0 {
		cfg.ReplyLookback = DefaultReplyLookback
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if len(cfg.Statuses) == 0 {
		cfg.Statuses = []string{StatusPublished, StatusHeldForReview}
	}
	return &Connector{cfg: cfg, refresh: &oauth.Refresher{Platform: platform.YouTube, TokenURL: cfg.TokenURL,
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, HTTP: cfg.HTTP, Clock: cfg.Clock}}
}

// Name is platform.YouTube.
func (c *Connector) Name() platform.Name { return platform.YouTube }

// Quota is the connector's meter, for the admin page.
func (c *Connector) Quota() *QuotaMeter { return c.cfg.Quota }

var videoIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// isVideoID tells a video id (always 11 characters) from a comment id
// (26 and more, replies "parent.reply").
func isVideoID(id string) bool { return videoIDPattern.MatchString(id) }

// topLevelID is the thread's top-level comment for a reply id: YouTube
// threads are one level deep, so a reply to a reply answers its parent.
func topLevelID(id string) string {
	top, _, _ := strings.Cut(id, ".")
	return top
}
