// Package inbox owns the shared inbox: items (every post, comment, reply,
// message and mention that reaches the municipality's channels), the
// threads they belong to, their versions as they are edited, hidden or
// deleted on the platform, and the work on them — status, assignment,
// notes. It turns neutral platform events into items, in the transaction
// that stores the event.
package inbox

import (
	"time"

	"tilltal/internal/apperr"
)

// Status is where an item stands in the editors' work.
type Status string

// The statuses of DESIGN.md and the inbox issue.
const (
	StatusNew      Status = "new"
	StatusAssigned Status = "assigned"
	StatusWaiting  Status = "waiting"
	StatusAnswered Status = "answered"
	StatusNoAction Status = "no_action"
	StatusHidden   Status = "hidden"
	StatusRemoved  Status = "removed"
)

// Statuses lists them in the order the UI shows them.
var Statuses = []Status{StatusNew, StatusAssigned, StatusWaiting, StatusAnswered, StatusNoAction, StatusHidden, StatusRemoved}

// Label is the status's Swedish name.
func (s Status) Label() string {
	switch s {
	case StatusNew:
		return "Ny"
	case StatusAssigned:
		return "Tilldelad"
	case StatusWaiting:
		return "Väntar på verksamhet"
	case StatusAnswered:
		return "Besvarad"
	case StatusNoAction:
		return "Ingen åtgärd"
	case StatusHidden:
		return "Dold"
	case StatusRemoved:
		return "Borttagen"
	}
	return string(s)
}

// LabelEN is the status's English name.
func (s Status) LabelEN() string {
	switch s {
	case StatusNew:
		return "New"
	case StatusAssigned:
		return "Assigned"
	case StatusWaiting:
		return "Waiting for department"
	case StatusAnswered:
		return "Answered"
	case StatusNoAction:
		return "No action"
	case StatusHidden:
		return "Hidden"
	case StatusRemoved:
		return "Removed"
	}
	return string(s)
}

// ParseStatus checks a status name.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", apperr.Invalidf("Okänd status %q", s)
}

// Open reports whether the item still needs someone.
func (s Status) Open() bool { return s == StatusNew || s == StatusAssigned || s == StatusWaiting }

// Item is one post, comment, reply, message or mention.
type Item struct {
	ID               int64
	ChannelID        int64
	ChannelName      string
	DepartmentID     int64
	ThreadID         int64
	Platform         string
	ExternalID       string
	ParentExternalID string
	Kind             string
	AuthorID         string
	AuthorName       string
	AuthorHandle     string
	AuthorURL        string
	FromUs           bool
	Body             string
	Permalink        string
	Status           Status
	AssigneeID       int64
	AssigneeName     string
	Sentiment        string
	Flags            string
	Hidden           bool
	Removed          bool
	Version          int
	PostedAt         time.Time
	ReceivedAt       time.Time
	UpdatedAt        time.Time
	FirstResponseAt  *time.Time
	ResolvedAt       *time.Time
}

// Version is one state of an item's text as the platform had it.
type Version struct {
	Version    int
	Verb       string
	Body       string
	Hidden     bool
	Removed    bool
	OccurredAt time.Time
	RecordedAt time.Time
}

// Activity is one piece of work on an item: a status change, an
// assignment, a note.
type Activity struct {
	At       time.Time
	UserID   int64
	UserName string
	Kind     string
	Detail   string
}
