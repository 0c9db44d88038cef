// Package platform is the one small interface every social-media connector
// implements, and the neutral types that cross it. The inbox, moderation and
// publishing speak only these types; each platform's quirks stay inside its
// own package (platform/meta, platform/linkedin, platform/youtube,
// platform/sim).
package platform

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Name identifies a platform. The values match channels.platform.
type Name string

// The platforms Tilltal connects to.
const (
	Facebook  Name = "facebook"
	Instagram Name = "instagram"
	LinkedIn  Name = "linkedin"
	YouTube   Name = "youtube"
	Sim       Name = "sim"
)

// Kind is what an object on a platform is.
type Kind string

// The kinds of object the inbox keeps.
const (
	KindPost    Kind = "post"
	KindComment Kind = "comment"
	KindReply   Kind = "reply" // a comment on a comment
	KindMessage Kind = "message"
	KindMention Kind = "mention"
)

// Verb is what happened to an object.
type Verb string

// The verbs of an event.
const (
	VerbCreate Verb = "create"
	VerbEdit   Verb = "edit"
	VerbRemove Verb = "remove" // deleted on the platform
	VerbHide   Verb = "hide"
	VerbUnhide Verb = "unhide"
)

// Author is the public profile of whoever wrote an object.
type Author struct {
	ExternalID string
	Name       string
	Handle     string
	ProfileURL string
	// IsPage is true when the municipality's own account wrote it.
	IsPage bool
}

// Attachment is a file or link on an object. URL may expire: the archive
// fetches the content when the event arrives.
type Attachment struct {
	Kind        string // "image", "video", "link", "file"
	URL         string
	Title       string
	ContentType string
}

// Object is a post, comment, reply or message as the platform has it.
type Object struct {
	ExternalID string
	Kind       Kind
	// ParentID is the object this one answers (post for a comment, comment
	// for a reply); ThreadID is the root (the post, or the conversation).
	ParentID    string
	ThreadID    string
	Author      Author
	Text        string
	Permalink   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Hidden      bool
	Attachments []Attachment
}

// Event is one change on a platform, from a webhook or a poll.
type Event struct {
	Platform Name
	// AccountID is the platform's id of the account the event belongs to
	// (page id, Instagram user id, organization URN, YouTube channel id):
	// it routes the event to a channel.
	AccountID string
	// EventID identifies the event itself, for deduplication of retried
	// deliveries: the same change delivered twice has the same EventID.
	EventID    string
	Verb       Verb
	Object     Object
	OccurredAt time.Time
}

// Cursor is where a poll left off; opaque to everyone but its connector.
type Cursor string

// Credentials are what a connector needs to act for one account.
type Credentials struct {
	AccountID    string
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
}

// PostRequest is a post to publish.
type PostRequest struct {
	Text     string
	Link     string
	ImageURL string // a URL the platform can fetch
	AltText  string
}

// Result is the outcome of an action: the id the platform gave and its raw
// answer, which is kept so that a failure is never shown as a success.
type Result struct {
	ExternalID string
	Raw        []byte
}

// TokenStatus is what a token check learned.
type TokenStatus struct {
	Valid     bool
	ExpiresAt time.Time // zero when it does not expire
	Scopes    []string
	Detail    string
}

// Connector acts on one platform. Implementations are safe for concurrent use.
type Connector interface {
	Name() Name
	// Poll returns events since cursor and the cursor to resume from. A
	// connector that only receives webhooks returns nothing.
	Poll(ctx context.Context, cred Credentials, since Cursor) ([]Event, Cursor, error)
	// Fetch returns one object with its attachments.
	Fetch(ctx context.Context, cred Credentials, externalID string) (Object, error)
	// Reply answers an object (a comment, or a message conversation).
	Reply(ctx context.Context, cred Credentials, parentID, text string) (Result, error)
	// SetHidden hides or unhides a comment.
	SetHidden(ctx context.Context, cred Credentials, externalID string, hidden bool) (Result, error)
	// Delete removes an object.
	Delete(ctx context.Context, cred Credentials, externalID string) (Result, error)
	// Publish creates a post on the account.
	Publish(ctx context.Context, cred Credentials, post PostRequest) (Result, error)
	// CheckToken tells whether the credentials still work.
	CheckToken(ctx context.Context, cred Credentials) (TokenStatus, error)
}

// Error is a failure reported by a platform, classified so that the job
// queue knows whether to retry.
type Error struct {
	Platform Name
	// Status is the HTTP status, Code the platform's own error code.
	Status int
	Code   string
	// Permanent errors can never succeed on retry: revoked token, deleted
	// object, forbidden action, bad request.
	Permanent bool
	// TokenInvalid means the channel must be reconnected.
	TokenInvalid bool
	// NotFound means the object no longer exists on the platform.
	NotFound bool
	// RetryAfter is the platform's hint for throttling, 0 if none.
	RetryAfter time.Duration
	Message    string
	Raw        []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.Platform, e.Status, e.Code, e.Message)
}

// IsPermanent reports whether err can never succeed on retry.
func IsPermanent(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.Permanent
}

// IsTokenInvalid reports whether err means the channel's token is dead.
func IsTokenInvalid(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.TokenInvalid
}

// ErrUnsupported is returned for an action a platform does not offer (e.g.
// hiding a LinkedIn comment).
var ErrUnsupported = errors.New("platform: action not supported by this platform")

// MaxRetryAfter bounds how long a platform's hint makes Tilltal wait: a
// longer one is a broken answer, not a plan, and people must not wait on it.
const MaxRetryAfter = 24 * time.Hour

// Seconds reads a count of seconds from a platform's answer (a wait, a
// token's lifetime) as a duration: 0 for none or a negative count, and
// never past max, so that a huge number cannot overflow into a negative
// or absurd duration.
func Seconds(n int64, max time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	if n >= int64(max/time.Second) {
		return max
	}
	return time.Duration(n) * time.Second
}
