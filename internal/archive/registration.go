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

// RegistrationContent is the content of a registration record: the diary
// registered these records under a diary number.
type RegistrationContent struct {
	DiaryNumber string  `json:"diary_number"`
	Records     []int64 `json:"records"`
	// EntryID is the diary's own entry, 0 when the diary keeps none.
	EntryID     int64  `json:"entry_id,omitempty"`
	Description string `json:"description,omitempty"`
	By          string `json:"by"`
}

// MarkRegisteredTx is how the diary records, in its own transaction, that
// records were registered under a diary number: each record gets the
// number (searchable, and never culled from then on) and a registration
// record in the chain says so. A record already registered under another
// number is refused.
func MarkRegisteredTx(ctx context.Context, tx *db.Tx, diaryNumber string, entryID int64, description string, seqs []int64, now time.Time) (Record, error) {
	diaryNumber = strings.TrimSpace(diaryNumber)
	if diaryNumber == "" || len(diaryNumber) > 100 {
		return Record{}, apperr.Invalidf("Diarienumret saknas eller är för långt")
	}
	if len(seqs) == 0 {
		return Record{}, apperr.Invalidf("Välj minst en handling att diarieföra")
	}
	if err := LockTx(ctx, tx); err != nil {
		return Record{}, err
	}
	var first Record
	for i, seq := range seqs {
		r, err := getTx(ctx, tx, seq)
		if err != nil {
			return Record{}, apperr.NotFoundf("Handling %d finns inte i arkivet", seq)
		}
		if r.DiaryNumber != "" && r.DiaryNumber != diaryNumber {
			return Record{}, apperr.Conflictf("Handling %d är redan diarieförd som %s", seq, r.DiaryNumber)
		}
		if i == 0 {
			first = r
		}
	}
	args := []any{diaryNumber}
	for _, s := range seqs {
		args = append(args, s)
	}
	if _, err := tx.Exec(ctx, "UPDATE archive_records SET diary_number = ? WHERE seq IN ("+db.Placeholders(len(seqs))+")", args...); err != nil {
		return Record{}, fmt.Errorf("archive: register: %w", err)
	}
	actor := audit.ActorFrom(ctx)
	content, err := json.Marshal(RegistrationContent{DiaryNumber: diaryNumber, Records: seqs, EntryID: entryID, Description: description, By: actor.Label})
	if err != nil {
		return Record{}, err
	}
	rec, err := AppendTx(ctx, tx, Record{Kind: KindRegistration, ChannelID: first.ChannelID, DepartmentID: first.DepartmentID, ItemID: first.ItemID,
		ThreadID: first.ThreadID, Platform: first.Platform, Direction: Internal, OccurredAt: now, CapturedAt: now, Content: content,
		IndexText: diaryNumber + " " + description})
	if err != nil {
		return Record{}, err
	}
	// The registration record carries the number too, so that a search
	// by diary number finds it beside what it registered.
	if _, err := tx.Exec(ctx, "UPDATE archive_records SET diary_number = ? WHERE seq = ?", diaryNumber, rec.Seq); err != nil {
		return Record{}, err
	}
	rec.DiaryNumber = diaryNumber
	return rec, nil
}

// RegisterItemsTx is the diary's hook for an entry that registers inbox
// items (an item registered from the inbox, an incident's item): every
// record of the items not culled (their versions and attachments, and the
// reply record of an item that is the municipality's reply) gets the
// diary number through one registration record, and each item's class becomes registreras (a
// secret item stays sekretess, which is registered too). Items with no
// records yet (archived before the archive existed) still get the class.
// The caller must have taken the chain lock (LockTx) before anything the
// diary locks, so that registrations and appends take locks in one order.
func RegisterItemsTx(ctx context.Context, tx *db.Tx, diaryNumber string, entryID int64, description, secrecyGround string, itemIDs []int64, now time.Time) (Record, error) {
	if err := LockTx(ctx, tx); err != nil {
		return Record{}, err
	}
	var seqs []int64
	for _, id := range itemIDs {
		cur, err := currentClass(ctx, tx, id)
		if err != nil {
			return Record{}, err
		}
		next := itemClass{class: ClassRegistered, byRegistrar: true}
		if secrecyGround != "" {
			next.class, next.ground = ClassSecret, secrecyGround
		}
		if cur.unclassified || cur.class.rank() < next.class.rank() {
			if cur.unclassified {
				if _, err := readItem(ctx, tx, id); err != nil {
					return Record{}, apperr.NotFoundf("Inlägget finns inte")
				}
			}
			if err := changeClass(ctx, tx, id, cur, next, "Diarieförd som "+diaryNumber, now); err != nil {
				return Record{}, err
			}
		}
		s, err := int64s(ctx, tx, `SELECT seq FROM archive_records WHERE item_id = ? AND content IS NOT NULL
			AND kind IN ('item_version', 'reply', 'post', 'attachment') AND (diary_number = '' OR diary_number = ?) ORDER BY seq`, id, diaryNumber)
		if err != nil {
			return Record{}, err
		}
		seqs = append(seqs, s...)
	}
	if len(seqs) == 0 {
		return Record{}, nil
	}
	return MarkRegisteredTx(ctx, tx, diaryNumber, entryID, description, seqs, now)
}
