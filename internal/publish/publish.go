// Package publish is how the municipality publishes: a post is written
// once, adapted per platform (length, hashtags, link handling), given a
// link to its source and images with alt text, and aimed at channels the
// author works on. Before it can be approved it is checked as the
// guideline asks — no personal data, a link when quoting, every image
// covered by a consent (samtycke) or stated to show no identifiable
// person, the channel's sender rules and graphic profile confirmed — and
// the channel's owner or a chosen approver approves it, asks for changes
// or rejects it, unless the channel lets its editors publish directly.
// Approved posts are published per channel by jobs at the set time
// (Stockholm), through package outbound, which retries and never
// publishes twice; a failure on one channel leaves the others and is shown
// on the post and sent to the author. A published post becomes the
// municipality's item in the inbox, so that comments on it land in its
// thread. The consent register keeps who may be shown, for what, until
// when and signed by whom; a consent withdrawn or expired blocks what is
// not yet published and flags what is.
package publish

import (
	"time"

	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/outbound"
)

// Status is where a post stands in approval.
type Status string

// The statuses of a post.
const (
	Draft     Status = "draft"
	Pending   Status = "pending"
	Changes   Status = "changes"
	Rejected  Status = "rejected"
	Approved  Status = "approved"
	Cancelled Status = "cancelled"
)

// Editable reports whether the author may still change the post.
func (s Status) Editable() bool { return s == Draft || s == Changes }

// TargetStatus is where a post stands on one channel.
type TargetStatus string

// The statuses of a target.
const (
	TargetPlanned   TargetStatus = "planned"
	TargetQueued    TargetStatus = "queued"
	TargetPublished TargetStatus = "published"
	TargetFailed    TargetStatus = "failed"
	TargetCancelled TargetStatus = "cancelled"
)

// Post is a post with its channels and images.
type Post struct {
	ID    int64
	Title string
	// Body is the text shared by every platform unless a target has its
	// own variant.
	Body string
	// Link is the source material the post is about.
	Link       string
	AuthorID   int64
	AuthorName string
	// ApproverID is the chosen approver, 0 for the channels' owners.
	ApproverID   int64
	ApproverName string
	Status       Status
	// ScheduledAt is when to publish; nil publishes as soon as approved.
	ScheduledAt *time.Time
	// CheckSender and CheckGraphicProfile are the author's confirmation
	// that the channel's sender rules and graphic profile are followed.
	CheckSender         bool
	CheckGraphicProfile bool
	DecidedBy           int64
	DecidedByName       string
	DecidedAt           *time.Time
	DecisionComment     string
	// Direct is true when the post was published without approval under
	// its channels' rule.
	Direct    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Targets   []Target
	Images    []PostImage
	// Flags are raised when a consent of one of its images ended.
	Flags []Flag
}

// Target is the post on one channel.
type Target struct {
	ID             int64
	ChannelID      int64
	ChannelName    string
	Platform       string
	ChannelStatus  string
	DepartmentID   int64
	DepartmentName string
	// Variant replaces the post's text on this channel when not empty.
	Variant string
	// Hashtags are normalised: "#exempelby #bibliotek".
	Hashtags string
	Status   TargetStatus
	// Round grows each time the target is scheduled; a job of an
	// earlier round does nothing.
	Round       int
	ActionID    int64
	ExternalID  string
	ItemID      int64
	Error       string
	PublishedAt *time.Time
}

// PostImage is an image on a post.
type PostImage struct {
	Image
	AltText string
}

// Flag says that a consent behind one of a post's images ended.
type Flag struct {
	ID         int64
	ConsentID  int64
	Reason     string
	CreatedAt  time.Time
	ResolvedAt *time.Time
}

// Service is the publishing domain.
type Service struct {
	DB       *db.DB
	Queue    *jobs.Queue
	Outbox   *notify.Outbox
	Outbound *outbound.Service
	// Channels is the registry: who owns and edits a channel.
	Channels *channel.Store
	Now      func() time.Time
	// BaseURL is Tilltal's public address: links in notifications and the
	// address from which the platforms fetch images (BaseURL/media/{sha}).
	BaseURL string
}

func (s *Service) now() time.Time { return s.Now().UTC() }
