// Package sim is a simulated platform for `tilltal demo`: a Connector that
// keeps producing realistic Swedish traffic for "Exempelby kommun" —
// questions to departments, praise, complaints, rumours, private messages,
// now and then a comment with a personnummer (Skatteverket's test numbers
// only) or a phone number (PTS's fiction range), and now and then a
// threatening or hateful comment — with citizens answering each other in
// threads. It presents itself as any platform (sim.New with Platform set to
// facebook, instagram, linkedin or youtube), and then also refuses what
// that platform refuses (hiding on LinkedIn, publishing on YouTube).
//
// Traffic is deterministic: item k of an account is a function of the
// seed, the platform, the account and k alone. Replies, hides, deletes and
// posts are kept in memory and shown by Fetch and by later polls.
package sim

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"tilltal/internal/clock"
	"tilltal/internal/platform"
)

// Defaults for Config fields left zero.
const (
	DefaultInterval   = 5 * time.Second
	DefaultMaxPerPoll = 50
	DefaultBacklog    = 6
)

// Config configures a simulated platform.
type Config struct {
	// Platform is what the sim presents itself as; empty means platform.Sim.
	Platform platform.Name
	Seed     uint64
	Clock    clock.Clock
	// Interval is the mean time between new items per channel.
	Interval time.Duration
	// MaxPerPoll bounds the items one poll returns.
	MaxPerPoll int
	// Backlog is how many items are already there at a channel's first poll.
	Backlog int
	// FailureRate is the share of calls (0 to 1) that fail with a
	// retryable error, to exercise retries in the demo. Off (0) by default.
	FailureRate float64
	// FollowUpRate is the share of the municipality's replies that the
	// citizen answers; 0 means one in two, a negative value none.
	FollowUpRate float64
}

// Connector is a simulated platform. Safe for concurrent use.
type Connector struct {
	cfg Config

	mu       sync.Mutex
	accounts map[string]*account
	fail     *rand.Rand
}

var _ platform.Connector = (*Connector)(nil)

// New returns a simulated platform for cfg.
func New(cfg Config) *Connector {
	if cfg.Platform == "" {
		cfg.Platform = platform.Sim
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MaxPerPoll <= 0 {
		cfg.MaxPerPoll = DefaultMaxPerPoll
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = DefaultBacklog
	}
	if cfg.FollowUpRate == 0 {
		cfg.FollowUpRate = 0.5
	}
	return &Connector{cfg: cfg, accounts: map[string]*account{},
		fail: rand.New(rand.NewPCG(cfg.Seed, 0x5151))}
}

// Name is the platform the sim presents itself as.
func (c *Connector) Name() platform.Name { return c.cfg.Platform }

// injected fails a call now and then when FailureRate asks for it,
// alternating between an outage and throttling.
func (c *Connector) injected() error {
	if c.cfg.FailureRate <= 0 || c.fail.Float64() >= c.cfg.FailureRate {
		return nil
	}
	if c.fail.IntN(2) == 0 {
		return &platform.Error{Platform: c.cfg.Platform, Status: 503, Code: "sim_outage",
			Message: "Simulerat avbrott på plattformen; försöker igen senare."}
	}
	return &platform.Error{Platform: c.cfg.Platform, Status: 429, Code: "sim_throttled", RetryAfter: 5 * time.Second,
		Message: "Simulerad begränsning av anrop; försöker igen senare."}
}

func (c *Connector) notFound(id string) error {
	return &platform.Error{Platform: c.cfg.Platform, Status: 404, Code: "not_found", NotFound: true, Permanent: true,
		Message: "Objektet " + id + " finns inte (längre) på den simulerade plattformen."}
}

// CheckToken always finds the simulated token valid.
func (c *Connector) CheckToken(context.Context, platform.Credentials) (platform.TokenStatus, error) {
	return platform.TokenStatus{Valid: true, Detail: "Simulerad plattform: token behövs inte."}, nil
}
