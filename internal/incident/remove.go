package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/outbound"
)

// Remove takes a case's content off the platform's public view: it hides
// the item through the outbound queue (whose outcome lands in
// ActionFinished), adopts a hide already under way, or records that the
// item was already hidden or deleted on the platform. It is idempotent.
func (s *Store) Remove(ctx context.Context, id int64) error {
	i, err := load(ctx, s.DB, id)
	if err != nil {
		return err
	}
	var hideAction sql.NullInt64
	if err := s.DB.QueryRow(ctx, "SELECT hide_action_id FROM incidents WHERE id = ?", id).Scan(&hideAction); err != nil {
		return wrap("remove", err)
	}
	if i.RemovedAt != nil || hideAction.Valid {
		return nil
	}
	it, err := s.Actions.Store.Get(ctx, i.ItemID)
	if err != nil {
		return err
	}
	if it.Removed || it.Hidden {
		return s.alreadyRemoved(ctx, i, it.Removed)
	}
	action, err := s.pendingHide(ctx, i.ItemID)
	if err != nil {
		return err
	}
	if action == 0 {
		action, err = s.Actions.Moderate(ctx, i.ItemID, outbound.KindHide)
		if apperr.KindOf(err) == apperr.Conflict {
			// Deleted on the platform in the meantime: what arrived is
			// preserved all the same.
			return s.alreadyRemoved(ctx, i, true)
		}
		if err != nil {
			return err
		}
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE incidents SET hide_action_id = ? WHERE id = ? AND hide_action_id IS NULL", action, id); err != nil {
			return wrap("remove", err)
		}
		return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "incident.hide_requested", ObjectType: "incident", ObjectID: audit.ID(id),
			DepartmentID: i.DepartmentID, Summary: fmt.Sprintf("Döljning begärd på plattformen (åtgärd %d)", action)})
	})
}

// pendingHide returns a hide of the item already waiting in the outbound
// queue, 0 when there is none.
func (s *Store) pendingHide(ctx context.Context, itemID int64) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, `SELECT a.id FROM item_actions ia JOIN outbound_actions a ON a.id = ia.action_id
		WHERE ia.item_id = ? AND a.kind = 'hide' AND a.status = 'pending' ORDER BY a.id DESC LIMIT 1`, itemID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, wrap("pending hide", err)
}

// alreadyRemoved records the time the item left the public view before
// the case could act: when it was hidden, or deleted by its author or the
// platform.
func (s *Store) alreadyRemoved(ctx context.Context, i Incident, deleted bool) error {
	removal, cond := RemovalHidden, "hidden"
	if deleted {
		removal, cond = RemovalGone, "removed"
	}
	var at time.Time
	// The start of the current streak of versions in that state (no
	// aggregate: SQLite would hand back the time as text).
	err := s.DB.QueryRow(ctx, `SELECT occurred_at FROM item_versions WHERE item_id = ? AND `+cond+` AND version >
		(SELECT COALESCE(MAX(version), 0) FROM item_versions WHERE item_id = ? AND NOT `+cond+`) ORDER BY version LIMIT 1`, i.ItemID, i.ItemID).Scan(&at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap("removed at", err)
	}
	when := s.Now().UTC()
	if !at.IsZero() {
		when = at.UTC()
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		return s.markRemoved(ctx, tx, i.ID, i.DepartmentID, removal, when)
	})
}

// markRemoved records when the content left the public view, once.
func (s *Store) markRemoved(ctx context.Context, tx *db.Tx, id, dept int64, removal string, at time.Time) error {
	r, err := tx.Exec(ctx, "UPDATE incidents SET removed_at = ?, removal = ?, removal_error = '' WHERE id = ? AND removed_at IS NULL", at.UTC(), removal, id)
	if err != nil {
		return wrap("mark removed", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil
	}
	var received time.Time
	if err := tx.QueryRow(ctx, "SELECT received_at FROM incidents WHERE id = ?", id).Scan(&received); err != nil {
		return err
	}
	return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "incident.removed", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: dept,
		Summary: fmt.Sprintf("Borta från plattformens publika vy (%s) %s efter ankomst", removal, at.Sub(received).Round(time.Second))})
}

// HidePending hides an item pending review, for a rule that hides
// without a case. An item already hidden, removed, or with a hide under
// way is left alone.
func (s *Store) HidePending(ctx context.Context, itemID int64) error {
	it, err := s.Actions.Store.Get(ctx, itemID)
	if err != nil {
		return err
	}
	if it.Hidden || it.Removed {
		return nil
	}
	if pending, err := s.pendingHide(ctx, itemID); err != nil || pending != 0 {
		return err
	}
	_, err = s.Actions.Moderate(ctx, itemID, outbound.KindHide)
	if apperr.KindOf(err) == apperr.Conflict {
		return nil
	}
	return err
}

// ActionFinished applies a finished platform action to the case of its
// item, in the transaction that records the outcome (beside the inbox's
// own hook): a hide or delete done records the removal; a failure, or
// content shown again, is escalated to legal, the owner and whoever is on
// duty — never dropped.
func (s *Store) ActionFinished(ctx context.Context, tx *db.Tx, act outbound.Action) error {
	var id, dept, channelID int64
	var channelName string
	err := tx.QueryRow(ctx, `SELECT n.id, n.department_id, n.channel_id, c.name FROM item_actions ia JOIN incidents n ON n.item_id = ia.item_id
		JOIN channels c ON c.id = n.channel_id WHERE ia.action_id = ?`, act.ID).Scan(&id, &dept, &channelID, &channelName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return wrap("action finished", err)
	}
	done := act.DoneAt
	if done.IsZero() {
		done = s.Now()
	}
	switch {
	case act.Status == outbound.StatusFailed && (act.Kind == outbound.KindHide || act.Kind == outbound.KindDelete):
		if _, err := tx.Exec(ctx, "UPDATE incidents SET removal_error = ? WHERE id = ?", act.Error, id); err != nil {
			return err
		}
		return s.escalate(ctx, tx, id, channelID, fmt.Sprintf("Det gick inte att ta bort innehållet i %s", channelName),
			"Plattformen sa nej till att dölja eller ta bort inlägget i ärendet: "+act.Error+"\n\nFörsök igen från ärendet, eller ta bort inlägget direkt på plattformen.",
			fmt.Sprintf("incident-removal-failed:%d", act.ID))
	case act.Status != outbound.StatusDone:
		return nil
	case act.Kind == outbound.KindHide:
		return s.markRemoved(ctx, tx, id, dept, RemovalHidden, done)
	case act.Kind == outbound.KindDelete:
		if err := s.markRemoved(ctx, tx, id, dept, RemovalDeleted, done); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE incidents SET removal = ? WHERE id = ?", RemovalDeleted, id)
		return err
	case act.Kind == outbound.KindUnhide:
		return s.escalate(ctx, tx, id, channelID, fmt.Sprintf("Inlägg under ärende visas igen i %s", channelName),
			"Någon visade igen ett inlägg som döljs inom ett ärende om misstänkt brott. Kontrollera att det var avsikten.",
			fmt.Sprintf("incident-unhidden:%d", act.ID))
	}
	return nil
}

// escalate tells legal, the channel's owner and whoever is on duty.
func (s *Store) escalate(ctx context.Context, tx *db.Tx, id, channelID int64, subject, body, dedupe string) error {
	if s.Outbox == nil {
		return nil
	}
	msg := notify.Message{Subject: subject, Body: body, Link: s.link(fmt.Sprintf("/arenden/%d", id)), DedupeKey: dedupe}
	if err := s.Outbox.ToRoleTx(ctx, tx, org.Legal, msg); err != nil {
		return err
	}
	users, err := s.onDutyOrOwners(ctx, tx, channelID)
	if err != nil {
		return err
	}
	owners, err := channelOwners(ctx, tx, channelID)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, unique(append(users, owners...)), msg)
}

func unique(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// RetryRemoval asks the platform again after a failed hide.
func (s *Store) RetryRemoval(ctx context.Context, v Viewer, id int64) error {
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if i.RemovedAt != nil {
		return apperr.Conflictf("Innehållet är redan borttaget från plattformens publika vy")
	}
	if _, err := s.DB.Exec(ctx, `UPDATE incidents SET hide_action_id = NULL WHERE id = ? AND hide_action_id IN
		(SELECT id FROM outbound_actions WHERE status = 'failed')`, id); err != nil {
		return wrap("retry", err)
	}
	return s.Remove(ctx, id)
}

// Decide records what becomes of hidden content: deleted on the platform,
// or kept hidden because the police need it visible to them.
func (s *Store) Decide(ctx context.Context, v Viewer, id int64, decision string) error {
	if decision != DecisionDelete && decision != DecisionKeepHidden {
		return apperr.Invalidf("Välj att ta bort inlägget eller att behålla det dolt")
	}
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if i.Decision == DecisionDelete {
		return apperr.Conflictf("Inlägget är redan beslutat att tas bort")
	}
	var action int64
	if decision == DecisionDelete {
		if action, err = s.Actions.Moderate(ctx, i.ItemID, outbound.KindDelete); err != nil && apperr.KindOf(err) != apperr.Conflict {
			return err
		}
	}
	now := s.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE incidents SET decision = ?, decided_by = ?, decided_at = ?, delete_action_id = COALESCE(?, delete_action_id) WHERE id = ?",
			decision, nullID(v.UserID), now, nullID(action), id); err != nil {
			return wrap("decide", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "incident.decide", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID,
			Summary: "Beslut om innehållet: " + decision})
	})
}
