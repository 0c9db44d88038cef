// Package diary keeps the diary (diarium): the registration of records and
// cases with a diary number in the municipality's format (e.g. "KS
// 2026/0042"), counted per year, with the date received, the sender where
// it is not secret, a short description, the responsible department and a
// secrecy marker. The public diary masks what is secret; entries export as
// CSV and JSON for the municipality's case management system.
package diary

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// Direction says whether a record came in, went out, or is internal.
type Direction string

// The directions of a record.
const (
	Incoming Direction = "in"
	Outgoing Direction = "out"
	Internal Direction = "internal"
)

// Entry is one registration.
type Entry struct {
	ID             int64
	Number         string
	Year, Serial   int
	ReceivedAt     time.Time
	RegisteredAt   time.Time
	Direction      Direction
	Sender         string
	Description    string
	DepartmentID   int64
	DepartmentName string
	Secret         bool
	// SecrecyGround is the legal ground, e.g. "OSL 18 kap. 1 §".
	SecrecyGround string
	// ObjectType and ObjectID link the entry to what it registers (an
	// item, an archive record, an incident).
	ObjectType, ObjectID string
}

// Masked is the entry as the public may see it: a secret entry keeps its
// number, date and department but not its sender or description.
func (e Entry) Masked() Entry {
	if !e.Secret {
		return e
	}
	e.Sender, e.Description = "[sekretess]", "[sekretessbelagd uppgift]"
	e.ObjectType, e.ObjectID = "", ""
	return e
}

// Store keeps the diary.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// New is what it takes to register.
type New struct {
	ReceivedAt    time.Time
	Direction     Direction
	Sender        string
	Description   string
	DepartmentID  int64
	Secret        bool
	SecrecyGround string
	ObjectType    string
	ObjectID      string
	// Items are the inbox items whose archive records the entry
	// registers: they get the diary number and the class registreras.
	Items []int64
}

func (n *New) validate() error {
	n.Description, n.Sender, n.SecrecyGround = strings.TrimSpace(n.Description), strings.TrimSpace(n.Sender), strings.TrimSpace(n.SecrecyGround)
	switch {
	case n.Description == "" || len(n.Description) > 2000:
		return apperr.Invalidf("Beskrivningen saknas eller är för lång")
	case n.Direction != Incoming && n.Direction != Outgoing && n.Direction != Internal:
		return apperr.Invalidf("Ange om handlingen är inkommen, upprättad/utgående eller intern")
	case n.Secret && n.SecrecyGround == "":
		return apperr.Invalidf("Ange sekretessgrunden (t.ex. OSL 18 kap. 1 §) för en sekretessmarkerad handling")
	case n.ReceivedAt.IsZero():
		return apperr.Invalidf("Datum för när handlingen kom in saknas")
	}
	return nil
}

// Register gives the next diary number of the receipt year and records the
// entry, in one transaction.
func (s *Store) Register(ctx context.Context, n New) (Entry, error) {
	var e Entry
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		e, err = s.RegisterTx(ctx, tx, n)
		return err
	})
	return e, err
}

// RegisterTx registers in tx, for callers that register what they create
// (an incident is registered in the transaction that opens it).
func (s *Store) RegisterTx(ctx context.Context, tx *db.Tx, n New) (Entry, error) {
	if err := n.validate(); err != nil {
		return Entry{}, err
	}
	now := s.Now()
	if len(n.Items) > 0 {
		// The archive's chain lock before the counter's: appends take it
		// first too, so the two never wait for each other.
		if err := archive.LockTx(ctx, tx); err != nil {
			return Entry{}, err
		}
	}
	year := n.ReceivedAt.In(calendar.Stockholm).Year()
	var serial int
	// The counter row is locked by the update until the commit, so two
	// registrations never get the same number, on any instance.
	if err := tx.QueryRow(ctx, `INSERT INTO diary_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = diary_counters.last + 1 RETURNING last`, year).Scan(&serial); err != nil {
		return Entry{}, fmt.Errorf("diary: number: %w", err)
	}
	prefix := "KS"
	_ = tx.QueryRow(ctx, "SELECT diary_prefix FROM municipality WHERE id = 1").Scan(&prefix)
	number := Format(prefix, year, serial)
	actor := audit.ActorFrom(ctx)
	id, err := tx.InsertID(ctx, `INSERT INTO diary_entries (number, year, serial, received_at, registered_at, direction, sender, description,
		department_id, secret, secrecy_ground, object_type, object_id, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		number, year, serial, n.ReceivedAt.UTC(), now, string(n.Direction), n.Sender, n.Description, nullID(n.DepartmentID), n.Secret,
		n.SecrecyGround, n.ObjectType, n.ObjectID, nullID(actor.UserID))
	if db.IsUniqueViolation(err) {
		return Entry{}, apperr.Conflictf("Diarienumret %s är redan använt", number)
	}
	if db.IsForeignKeyViolation(err) {
		return Entry{}, apperr.Invalidf("Verksamheten finns inte")
	}
	if err != nil {
		return Entry{}, fmt.Errorf("diary: register: %w", err)
	}
	if len(n.Items) > 0 {
		if _, err := archive.RegisterItemsTx(ctx, tx, number, id, n.Description, secrecyGround(n), n.Items, now); err != nil {
			return Entry{}, err
		}
	}
	// The audit summary is the number only: a secret entry's description
	// must not spread through the log.
	if err := audit.Record(ctx, tx, now, audit.Entry{Action: "diary.register", ObjectType: "diary_entry", ObjectID: audit.ID(id), DepartmentID: n.DepartmentID, Summary: number}); err != nil {
		return Entry{}, err
	}
	return Entry{ID: id, Number: number, Year: year, Serial: serial, ReceivedAt: n.ReceivedAt.UTC(), RegisteredAt: now, Direction: n.Direction,
		Sender: n.Sender, Description: n.Description, DepartmentID: n.DepartmentID, Secret: n.Secret, SecrecyGround: n.SecrecyGround,
		ObjectType: n.ObjectType, ObjectID: n.ObjectID}, nil
}

// Format writes a diary number: "KS 2026/0042".
func Format(prefix string, year, serial int) string {
	return fmt.Sprintf("%s %d/%04d", prefix, year, serial)
}

const selectEntry = `SELECT e.id, e.number, e.year, e.serial, e.received_at, e.registered_at, e.direction, e.sender, e.description,
	COALESCE(e.department_id, 0), COALESCE(d.name, ''), e.secret, e.secrecy_ground, e.object_type, e.object_id
	FROM diary_entries e LEFT JOIN departments d ON d.id = e.department_id`

func scan(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var dir string
	err := row.Scan(&e.ID, &e.Number, &e.Year, &e.Serial, &e.ReceivedAt, &e.RegisteredAt, &dir, &e.Sender, &e.Description,
		&e.DepartmentID, &e.DepartmentName, &e.Secret, &e.SecrecyGround, &e.ObjectType, &e.ObjectID)
	e.Direction = Direction(dir)
	return e, err
}

// Get returns one entry.
func (s *Store) Get(ctx context.Context, id int64) (Entry, error) {
	e, err := scan(s.DB.QueryRow(ctx, selectEntry+" WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFoundf("Diarieposten finns inte")
	}
	return e, err
}

// ForObject returns the entry that registers an object, if any.
func (s *Store) ForObject(ctx context.Context, objectType, objectID string) (Entry, error) {
	e, err := scan(s.DB.QueryRow(ctx, selectEntry+" WHERE e.object_type = ? AND e.object_id = ? ORDER BY e.id LIMIT 1", objectType, objectID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.ErrNotFound
	}
	return e, err
}

// Filter selects entries.
type Filter struct {
	Year         int
	DepartmentID int64
	Query        string
	Limit        int
}

// List returns entries, newest number first.
func (s *Store) List(ctx context.Context, f Filter) ([]Entry, error) {
	q := selectEntry + " WHERE 1 = 1"
	var args []any
	if f.Year != 0 {
		q += " AND e.year = ?"
		args = append(args, f.Year)
	}
	if f.DepartmentID != 0 {
		q += " AND e.department_id = ?"
		args = append(args, f.DepartmentID)
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		// Secret descriptions are not searchable from the list.
		q += " AND (e.number LIKE ? OR (NOT e.secret AND LOWER(e.description) LIKE LOWER(?)))"
		args = append(args, "%"+t+"%", "%"+t+"%")
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 200
	}
	rows, err := s.DB.Query(ctx, fmt.Sprintf("%s ORDER BY e.year DESC, e.serial DESC LIMIT %d", q, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("diary: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// secrecyGround is the ground the registered items are secret under; empty
// when the entry is not secret.
func secrecyGround(n New) string {
	if !n.Secret {
		return ""
	}
	return n.SecrecyGround
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
