// Package release handles records requests (utlämnande av allmän handling):
// a registrar opens a request, registers it in the diary, selects archive
// records for it, reviews them for secrecy with Tilltal's suggestions
// (personal data found by package pii, records of the secrecy class), redacts
// spans of their text with a stated legal ground, decides the request, and
// produces the release: a ZIP of HTML and PDF renditions of the redacted
// records with a checksum manifest, and, when the request is refused in
// whole or in part, the decision with its appeal notice.
//
// The archive is append-only and stays so: a redaction is a span
// [start, end) in Unicode code points of a record's text, stored in this
// package's tables and applied only when the release is rendered. Every
// string in the release is built from a redacted model, and before a bundle
// leaves Tilltal every file (and every string the PDF is drawn from) is
// checked for every redacted passage; media in quarantine (suspected child
// sexual abuse material) and its metadata are never released.
package release

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/diary"
)

// Status is where a request stands: mottagen → under prövning → beslutad →
// utlämnad.
type Status string

// The statuses of a request.
const (
	Received  Status = "mottagen"
	Reviewing Status = "under_provning"
	Decided   Status = "beslutad"
	Released  Status = "utlamnad"
)

// Label is the status in Swedish.
func (s Status) Label() string {
	switch s {
	case Received:
		return "Mottagen"
	case Reviewing:
		return "Under prövning"
	case Decided:
		return "Beslutad"
	case Released:
		return "Utlämnad"
	}
	return string(s)
}

// LabelEN is the status in English.
func (s Status) LabelEN() string {
	switch s {
	case Received:
		return "Received"
	case Reviewing:
		return "Under review"
	case Decided:
		return "Decided"
	case Released:
		return "Released"
	}
	return string(s)
}

// Request is one records request.
type Request struct {
	ID int64
	// RequesterName and RequesterContact are empty for an anonymous
	// requester: Swedish law lets anyone ask without saying who they are.
	RequesterName    string
	RequesterContact string
	Anonymous        bool
	ReceivedAt       time.Time
	// Subject is what the requester asked for, in their words.
	Subject      string
	DiaryNumber  string
	DiaryEntryID int64
	Status       Status
	Outcome      Outcome
	// Grounds are the legal grounds the decision cites beyond those of the
	// redactions and withheld records, one per line.
	Grounds     string
	Reasoning   string
	DecidedAt   *time.Time
	DeciderName string
	ReleasedAt  *time.Time
	// BundleSHA256 is the checksum of the last bundle released.
	BundleSHA256 string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Requester names the requester for lists and the decision.
func (r Request) Requester() string {
	if r.Anonymous || strings.TrimSpace(r.RequesterName) == "" {
		return "Anonym sökande"
	}
	return r.RequesterName
}

// Open is what it takes to open a request.
type Open struct {
	RequesterName    string
	RequesterContact string
	Anonymous        bool
	ReceivedAt       time.Time
	Subject          string
	// Register asks for the request to be registered in the diary.
	Register     bool
	DepartmentID int64
}

// Store keeps records requests.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// New returns a store on d with a clock.
func New(d *db.DB, now func() time.Time) *Store { return &Store{DB: d, Now: now} }

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (o *Open) validate() error {
	o.RequesterName, o.RequesterContact, o.Subject = strings.TrimSpace(o.RequesterName), strings.TrimSpace(o.RequesterContact), strings.TrimSpace(o.Subject)
	if o.Anonymous {
		o.RequesterName = ""
	}
	switch {
	case o.Subject == "":
		return apperr.Invalidf("Beskriv vad sökanden begär att få ta del av")
	case utf8.RuneCountInString(o.Subject) > 2000:
		return apperr.Invalidf("Beskrivningen av begäran är för lång (högst 2 000 tecken)")
	case utf8.RuneCountInString(o.RequesterName) > 200 || utf8.RuneCountInString(o.RequesterContact) > 500:
		return apperr.Invalidf("Sökandens namn eller kontaktuppgift är för lång")
	case o.ReceivedAt.IsZero():
		return apperr.Invalidf("Ange när begäran kom in")
	}
	return nil
}

// Open records a new request and, when asked, registers it in the diary in
// the same transaction.
func (s *Store) Open(ctx context.Context, o Open) (Request, error) {
	if err := o.validate(); err != nil {
		return Request{}, err
	}
	now := s.now()
	actor := audit.ActorFrom(ctx)
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO release_requests (requester_name, requester_contact, anonymous, received_at, subject, status, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.RequesterName, o.RequesterContact, o.Anonymous, o.ReceivedAt.UTC(), o.Subject, string(Received), now, nullID(actor.UserID), now)
		if err != nil {
			return fmt.Errorf("release: open: %w", err)
		}
		summary := "Begäran om utlämnande öppnad"
		if o.Register {
			sender := o.RequesterName
			if sender == "" {
				sender = "Anonym sökande"
			}
			e, err := (&diary.Store{DB: s.DB, Now: s.Now}).RegisterTx(ctx, tx, diary.New{ReceivedAt: o.ReceivedAt, Direction: diary.Incoming, Sender: sender,
				Description: "Begäran om att ta del av allmänna handlingar: " + o.Subject, DepartmentID: o.DepartmentID, ObjectType: "release_request", ObjectID: audit.ID(id)})
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE release_requests SET diary_number = ?, diary_entry_id = ? WHERE id = ?", e.Number, e.ID, id); err != nil {
				return fmt.Errorf("release: open: %w", err)
			}
			summary += ", diarienummer " + e.Number
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.open", ObjectType: "release_request", ObjectID: audit.ID(id), Summary: summary,
			Detail: map[string]any{"anonymous": o.Anonymous}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Get(ctx, id)
}

const selectRequest = `SELECT id, requester_name, requester_contact, anonymous, received_at, subject, diary_number, COALESCE(diary_entry_id, 0), status, outcome,
	grounds, reasoning, decided_at, decider_name, released_at, bundle_sha256, created_at, updated_at FROM release_requests`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var status, outcome string
	var decided, released sql.NullTime
	err := row.Scan(&r.ID, &r.RequesterName, &r.RequesterContact, &r.Anonymous, &r.ReceivedAt, &r.Subject, &r.DiaryNumber, &r.DiaryEntryID, &status, &outcome,
		&r.Grounds, &r.Reasoning, &decided, &r.DeciderName, &released, &r.BundleSHA256, &r.CreatedAt, &r.UpdatedAt)
	r.Status, r.Outcome = Status(status), Outcome(outcome)
	r.ReceivedAt, r.CreatedAt, r.UpdatedAt = r.ReceivedAt.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		r.DecidedAt = &t
	}
	if released.Valid {
		t := released.Time.UTC()
		r.ReleasedAt = &t
	}
	return r, err
}

// Get returns one request.
func (s *Store) Get(ctx context.Context, id int64) (Request, error) {
	r, err := scanRequest(s.DB.QueryRow(ctx, selectRequest+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, apperr.NotFoundf("Begäran finns inte")
	}
	if err != nil {
		return Request{}, fmt.Errorf("release: get %d: %w", id, err)
	}
	return r, nil
}

// List returns requests, newest received first; status "" lists all.
func (s *Store) List(ctx context.Context, status Status) ([]Request, error) {
	q, args := selectRequest, []any{}
	if status != "" {
		q += " WHERE status = ?"
		args = append(args, string(status))
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY received_at DESC, id DESC LIMIT 500", args...)
	if err != nil {
		return nil, fmt.Errorf("release: list: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("release: list: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// openForReview reads a request in tx and refuses changes once it is
// decided; a received request moves to under review with its first change.
func openForReview(ctx context.Context, tx *db.Tx, id int64, now time.Time) error {
	var status string
	err := tx.QueryRow(ctx, "SELECT status FROM release_requests WHERE id = ?", id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("Begäran finns inte")
	}
	if err != nil {
		return fmt.Errorf("release: read status: %w", err)
	}
	if Status(status) == Decided || Status(status) == Released {
		return apperr.Conflictf("Begäran är redan beslutad; urvalet och maskeringarna kan inte längre ändras")
	}
	_, err = tx.Exec(ctx, "UPDATE release_requests SET status = ?, updated_at = ? WHERE id = ?", string(Reviewing), now, id)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Case is a request with its selected records and their redactions: what
// the request's page, its secrecy review and the API show together.
type Case struct {
	Request    Request
	Records    []Selected
	Redactions []Redaction
}

// Case reads a request with its records and redactions.
func (s *Store) Case(ctx context.Context, id int64) (Case, error) {
	var c Case
	var err error
	if c.Request, err = s.Get(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Records, err = s.Records(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Redactions, err = s.Redactions(ctx, id); err != nil {
		return Case{}, err
	}
	return c, nil
}
