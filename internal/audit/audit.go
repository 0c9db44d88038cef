// Package audit keeps the audit log: who did what, when and from where, for
// every change a person or the system makes. An entry is written in the same
// transaction as the change it describes, so there is never a change without
// its entry.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/db"
)

// Actor is who made a change.
type Actor struct {
	// UserID is the person's id, 0 for the system.
	UserID int64
	// Label names the actor for the log: "anna@exempelby.se", "system:demo",
	// "token:ci (anna@exempelby.se)".
	Label string
	// IP is the remote address the request came from, if any.
	IP string
}

// System returns an actor for work done by Tilltal itself.
func System(what string) Actor { return Actor{Label: "system:" + what} }

type actorKey struct{}

// WithActor returns a context that carries the actor; the web and API layers
// set it for each request, jobs set a system actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor, or the system when none is set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return System("unknown")
}

// Entry is one line of the audit log.
type Entry struct {
	ID           int64
	At           time.Time
	ActorUserID  int64
	Actor        string
	Action       string
	ObjectType   string
	ObjectID     string
	DepartmentID int64
	Summary      string
	Detail       map[string]any
	IP           string
}

// Record writes an entry for the context's actor in tx. Action is a dotted
// verb such as "user.create"; detail holds what changed and must not hold
// secrets.
func Record(ctx context.Context, tx *db.Tx, now time.Time, e Entry) error {
	a := ActorFrom(ctx)
	detail := "{}"
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		detail = string(b)
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor_user_id, actor, action, object_type, object_id, department_id, summary, detail, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		now.UTC(), nullID(a.UserID), a.Label, e.Action, e.ObjectType, e.ObjectID, nullID(e.DepartmentID), e.Summary, detail, a.IP)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// ID formats an id for Entry.ObjectID.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Filter selects entries for List.
type Filter struct {
	// Departments limits entries to these departments (and entries with no
	// department are then left out). Nil means no limit.
	Departments []int64
	ActorUserID int64
	ObjectType  string
	ObjectID    string
	Action      string
	Since       time.Time
	Until       time.Time
	// BeforeID pages backwards: entries older than this id.
	BeforeID int64
	Limit    int
}

// List returns entries, newest first.
func List(ctx context.Context, d *db.DB, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return nil, nil
		}
		where = append(where, "department_id IN ("+db.Placeholders(len(f.Departments))+")")
		for _, id := range f.Departments {
			args = append(args, id)
		}
	}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.ActorUserID != 0 {
		add("actor_user_id = ?", f.ActorUserID)
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.Action != "" {
		add("action LIKE ?", f.Action+"%")
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UTC())
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := "SELECT id, at, COALESCE(actor_user_id, 0), actor, action, object_type, object_id, COALESCE(department_id, 0), summary, detail, ip FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorUserID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.DepartmentID, &e.Summary, &detail, &e.IP); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		_ = json.Unmarshal([]byte(detail), &e.Detail)
		out = append(out, e)
	}
	return out, rows.Err()
}
