package inbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
)

// Actions sends replies, hides and deletes for inbox items to the
// platforms through the outbound job queue, and applies their outcome to
// the items when they finish.
type Actions struct {
	Store    *Store
	Outbound *outbound.Service
	// Rules gives a channel's reply rules for the reply check; nil uses
	// the defaults.
	Rules RulesFunc
}

// ItemAction is an action asked for on an item, with its outcome.
type ItemAction struct {
	outbound.Action
	ItemID int64
}

// maxReply bounds a reply; the platforms allow about this much.
const maxReply = 8000

// Reply sends a reply to an item. The reply is kept as an action whatever
// happens: if the platform refuses it, it stays with the reason, and
// nothing is lost. draft identifies the form it came from: the same form
// sent twice (a double click, a browser retry) is one reply. The reply
// check runs first: a blocking finding stops the reply (a *Blocked inside
// the error) unless override gives the reason to send it anyway.
func (a *Actions) Reply(ctx context.Context, itemID int64, text, draft, override string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, apperr.Invalidf("Svaret är tomt")
	}
	if len([]rune(text)) > maxReply {
		return 0, apperr.Invalidf("Svaret är för långt (högst %d tecken)", maxReply)
	}
	it, err := a.Store.Get(ctx, itemID)
	if err != nil {
		return 0, err
	}
	reason, err := a.gate(ctx, it, text, override)
	if err != nil {
		return 0, err
	}
	id, err := a.request(ctx, itemID, outbound.KindReply, text, draft)
	if err == nil && reason != "" {
		err = a.Store.DB.InTx(ctx, func(tx *db.Tx) error {
			return a.Store.activity(ctx, tx, itemID, it.DepartmentID, a.Store.Now(), "check_override", reason)
		})
	}
	return id, err
}

// Moderate hides, unhides or deletes an item on its platform.
func (a *Actions) Moderate(ctx context.Context, itemID int64, kind outbound.Kind) (int64, error) {
	switch kind {
	case outbound.KindHide, outbound.KindUnhide, outbound.KindDelete:
	default:
		return 0, apperr.Invalidf("Okänd åtgärd %q", kind)
	}
	return a.request(ctx, itemID, kind, "", "")
}

func (a *Actions) request(ctx context.Context, itemID int64, kind outbound.Kind, text, draft string) (int64, error) {
	if len(draft) > 64 || strings.ContainsAny(draft, ": ") {
		return 0, apperr.Invalidf("Ogiltigt formulär")
	}
	if draft == "" {
		draft = nonce()
	}
	it, err := a.Store.Get(ctx, itemID)
	if err != nil {
		return 0, err
	}
	if it.Removed {
		return 0, apperr.Conflictf("Inlägget är borttaget på plattformen")
	}
	if it.FromUs && kind != outbound.KindDelete {
		return 0, apperr.Conflictf("Det här är kommunens eget inlägg")
	}
	actor := audit.ActorFrom(ctx)
	now := a.Store.Now()
	var id int64
	err = a.Store.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		var created bool
		id, created, err = a.Outbound.EnqueueTx(ctx, tx, outbound.Request{Key: fmt.Sprintf("%s:item:%d:%s", kind, itemID, draft),
			ChannelID: it.ChannelID, Kind: kind, TargetID: it.ExternalID, Text: text, UserID: actor.UserID})
		if err != nil || !created {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO item_actions (action_id, item_id, kind, created_at) VALUES (?, ?, ?, ?)", id, itemID, string(kind), now); err != nil {
			return err
		}
		return a.Store.activity(ctx, tx, itemID, it.DepartmentID, now, string(kind)+"_requested", text)
	})
	return id, err
}

// ForItem lists the actions asked for on an item, oldest first.
func (a *Actions) ForItem(ctx context.Context, itemID int64) ([]ItemAction, error) {
	rows, err := a.Store.DB.Query(ctx, "SELECT action_id FROM item_actions WHERE item_id = ? ORDER BY created_at, action_id", itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: actions: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []ItemAction
	for _, id := range ids {
		act, err := a.Outbound.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, ItemAction{Action: act, ItemID: itemID})
	}
	return out, nil
}

// Finished applies a finished action to its item, in the transaction that
// records the outcome (outbound's OnFinish hook). A sent reply becomes the
// municipality's item in the thread and answers the question; a hide or
// delete shows on the item; a failure is written on the item with its
// reason.
func (a *Actions) Finished(ctx context.Context, tx *db.Tx, act outbound.Action) error {
	var itemID int64
	err := tx.QueryRow(ctx, "SELECT item_id FROM item_actions WHERE action_id = ?", act.ID).Scan(&itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not an inbox action (a publish)
	}
	if err != nil {
		return err
	}
	now := a.Store.Now()
	var dept, channel int64
	var external, kind, thread string
	if err := tx.QueryRow(ctx, `SELECT i.department_id, i.channel_id, i.external_id, i.kind, t.external_id FROM items i JOIN threads t ON t.id = i.thread_id WHERE i.id = ?`, itemID).
		Scan(&dept, &channel, &external, &kind, &thread); err != nil {
		return err
	}
	if act.Status == outbound.StatusFailed {
		return a.Store.activity(ctx, tx, itemID, dept, now, string(act.Kind)+"_failed", act.Error)
	}
	var verb platform.Verb
	switch act.Kind {
	case outbound.KindReply:
		return a.replySent(ctx, tx, act, itemID, dept, channel, external, kind, thread, now)
	case outbound.KindHide:
		verb = platform.VerbHide
	case outbound.KindUnhide:
		verb = platform.VerbUnhide
	case outbound.KindDelete:
		verb = platform.VerbRemove
	default:
		return nil
	}
	var platformName string
	if err := tx.QueryRow(ctx, "SELECT platform FROM channels WHERE id = ?", channel).Scan(&platformName); err != nil {
		return err
	}
	ev := platform.Event{Platform: platform.Name(platformName), EventID: fmt.Sprintf("tilltal:%d", act.ID), Verb: verb, OccurredAt: now,
		Object: platform.Object{ExternalID: external}}
	if _, err := Ingest(ctx, tx, channel, ev, now); err != nil {
		return err
	}
	return a.Store.activity(ctx, tx, itemID, dept, now, string(act.Kind)+"_done", "")
}

func (a *Actions) replySent(ctx context.Context, tx *db.Tx, act outbound.Action, itemID, dept, channel int64, external, kind, thread string, now time.Time) error {
	// The reply is archived below; take the archive's lock before the
	// thread's and items' so that locks are taken in one order.
	if err := archive.LockTx(ctx, tx); err != nil {
		return err
	}
	var platformName, pageName string
	if err := tx.QueryRow(ctx, "SELECT platform, name FROM channels WHERE id = ?", channel).Scan(&platformName, &pageName); err != nil {
		return err
	}
	replyKind := platform.KindReply
	if kind == string(platform.KindMessage) {
		replyKind = platform.KindMessage
	}
	resultID := act.ResultID
	if resultID == "" {
		resultID = fmt.Sprintf("tilltal-reply-%d", act.ID)
	}
	ev := platform.Event{Platform: platform.Name(platformName), EventID: fmt.Sprintf("tilltal:%d", act.ID), Verb: platform.VerbCreate, OccurredAt: now,
		Object: platform.Object{ExternalID: resultID, Kind: replyKind, ParentID: external, ThreadID: thread, Text: act.Text, CreatedAt: now,
			Author: platform.Author{Name: pageName, IsPage: true}}}
	ing, err := Ingest(ctx, tx, channel, ev, now)
	if err != nil {
		return err
	}
	if _, err := archive.ReplyTx(ctx, tx, archive.Reply{ActionID: act.ID, QuestionItemID: itemID, ReplyItemID: ing.ItemID, ResultID: resultID,
		Text: act.Text, UserID: act.RequestedBy, SentAt: now}); err != nil {
		return err
	}
	// The question is answered even if a person had it in another state.
	if _, err := tx.Exec(ctx, `UPDATE items SET status = CASE WHEN status IN ('new', 'assigned', 'waiting') THEN 'answered' ELSE status END,
		first_response_at = COALESCE(first_response_at, ?), updated_at = ? WHERE id = ?`, now, now, itemID); err != nil {
		return err
	}
	return a.Store.activity(ctx, tx, itemID, dept, now, "reply_sent", resultID)
}

func nonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
