package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// ClassChange is one entry of an item's class history.
type ClassChange struct {
	Class         Class
	Previous      Class
	RuleID        int64
	RuleName      string
	Reason        string
	SecrecyGround string
	Actor         string
	RecordSeq     int64
	At            time.Time
}

// ItemClass is an item's registration class and how it got it.
type ItemClass struct {
	ItemID        int64
	Class         Class
	RuleID        int64
	ByRegistrar   bool
	SecrecyGround string
	History       []ClassChange
}

// ClassificationContent is the content of a classification record.
type ClassificationContent struct {
	ItemID        int64  `json:"item_id"`
	Class         Class  `json:"class"`
	Previous      Class  `json:"previous_class,omitempty"`
	RuleID        int64  `json:"rule_id,omitempty"`
	Reason        string `json:"reason,omitempty"`
	SecrecyGround string `json:"secrecy_ground,omitempty"`
	ByUserID      int64  `json:"by_user_id,omitempty"`
	By            string `json:"by"`
}

// ItemClassOf returns an item's class with its history, newest first.
func (s *Store) ItemClassOf(ctx context.Context, itemID int64) (ItemClass, error) {
	out := ItemClass{ItemID: itemID}
	var class string
	err := s.DB.QueryRow(ctx, "SELECT class, rule_id, by_registrar, secrecy_ground FROM archive_item_classes WHERE item_id = ?", itemID).
		Scan(&class, &out.RuleID, &out.ByRegistrar, &out.SecrecyGround)
	if err != nil {
		return out, apperr.NotFoundf("Inlägget har ingen registreringsklass")
	}
	out.Class = Class(class)
	rows, err := s.DB.Query(ctx, `SELECT h.class, h.previous_class, h.rule_id, COALESCE(r.name, ''), h.reason, h.secrecy_ground, h.actor, h.record_seq, h.at
		FROM archive_item_class_history h LEFT JOIN archive_triage_rules r ON r.id = h.rule_id WHERE h.item_id = ? ORDER BY h.id DESC`, itemID)
	if err != nil {
		return out, fmt.Errorf("archive: class history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c ClassChange
		var cls, prev string
		if err := rows.Scan(&cls, &prev, &c.RuleID, &c.RuleName, &c.Reason, &c.SecrecyGround, &c.Actor, &c.RecordSeq, &c.At); err != nil {
			return out, err
		}
		c.Class, c.Previous = Class(cls), Class(prev)
		out.History = append(out.History, c)
	}
	return out, rows.Err()
}

// SetClass is the registrar's decision on an item's class. A secret item
// needs its legal ground (e.g. "OSL 26 kap. 1 §"); every record of the item
// gets the secrecy marker, and the decision is appended as a
// classification record, kept in the history and the audit log.
func (s *Store) SetClass(ctx context.Context, itemID int64, class Class, reason, ground string) error {
	if _, err := ParseClass(string(class)); err != nil {
		return err
	}
	reason, ground = strings.TrimSpace(reason), strings.TrimSpace(ground)
	if class == ClassSecret && ground == "" {
		return apperr.Invalidf("Ange sekretessgrunden, till exempel ”OSL 26 kap. 1 §”")
	}
	if class != ClassSecret {
		ground = ""
	}
	if len(reason) > 2000 || len(ground) > 200 {
		return apperr.Invalidf("Motiveringen eller sekretessgrunden är för lång")
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := LockTx(ctx, tx); err != nil {
			return err
		}
		cur, err := currentClass(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if cur.unclassified {
			if _, err := readItem(ctx, tx, itemID); err != nil {
				return apperr.NotFoundf("Inlägget finns inte")
			}
		}
		if !cur.unclassified && cur.class == class && cur.ground == ground {
			return nil
		}
		next := itemClass{class: class, byRegistrar: true, ground: ground}
		return changeClass(ctx, tx, itemID, cur, next, reason, now)
	})
}

// RetriageTx runs the triage rules again for an item whose flags changed
// (moderation calls it in the transaction that flags the item). Rules only
// raise the class, and never change what the registrar decided.
func RetriageTx(ctx context.Context, tx *db.Tx, itemID int64, now time.Time) error {
	if err := LockTx(ctx, tx); err != nil {
		return err
	}
	cur, err := currentClass(ctx, tx, itemID)
	if err != nil || cur.byRegistrar {
		return err
	}
	it, err := readItem(ctx, tx, itemID)
	if err != nil {
		return err
	}
	cls, ruleID, err := triage(ctx, tx, it)
	if err != nil {
		return err
	}
	if !cur.unclassified && cls.rank() <= cur.class.rank() {
		return nil
	}
	return changeClass(ctx, tx, itemID, cur, itemClass{class: cls, ruleID: ruleID}, "", now)
}

// changeClass writes a new class, marks the item's records, appends the
// classification record and writes the history and audit entries.
func changeClass(ctx context.Context, tx *db.Tx, itemID int64, cur, next itemClass, reason string, now time.Time) error {
	it, err := readItem(ctx, tx, itemID)
	if err != nil {
		return err
	}
	if err := saveClass(ctx, tx, itemID, next, cur.class, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE archive_records SET secret = ?, secrecy_ground = ? WHERE item_id = ?", next.class == ClassSecret, next.ground, itemID); err != nil {
		return fmt.Errorf("archive: mark records: %w", err)
	}
	actor := audit.ActorFrom(ctx)
	content, err := json.Marshal(ClassificationContent{ItemID: itemID, Class: next.class, Previous: cur.class, RuleID: next.ruleID, Reason: reason,
		SecrecyGround: next.ground, ByUserID: actor.UserID, By: actor.Label})
	if err != nil {
		return err
	}
	rec, err := AppendTx(ctx, tx, Record{Kind: KindClassification, ChannelID: it.channelID, DepartmentID: it.departmentID, ItemID: itemID,
		ThreadID: it.threadID, Platform: it.platform, ExternalID: it.externalID, Direction: Internal, OccurredAt: now, CapturedAt: now,
		Content: content, Secret: next.class == ClassSecret, SecrecyGround: next.ground})
	if err != nil {
		return err
	}
	if err := historyTx(ctx, tx, itemID, next, cur.class, reason, actor.UserID, actor.Label, rec.Seq, now); err != nil {
		return err
	}
	summary := fmt.Sprintf("%s → %s", cur.class.Label(), next.class.Label())
	if cur.unclassified {
		summary = next.class.Label()
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.classify", ObjectType: "item", ObjectID: audit.ID(itemID),
		DepartmentID: it.departmentID, Summary: summary, Detail: map[string]any{"record_seq": rec.Seq, "reason": reason, "secrecy_ground": next.ground}})
}
