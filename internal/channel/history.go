package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Event is one change in a channel's history.
type Event struct {
	ID          int64
	ChannelID   int64
	At          time.Time
	ActorUserID int64
	Actor       string
	// Kind is what changed: created, requested, updated, members, rota,
	// policy, review or status.
	Kind       string
	FromStatus Status
	ToStatus   Status
	Summary    string
	Detail     map[string]any
	// Public marks changes to the public list: a channel added, changed
	// or taken off.
	Public bool
}

// record writes ev to the channel's history and the audit log, in tx.
func record(ctx context.Context, tx *db.Tx, now time.Time, departmentID int64, ev Event) (int64, error) {
	a := audit.ActorFrom(ctx)
	detail := "{}"
	if len(ev.Detail) > 0 {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return 0, fmt.Errorf("channel: history: %w", err)
		}
		detail = string(b)
	}
	var actorID any
	if a.UserID != 0 {
		actorID = a.UserID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO channel_events (channel_id, at, actor_user_id, actor, kind, from_status, to_status, summary, detail, public)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.ChannelID, now.UTC(), actorID, a.Label, ev.Kind, string(ev.FromStatus), string(ev.ToStatus), ev.Summary, detail, ev.Public)
	if err != nil {
		return 0, fmt.Errorf("channel: history: %w", err)
	}
	err = audit.Record(ctx, tx, now, audit.Entry{Action: "channel." + ev.Kind, ObjectType: "channel", ObjectID: audit.ID(ev.ChannelID),
		DepartmentID: departmentID, Summary: ev.Summary, Detail: ev.Detail})
	return id, err
}

// History returns a channel's changes, newest first.
func (s *Store) History(ctx context.Context, v Viewer, id int64) ([]Event, error) {
	if _, err := s.Get(ctx, v, id); err != nil {
		return nil, err
	}
	return queryEvents(ctx, s.DB, "WHERE channel_id = ? ORDER BY id DESC LIMIT 500", id)
}

func queryEvents(ctx context.Context, q querier, where string, args ...any) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, channel_id, at, COALESCE(actor_user_id, 0), actor, kind, from_status, to_status, summary, detail, public
		FROM channel_events `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("channel: history: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var detail string
		if err := rows.Scan(&e.ID, &e.ChannelID, &e.At, &e.ActorUserID, &e.Actor, &e.Kind, &e.FromStatus, &e.ToStatus, &e.Summary, &detail, &e.Public); err != nil {
			return nil, fmt.Errorf("channel: history: %w", err)
		}
		_ = json.Unmarshal([]byte(detail), &e.Detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
