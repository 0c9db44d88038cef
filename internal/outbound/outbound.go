// Package outbound performs Tilltal's actions on the platforms — reply,
// hide, unhide, delete, publish, private reply — as jobs on the queue. Each
// action is a row with a unique idempotency key, written in the transaction
// of whatever asked for it together with its job. The job checks the row
// first, so a retried job never acts twice; it retries 5xx and throttling
// (waiting as long as the platform asks), never retries what cannot
// succeed, and records the platform's raw answer whatever it was, so that
// a failure is never shown as a success.
package outbound

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/platform"
)

// Kind is what an action does.
type Kind string

// The kinds of action.
const (
	KindReply        Kind = "reply"
	KindHide         Kind = "hide"
	KindUnhide       Kind = "unhide"
	KindDelete       Kind = "delete"
	KindPublish      Kind = "publish"
	KindPrivateReply Kind = "private_reply"
)

// Status is where an action stands.
type Status string

// The states of an action. Done and failed are final.
const (
	StatusPending Status = "pending"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
)

// Request asks for an action.
type Request struct {
	// Key makes the request idempotent: a second request with the same key
	// is the same action (e.g. "reply:item:42:draft:7").
	Key       string
	ChannelID int64
	Kind      Kind
	// TargetID is the platform's id of what is acted on: the parent of a
	// reply, the comment to hide or delete. Empty for a publish.
	TargetID string
	Text     string
	Post     platform.PostRequest
	// UserID is who asked, 0 for the system.
	UserID int64
}

// Action is a requested action and what became of it.
type Action struct {
	ID        int64
	Key       string
	ChannelID int64
	Kind      Kind
	TargetID  string
	Text      string
	Post      platform.PostRequest
	Status    Status
	Attempts  int
	// ResultID is the platform's id of what the action made (the reply,
	// the post).
	ResultID string
	// Raw is the platform's last answer, kept verbatim.
	Raw string
	// Error is a Swedish summary of why the action failed or is waiting.
	Error         string
	RequestedBy   int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LastAttemptAt time.Time
	DoneAt        time.Time
}

// Service requests and performs actions.
type Service struct {
	DB          *db.DB
	Queue       *jobs.Queue
	Credentials *credential.Store
	Connectors  map[platform.Name]platform.Connector
	Now         func() time.Time
	// OnFinish, when set, runs in the transaction that marks an action done
	// or failed: the inbox updates its item there.
	OnFinish func(ctx context.Context, tx *db.Tx, a Action) error
}

// ActionArgs is the job that performs one action.
type ActionArgs struct {
	ActionID int64 `json:"action_id"`
}

// Kind names the job.
func (ActionArgs) Kind() string { return "outbound.action" }

// InsertOpts makes the job unique per action.
func (ActionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// MaxAttempts bounds how often an action is tried before it fails.
const MaxAttempts = 10

func (r Request) validate() error {
	if strings.TrimSpace(r.Key) == "" {
		return apperr.Invalidf("Åtgärden saknar idempotensnyckel")
	}
	if r.ChannelID == 0 {
		return apperr.Invalidf("Åtgärden saknar kanal")
	}
	switch r.Kind {
	case KindReply, KindPrivateReply:
		if strings.TrimSpace(r.Text) == "" {
			return apperr.Invalidf("Svaret är tomt")
		}
	case KindHide, KindUnhide, KindDelete:
	case KindPublish:
		if strings.TrimSpace(r.Post.Text) == "" && r.Post.ImageURL == "" && r.Post.Link == "" {
			return apperr.Invalidf("Inlägget är tomt")
		}
		return nil
	default:
		return apperr.Invalidf("Okänd åtgärd %q", r.Kind)
	}
	if strings.TrimSpace(r.TargetID) == "" {
		return apperr.Invalidf("Åtgärden saknar mål")
	}
	return nil
}

// EnqueueTx records the action and its job in tx. A request whose key is
// already known returns the existing action's id and created false.
func (s *Service) EnqueueTx(ctx context.Context, tx *db.Tx, r Request) (id int64, created bool, err error) {
	if err := r.validate(); err != nil {
		return 0, false, err
	}
	post, err := json.Marshal(r.Post)
	if err != nil {
		return 0, false, err
	}
	now := s.Now().UTC()
	err = tx.QueryRow(ctx, `INSERT INTO outbound_actions (idempotency_key, channel_id, kind, target_id, body, request_json, requested_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		r.Key, r.ChannelID, string(r.Kind), r.TargetID, r.Text, string(post), nullID(r.UserID), now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRow(ctx, "SELECT id FROM outbound_actions WHERE idempotency_key = ?", r.Key).Scan(&id)
		return id, false, err
	}
	if db.IsForeignKeyViolation(err) {
		return 0, false, apperr.NotFoundf("Kanalen finns inte")
	}
	if err != nil {
		return 0, false, fmt.Errorf("outbound: enqueue: %w", err)
	}
	if _, err := s.Queue.InsertTx(ctx, tx, ActionArgs{ActionID: id}, nil); err != nil {
		return 0, false, err
	}
	err = audit.Record(ctx, tx, now, audit.Entry{Action: "outbound.request", ObjectType: "outbound_action", ObjectID: audit.ID(id),
		Summary: string(r.Kind) + " " + r.TargetID, Detail: map[string]any{"channel_id": r.ChannelID, "key": r.Key}})
	return id, true, err
}

// Enqueue is EnqueueTx in a transaction of its own.
func (s *Service) Enqueue(ctx context.Context, r Request) (int64, error) {
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, _, err = s.EnqueueTx(ctx, tx, r)
		return err
	})
	return id, err
}

const actionColumns = `id, idempotency_key, channel_id, kind, target_id, body, request_json, status, attempts, result_external_id,
	raw_response, error_summary, COALESCE(requested_by, 0), created_at, updated_at, last_attempt_at, done_at`

type scanner interface{ Scan(...any) error }

func scanAction(row scanner) (Action, error) {
	var a Action
	var post string
	var last, done sql.NullTime
	err := row.Scan(&a.ID, &a.Key, &a.ChannelID, &a.Kind, &a.TargetID, &a.Text, &post, &a.Status, &a.Attempts, &a.ResultID,
		&a.Raw, &a.Error, &a.RequestedBy, &a.CreatedAt, &a.UpdatedAt, &last, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.ErrNotFound
	}
	if err != nil {
		return a, err
	}
	_ = json.Unmarshal([]byte(post), &a.Post)
	a.LastAttemptAt, a.DoneAt = last.Time, done.Time
	return a, nil
}

// Get returns one action.
func (s *Service) Get(ctx context.Context, id int64) (Action, error) {
	return scanAction(s.DB.QueryRow(ctx, "SELECT "+actionColumns+" FROM outbound_actions WHERE id = ?", id))
}

// ByKey returns the action with an idempotency key.
func (s *Service) ByKey(ctx context.Context, key string) (Action, error) {
	return scanAction(s.DB.QueryRow(ctx, "SELECT "+actionColumns+" FROM outbound_actions WHERE idempotency_key = ?", key))
}

// List returns a channel's actions (all channels when 0), newest first,
// optionally only those in one status.
func (s *Service) List(ctx context.Context, channelID int64, status Status, limit int) ([]Action, error) {
	var where []string
	var args []any
	if channelID != 0 {
		where, args = append(where, "channel_id = ?"), append(args, channelID)
	}
	if status != "" {
		where, args = append(where, "status = ?"), append(args, string(status))
	}
	q := "SELECT " + actionColumns + " FROM outbound_actions"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("outbound: list: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
