// Package incident handles criminal content in the inbox the way §5 of the
// law on electronic bulletin boards (1998:112) and the municipality's
// guideline ask: per-channel rules applied the moment an item is
// classified; the incident case (ärende) that preserves the evidence in a
// sealed, encrypted vault, removes the content on the platform against a
// time target, prepares the police-report bundle and registers the case in
// the diary; child sexual abuse material handled apart (metadata only,
// media quarantined); and the moderation report.
//
// Incidents and the vault are visible to the legal role and to the owner of
// the channel only; every look into the vault is written to the audit log.
package incident

import (
	"context"
	"database/sql"
	"time"

	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/diary"
	"tilltal/internal/inbox"
	"tilltal/internal/jobs"
	"tilltal/internal/moderation/score"
	"tilltal/internal/notify"
	"tilltal/internal/platform"
	"tilltal/internal/secret"
)

// Status is where a case stands.
type Status string

// The states of a case.
const (
	// StatusOpen: not yet reported to the police.
	StatusOpen Status = "open"
	// StatusReported: the police's report number (or, for child sexual
	// abuse material, the tip reference) is recorded.
	StatusReported Status = "reported"
	// StatusClosed: nothing more to do.
	StatusClosed Status = "closed"
)

// How the content left the platform's public view.
const (
	RemovalHidden  = "hidden"
	RemovalDeleted = "deleted"
	// RemovalGone: the author or the platform deleted it before Tilltal
	// could hide it.
	RemovalGone = "gone"
)

// The decisions on hidden content.
const (
	DecisionDelete     = "delete"
	DecisionKeepHidden = "keep_hidden"
)

// DefaultRemovalTarget is how long content may stay visible after it
// arrived when a case is opened on it, unless the channel sets another.
const DefaultRemovalTarget = time.Hour

// SecrecyGround is the legal ground given to every case in the diary: the
// case concerns a suspected crime to be reported to the police.
const SecrecyGround = "OSL 18 kap. 1 §"

// Incident is one case.
type Incident struct {
	ID           int64
	ItemID       int64
	ChannelID    int64
	ChannelName  string
	Platform     string
	DepartmentID int64
	Category     score.Category
	Status       Status
	OpenedBy     int64
	OpenedByName string
	OpenedByRule bool
	Note         string
	PostedAt     time.Time
	ReceivedAt   time.Time
	OpenedAt     time.Time
	// RemovalTarget is how long after arrival the content must be off the
	// platform's public view.
	RemovalTarget time.Duration
	RemovedAt     *time.Time
	Removal       string
	// RemovalError says why the last hide or delete failed.
	RemovalError     string
	RemovalAlertedAt *time.Time
	Decision         string
	DecidedAt        *time.Time
	PreservedAt      *time.Time
	SealSHA256       string
	DiaryNumber      string
	// PoliceReportNumber is the police's K-nummer.
	PoliceReportNumber string
	ReportedAt         *time.Time
	// PlatformReportID is the platform's id of the report made to it
	// (child sexual abuse material).
	PlatformReportID string
	// TipReference is the police's reference for a tip about child sexual
	// abuse material.
	TipReference  string
	PoliceActedAt *time.Time
	ClosedAt      *time.Time
}

// CSAM reports whether the case is about child sexual abuse material,
// which is handled apart: metadata only.
func (i Incident) CSAM() bool { return i.Category == score.CSAM }

// TimeToRemoval is how long the content was visible after it arrived;
// false while it is still visible.
func (i Incident) TimeToRemoval() (time.Duration, bool) {
	if i.RemovedAt == nil {
		return 0, false
	}
	d := i.RemovedAt.Sub(i.ReceivedAt)
	if d < 0 {
		d = 0
	}
	return d, true
}

// RemovalTime is TimeToRemoval for templates: 0 while still visible.
func (i Incident) RemovalTime() time.Duration {
	d, _ := i.TimeToRemoval()
	return d
}

// RemovalDue is when the content must be removed.
func (i Incident) RemovalDue() time.Time { return i.ReceivedAt.Add(i.RemovalTarget) }

// RemovalLate reports whether the target was or is being missed.
func (i Incident) RemovalLate(now time.Time) bool {
	if i.RemovedAt != nil {
		return i.RemovedAt.After(i.RemovalDue())
	}
	return now.After(i.RemovalDue())
}

// Viewer is who asks to see cases: legal sees every case, anyone else only
// the cases of channels they own.
type Viewer struct {
	UserID int64
	Legal  bool
}

// Duty tells who is on call for a channel; the channel registry
// implements it from the rota.
type Duty interface {
	OnDuty(ctx context.Context, channelID int64, at time.Time) ([]int64, error)
}

// Credentials gives a channel's platform credentials, for capturing the
// object as the platform shows it.
type Credentials interface {
	Credentials(ctx context.Context, channelID int64) (platform.Credentials, error)
}

// Fetcher fetches an attachment's content for the vault. It is never
// called for child sexual abuse material.
type Fetcher func(ctx context.Context, url string) (data []byte, contentType string, err error)

// Store keeps rules, cases and the vault.
type Store struct {
	DB *db.DB
	// Queue runs preservation, removal and alerts; cases enqueue their
	// jobs in the transaction that opens them.
	Queue   *jobs.Queue
	Secrets *secret.Box
	Diary   *diary.Store
	Outbox  *notify.Outbox
	// Actions hide and delete on the platform through the outbound queue.
	Actions  *inbox.Actions
	Channels *channel.Store
	Duty     Duty
	// Connectors and Credentials let the vault capture the object as the
	// platform shows it; nil leaves the capture to what arrived.
	Connectors  map[platform.Name]platform.Connector
	Credentials Credentials
	// Fetch, when set, fetches attachments into the vault.
	Fetch   Fetcher
	Now     func() time.Time
	BaseURL string
}

// querier is what both *db.DB and *db.Tx offer for reading.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}
