package inbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/platform"
	"tilltal/internal/swedish"
)

// maxBody bounds the text kept per item; platforms allow far less.
const maxBody = 64 << 10

// Ingested says what an event did to the inbox.
type Ingested struct {
	ItemID  int64
	Created bool
	Changed bool
}

// Ingest applies one platform event to the inbox in tx: a new item in its
// thread, a new version of an edited one, or a hidden or removed mark. It is
// idempotent — the same event applied twice changes nothing the second time —
// and tolerates events out of order (an edit before its create makes the
// item from the edit, and the late create leaves its text). Edits are
// applied in the order they come: intake processes the deliveries that
// touch an object in the order they were stored (see intake.processBatch).
func Ingest(ctx context.Context, tx *db.Tx, channelID int64, ev platform.Event, now time.Time) (Ingested, error) {
	var deptID int64
	if err := tx.QueryRow(ctx, "SELECT department_id FROM channels WHERE id = ?", channelID).Scan(&deptID); err != nil {
		return Ingested{}, fmt.Errorf("inbox: ingest: channel %d: %w", channelID, err)
	}
	obj := ev.Object
	if obj.ExternalID == "" {
		return Ingested{}, fmt.Errorf("inbox: ingest: event %s has no object id", ev.EventID)
	}
	obj = cleanObject(obj)
	at := ev.OccurredAt
	if at.IsZero() {
		at = now
	}
	var id int64
	var version int
	var body string
	var hidden, removed bool
	var culledAt *time.Time
	err := tx.QueryRow(ctx, "SELECT id, version, body, hidden, removed, culled_at FROM items WHERE channel_id = ? AND external_id = ?", channelID, obj.ExternalID).
		Scan(&id, &version, &body, &hidden, &removed, &culledAt)
	if errors.Is(err, sql.ErrNoRows) {
		return create(ctx, tx, channelID, deptID, ev, obj, at, now)
	}
	if err != nil {
		return Ingested{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if culledAt != nil {
		return ingestCulled(ctx, tx, id, version, ev, obj, state{hidden: hidden, removed: removed}, at, now)
	}
	next := state{body: body, hidden: hidden, removed: removed}
	switch ev.Verb {
	case platform.VerbCreate:
		// A create is the object's first state. When the item exists, a
		// later event that came first (an edit, a hide) made it, and what
		// it holds is newer than the create's text, which only fills a
		// body still empty: a late create never reverts an edit.
		if body == "" {
			next.body = obj.Text
		}
	case platform.VerbEdit:
		next.body = obj.Text
	case platform.VerbHide:
		next.hidden = true
	case platform.VerbUnhide:
		next.hidden = false
	case platform.VerbRemove:
		next.removed = true
	}
	if next == (state{body: body, hidden: hidden, removed: removed}) {
		return Ingested{ItemID: id}, nil
	}
	return Ingested{ItemID: id, Changed: true}, update(ctx, tx, id, version+1, ev.Verb, next, at, now)
}

// ingestCulled applies an event to an item retention culled. Its body is
// only the culling stub, which the citizen never wrote, so no version is
// made from it: hide, unhide and remove change the item's flags and
// status and nothing else (the raw delivery in the archive records the
// event). An edit or create that carries text is a new record arriving
// after the culling: it is kept as a new version with that text and its
// author, and the item is no longer culled (culled_at is cleared, since
// the item now has content again that the next culling decides on).
func ingestCulled(ctx context.Context, tx *db.Tx, id int64, version int, ev platform.Event, obj platform.Object, cur state, at, now time.Time) (Ingested, error) {
	next := cur
	switch ev.Verb {
	case platform.VerbCreate, platform.VerbEdit:
		if obj.Text == "" {
			return Ingested{ItemID: id}, nil
		}
		next.body = obj.Text
		if _, err := tx.Exec(ctx, `UPDATE items SET culled_at = NULL, author_id = ?, author_name = ?, author_handle = ?, author_url = ? WHERE id = ?`,
			obj.Author.ExternalID, obj.Author.Name, obj.Author.Handle, obj.Author.ProfileURL, id); err != nil {
			return Ingested{}, fmt.Errorf("inbox: ingest: uncull: %w", err)
		}
		return Ingested{ItemID: id, Changed: true}, update(ctx, tx, id, version+1, ev.Verb, next, at, now)
	case platform.VerbHide:
		next.hidden = true
	case platform.VerbUnhide:
		next.hidden = false
	case platform.VerbRemove:
		next.removed = true
	}
	if next == cur {
		return Ingested{ItemID: id}, nil
	}
	if _, err := tx.Exec(ctx, "UPDATE items SET hidden = ?, removed = ?, updated_at = ?"+statusSet(ev.Verb, next)+" WHERE id = ?", next.hidden, next.removed, now, id); err != nil {
		return Ingested{}, fmt.Errorf("inbox: ingest: culled item: %w", err)
	}
	return Ingested{ItemID: id, Changed: true}, nil
}

type state struct {
	body            string
	hidden, removed bool
}

func create(ctx context.Context, tx *db.Tx, channelID, deptID int64, ev platform.Event, obj platform.Object, at, now time.Time) (Ingested, error) {
	threadID, err := thread(ctx, tx, channelID, obj, at)
	if err != nil {
		return Ingested{}, err
	}
	r := newItemRow(channelID, deptID, ev, obj, at, now)
	r.threadID = threadID
	r.searchText = swedish.IndexText(r.state.body)
	id, err := tx.InsertID(ctx, "INSERT INTO items ("+insertColumns+") VALUES ("+db.Placeholders(24)+")", r.args()...)
	if db.IsUniqueViolation(err) {
		// Another transaction created it first; treat this as a repeat.
		return Ingested{}, fmt.Errorf("inbox: ingest: concurrent create of %s: %w", obj.ExternalID, err)
	}
	if err != nil {
		return Ingested{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if err := addVersion(ctx, tx, id, 1, ev.Verb, r.state, at, now); err != nil {
		return Ingested{}, err
	}
	if obj.Author.IsPage && obj.ParentID != "" {
		if err := markAnsweredByUs(ctx, tx, channelID, obj.ParentID, r.posted); err != nil {
			return Ingested{}, err
		}
	}
	return Ingested{ItemID: id, Created: true, Changed: true}, nil
}

// itemRow is a new item as inserted.
type itemRow struct {
	channelID, deptID, threadID int64
	platform                    platform.Name
	verb                        platform.Verb
	obj                         platform.Object
	state                       state
	status                      Status
	attachments                 string
	searchText                  string
	sentiment, flags            string
	posted, at, now             time.Time
}

// newItemRow is the item an event creates: its status follows from who
// wrote it and whether the event hid or removed it.
func newItemRow(channelID, deptID int64, ev platform.Event, obj platform.Object, at, now time.Time) itemRow {
	st := state{body: obj.Text, hidden: obj.Hidden || ev.Verb == platform.VerbHide, removed: ev.Verb == platform.VerbRemove}
	status := StatusNew
	switch {
	case obj.Author.IsPage:
		status = StatusNoAction
	case st.removed:
		status = StatusRemoved
	case st.hidden:
		status = StatusHidden
	}
	posted := obj.CreatedAt
	if posted.IsZero() {
		posted = at
	}
	attachments := []byte("[]")
	if obj.Attachments != nil {
		attachments, _ = json.Marshal(obj.Attachments)
	}
	return itemRow{channelID: channelID, deptID: deptID, platform: ev.Platform, verb: ev.Verb, obj: obj, state: st, status: status,
		attachments: string(attachments), posted: posted.UTC(), at: at, now: now}
}

// args are the values of insertColumns.
func (r itemRow) args() []any {
	o := r.obj
	return []any{r.channelID, r.deptID, r.threadID, string(r.platform), o.ExternalID, o.ParentID, string(o.Kind),
		o.Author.ExternalID, o.Author.Name, o.Author.Handle, o.Author.ProfileURL, o.Author.IsPage,
		r.state.body, r.searchText, o.Permalink, r.attachments, string(r.status), r.state.hidden, r.state.removed,
		r.posted, r.now, r.now, r.sentiment, r.flags}
}

// archived is the item as archive.NewItemsTx takes it.
func (r itemRow) archived(id int64, threadExternal string, src archive.Source) archive.NewItem {
	o := r.obj
	return archive.NewItem{
		Version: archive.ItemVersion{ItemID: id, Version: 1, Verb: string(r.verb), Text: r.state.body, Hidden: r.state.hidden, Removed: r.state.removed,
			OccurredAt: r.at, CapturedAt: r.now},
		ChannelID: r.channelID, DepartmentID: r.deptID, ThreadID: r.threadID, Platform: string(r.platform), ExternalID: o.ExternalID,
		ParentID: o.ParentID, Kind: string(o.Kind), AuthorID: o.Author.ExternalID, AuthorName: o.Author.Name, AuthorHandle: o.Author.Handle,
		AuthorURL: o.Author.ProfileURL, Permalink: o.Permalink, ThreadExternalID: threadExternal, Attachments: r.attachments, Flags: r.flags,
		FromUs: o.Author.IsPage, PostedAt: r.posted, Source: src, IndexedText: r.searchText}
}

// threadExternal is the platform id of an object's thread: the post it
// belongs to, or the message conversation.
func threadExternal(obj platform.Object) string {
	switch {
	case obj.ThreadID != "":
		return obj.ThreadID
	case obj.ParentID != "":
		return obj.ParentID
	}
	return obj.ExternalID
}

func threadKind(obj platform.Object) string {
	if obj.Kind == platform.KindMessage {
		return "conversation"
	}
	return "post"
}

// thread finds or makes the item's thread: the post it belongs to, or the
// message conversation.
func thread(ctx context.Context, tx *db.Tx, channelID int64, obj platform.Object, at time.Time) (int64, error) {
	ext := threadExternal(obj)
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM threads WHERE channel_id = ? AND external_id = ?", channelID, ext).Scan(&id)
	if err == nil {
		_, err = tx.Exec(ctx, "UPDATE threads SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?", at.UTC(), id, at.UTC())
		return id, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	title := ""
	if ext == obj.ExternalID {
		title = truncateRunes(obj.Text, 120)
	}
	return tx.InsertID(ctx, "INSERT INTO threads (channel_id, external_id, kind, title, permalink, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		channelID, ext, threadKind(obj), title, obj.Permalink, at.UTC(), at.UTC())
}

func update(ctx context.Context, tx *db.Tx, id int64, version int, verb platform.Verb, st state, at, now time.Time) error {
	q := "UPDATE items SET body = ?, search_text = ?, hidden = ?, removed = ?, version = ?, updated_at = ?" + statusSet(verb, st)
	if _, err := tx.Exec(ctx, q+" WHERE id = ?", st.body, swedish.IndexText(st.body), st.hidden, st.removed, version, now, id); err != nil {
		return fmt.Errorf("inbox: ingest: update: %w", err)
	}
	return addVersion(ctx, tx, id, version, verb, st, at, now)
}

// statusSet is the SET clause of the item's status after an event that
// leaves it in st: removed or hidden, or back in view after an unhide
// (it needs someone again unless it was answered).
func statusSet(verb platform.Verb, st state) string {
	switch {
	case st.removed:
		return ", status = '" + string(StatusRemoved) + "'"
	case st.hidden:
		return ", status = '" + string(StatusHidden) + "'"
	case verb == platform.VerbUnhide:
		return ", status = CASE WHEN status = 'hidden' THEN 'new' ELSE status END"
	}
	return ""
}

func addVersion(ctx context.Context, tx *db.Tx, itemID int64, version int, verb platform.Verb, st state, at, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO item_versions (item_id, version, verb, body, hidden, removed, occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		itemID, version, string(verb), st.body, st.hidden, st.removed, at.UTC(), now)
	if err != nil {
		return fmt.Errorf("inbox: version: %w", err)
	}
	// Every version is a public record: archived in this transaction.
	_, err = archive.ItemVersionTx(ctx, tx, archive.ItemVersion{ItemID: itemID, Version: version, Verb: string(verb), Text: st.body,
		Hidden: st.hidden, Removed: st.removed, OccurredAt: at, CapturedAt: now})
	return err
}

// markAnsweredByUs records that the municipality answered an item on the
// platform itself (a reply written outside Tilltal counts too).
func markAnsweredByUs(ctx context.Context, tx *db.Tx, channelID int64, parentExternalID string, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE items SET first_response_at = COALESCE(first_response_at, ?),
		status = CASE WHEN status IN ('new', 'assigned', 'waiting') THEN 'answered' ELSE status END
		WHERE channel_id = ? AND external_id = ?`, at.UTC(), channelID, parentExternalID)
	return err
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// cleanObject makes an object's text storable on both databases: valid
// UTF-8 without NUL (PostgreSQL refuses both in TEXT), bounded in size.
// Everything else a citizen wrote — markup, control and bidi characters — is
// kept as written and escaped when shown.
func cleanObject(o platform.Object) platform.Object {
	o.Text = clean(o.Text, maxBody)
	o.Author.Name = clean(o.Author.Name, 300)
	o.Author.Handle = clean(o.Author.Handle, 300)
	o.Author.ProfileURL = clean(o.Author.ProfileURL, 2000)
	o.Permalink = clean(o.Permalink, 2000)
	o.ExternalID = clean(o.ExternalID, 500)
	o.ParentID = clean(o.ParentID, 500)
	o.ThreadID = clean(o.ThreadID, 500)
	return o
}

func clean(s string, max int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}
