package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Hold scopes: what a legal hold covers.
const (
	HoldChannel = "channel"
	HoldThread  = "thread"
	HoldRecord  = "record"
)

// Hold is a legal hold: while it stands nothing it covers is culled.
type Hold struct {
	ID         int64
	Scope      string
	TargetID   int64
	Reason     string
	PlacedAt   time.Time
	PlacedBy   string
	ReleasedAt *time.Time
	ReleasedBy string
}

// Describe names what the hold covers, in Swedish.
func (h Hold) Describe() string {
	switch h.Scope {
	case HoldChannel:
		return fmt.Sprintf("kanal %d", h.TargetID)
	case HoldThread:
		return fmt.Sprintf("tråd %d", h.TargetID)
	}
	return fmt.Sprintf("handling %d", h.TargetID)
}

// HoldContent is the content of a hold record.
type HoldContent struct {
	HoldID   int64  `json:"hold_id"`
	Action   string `json:"action"` // placed or released
	Scope    string `json:"scope"`
	TargetID int64  `json:"target_id"`
	Reason   string `json:"reason"`
	By       string `json:"by"`
}

// heldClause is true for a record (alias r) under an active hold. A hold on
// a record also holds the records about it (its attachments, the item
// versions of a raw delivery).
const heldClause = `EXISTS (SELECT 1 FROM archive_holds h WHERE h.released_at IS NULL AND (
	(h.scope = 'channel' AND h.target_id = r.channel_id) OR
	(h.scope = 'thread' AND r.thread_id <> 0 AND h.target_id = r.thread_id) OR
	(h.scope = 'record' AND (h.target_id = r.seq OR h.target_id = r.ref_seq))))`

// requestedClause is true for a record (alias r) selected in a records
// request that is not finished: received, under review, or decided but
// not yet sent out (a refusal stays beslutad once its decision has gone
// out, so released_at tells a finished one). As with a hold, the records
// about a selected record (its attachments) and the record it refers to
// (the raw delivery of an item version) are kept too: culling them while
// the request is open would leave a release that looks complete but is
// not.
const requestedClause = `EXISTS (SELECT 1 FROM release_records rr JOIN release_requests q ON q.id = rr.request_id
	WHERE q.status IN ('mottagen', 'under_provning', 'beslutad') AND q.released_at IS NULL AND (
	rr.seq = r.seq OR rr.seq = r.ref_seq OR EXISTS (SELECT 1 FROM archive_records s WHERE s.seq = rr.seq AND s.ref_seq = r.seq AND s.ref_seq <> 0)))`

// PlaceHold places a legal hold on a channel, a thread or a record.
func (s *Store) PlaceHold(ctx context.Context, scope string, targetID int64, reason string) (int64, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return 0, apperr.Invalidf("Ange skälet till bevarandet (högst 2000 tecken)")
	}
	now := s.now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := LockTx(ctx, tx); err != nil {
			return err
		}
		channel, err := holdTarget(ctx, tx, scope, targetID)
		if err != nil {
			return err
		}
		actor := audit.ActorFrom(ctx)
		id, err = tx.InsertID(ctx, "INSERT INTO archive_holds (scope, target_id, reason, placed_at, placed_by) VALUES (?, ?, ?, ?, ?)",
			scope, targetID, reason, now, actor.Label)
		if err != nil {
			return err
		}
		h := Hold{ID: id, Scope: scope, TargetID: targetID}
		return holdRecord(ctx, tx, h, channel, "placed", reason, now)
	})
	return id, err
}

// holdTarget checks that what a hold names exists and returns its channel.
func holdTarget(ctx context.Context, tx *db.Tx, scope string, id int64) (int64, error) {
	var q string
	switch scope {
	case HoldChannel:
		q = "SELECT id FROM channels WHERE id = ?"
	case HoldThread:
		q = "SELECT channel_id FROM threads WHERE id = ?"
	case HoldRecord:
		q = "SELECT channel_id FROM archive_records WHERE seq = ?"
	default:
		return 0, apperr.Invalidf("Bevarande gäller en kanal, en tråd eller en handling")
	}
	var channel int64
	err := tx.QueryRow(ctx, q, id).Scan(&channel)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("Det finns ingen %s med nummer %d", map[string]string{HoldChannel: "kanal", HoldThread: "tråd", HoldRecord: "handling"}[scope], id)
	}
	return channel, err
}

// holdRecord appends the record of a hold placed or released and its
// audit entry.
func holdRecord(ctx context.Context, tx *db.Tx, h Hold, channel int64, action, reason string, now time.Time) error {
	actor := audit.ActorFrom(ctx)
	content, err := json.Marshal(HoldContent{HoldID: h.ID, Action: action, Scope: h.Scope, TargetID: h.TargetID, Reason: reason, By: actor.Label})
	if err != nil {
		return err
	}
	r := Record{Kind: KindHold, ChannelID: channel, Direction: Internal, OccurredAt: now, CapturedAt: now, Content: content}
	switch h.Scope {
	case HoldThread:
		r.ThreadID = h.TargetID
	case HoldRecord:
		r.RefSeq = h.TargetID
	}
	rec, err := AppendTx(ctx, tx, r)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.hold_" + action, ObjectType: "archive_hold", ObjectID: audit.ID(h.ID),
		Summary: h.Describe() + ": " + reason, Detail: map[string]any{"record_seq": rec.Seq}})
}

// ReleaseHold lifts a legal hold; culling may then reach what it covered.
func (s *Store) ReleaseHold(ctx context.Context, id int64, reason string) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := LockTx(ctx, tx); err != nil {
			return err
		}
		var h Hold
		err := tx.QueryRow(ctx, "SELECT id, scope, target_id FROM archive_holds WHERE id = ? AND released_at IS NULL", id).Scan(&h.ID, &h.Scope, &h.TargetID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("Bevarandet finns inte eller är redan hävt")
		}
		if err != nil {
			return err
		}
		channel, err := holdTarget(ctx, tx, h.Scope, h.TargetID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE archive_holds SET released_at = ?, released_by = ? WHERE id = ?", now, audit.ActorFrom(ctx).Label, id); err != nil {
			return err
		}
		return holdRecord(ctx, tx, h, channel, "released", strings.TrimSpace(reason), now)
	})
}

// Holds lists legal holds, standing ones first, newest first.
func (s *Store) Holds(ctx context.Context, standingOnly bool) ([]Hold, error) {
	q := "SELECT id, scope, target_id, reason, placed_at, placed_by, released_at, released_by FROM archive_holds"
	if standingOnly {
		q += " WHERE released_at IS NULL"
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY (released_at IS NULL) DESC, id DESC LIMIT 500")
	if err != nil {
		return nil, fmt.Errorf("archive: holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var h Hold
		var released sql.NullTime
		if err := rows.Scan(&h.ID, &h.Scope, &h.TargetID, &h.Reason, &h.PlacedAt, &h.PlacedBy, &released, &h.ReleasedBy); err != nil {
			return nil, err
		}
		if released.Valid {
			h.ReleasedAt = &released.Time
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HoldsOn returns the standing holds that cover a record.
func (s *Store) HoldsOn(ctx context.Context, r Record) ([]Hold, error) {
	holds, err := s.Holds(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Hold
	for _, h := range holds {
		switch {
		case h.Scope == HoldChannel && h.TargetID == r.ChannelID,
			h.Scope == HoldThread && r.ThreadID != 0 && h.TargetID == r.ThreadID,
			h.Scope == HoldRecord && (h.TargetID == r.Seq || h.TargetID == r.RefSeq):
			out = append(out, h)
		}
	}
	return out, nil
}
