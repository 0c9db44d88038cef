package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"tilltal/internal/db"
)

// ItemVersion is one version of an inbox item as the inbox writes it: the
// inbox calls ItemVersionTx in the transaction that writes the version.
type ItemVersion struct {
	ItemID  int64
	Version int
	Verb    string
	Text    string
	Hidden  bool
	Removed bool
	// OccurredAt is the platform's time of the change; CapturedAt when
	// Tilltal got it.
	OccurredAt time.Time
	CapturedAt time.Time
}

// Source is where an event came from, carried in the context from intake
// to the archive through the inbox, so that an item version names the raw
// delivery it came in.
type Source struct {
	// DeliverySeq is the raw delivery's record, 0 for polled events.
	DeliverySeq int64
	// EventID is intake's platform_events id; PlatformEventID the
	// platform's own id of the event.
	EventID         int64
	PlatformEventID string
}

type sourceKey struct{}

// WithSource returns a context that carries the event's source.
func WithSource(ctx context.Context, s Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, s)
}

func sourceFrom(ctx context.Context) Source {
	s, _ := ctx.Value(sourceKey{}).(Source)
	return s
}

// item is what the archive reads of an inbox item.
type item struct {
	id, channelID, departmentID, threadID int64
	platform, externalID, parentID, kind  string
	authorID, authorName, authorHandle    string
	authorURL, permalink, threadExternal  string
	attachments, flags, body              string
	// indexed is body analysed for search, when known (NewItem.IndexedText).
	indexed  string
	fromUs   bool
	postedAt time.Time
}

// readItem reads an item from the inbox's tables. The archive reads them
// rather than being handed every field so that the inbox's hook stays one
// call.
func readItem(ctx context.Context, tx *db.Tx, id int64) (item, error) {
	var it item
	err := tx.QueryRow(ctx, `SELECT i.id, i.channel_id, i.department_id, i.thread_id, i.platform, i.external_id, i.parent_external_id, i.kind,
		i.author_id, i.author_name, i.author_handle, i.author_url, i.permalink, t.external_id, i.attachments, i.flags, i.body, i.from_us, i.posted_at
		FROM items i JOIN threads t ON t.id = i.thread_id WHERE i.id = ?`, id).
		Scan(&it.id, &it.channelID, &it.departmentID, &it.threadID, &it.platform, &it.externalID, &it.parentID, &it.kind,
			&it.authorID, &it.authorName, &it.authorHandle, &it.authorURL, &it.permalink, &it.threadExternal, &it.attachments, &it.flags, &it.body, &it.fromUs, &it.postedAt)
	if err != nil {
		return item{}, fmt.Errorf("archive: item %d: %w", id, err)
	}
	return it, nil
}

// attachmentJSON is an attachment as the platform named it.
type attachmentJSON struct {
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	Title       string `json:"title,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

type authorJSON struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name"`
	Handle     string `json:"handle,omitempty"`
	ProfileURL string `json:"profile_url,omitempty"`
	IsPage     bool   `json:"is_page"`
}

type sourceJSON struct {
	DeliverySeq     int64  `json:"delivery_seq,omitempty"`
	EventID         int64  `json:"event_id,omitempty"`
	PlatformEventID string `json:"platform_event_id,omitempty"`
}

// ItemVersionContent is the content of an item_version record.
type ItemVersionContent struct {
	ItemID           int64            `json:"item_id"`
	Version          int              `json:"version"`
	Verb             string           `json:"verb"`
	Kind             string           `json:"kind"`
	Text             string           `json:"text"`
	Hidden           bool             `json:"hidden"`
	Removed          bool             `json:"removed"`
	ParentExternalID string           `json:"parent_external_id,omitempty"`
	ThreadExternalID string           `json:"thread_external_id,omitempty"`
	Permalink        string           `json:"permalink,omitempty"`
	Author           authorJSON       `json:"author"`
	PostedAt         time.Time        `json:"posted_at"`
	Attachments      []attachmentJSON `json:"attachments,omitempty"`
	Source           *sourceJSON      `json:"source,omitempty"`
}

// ItemVersionTx archives one version of an item in tx. The first version
// also gets the item's registration class from the triage rules and
// queues its attachments for fetching.
func ItemVersionTx(ctx context.Context, tx *db.Tx, v ItemVersion) (Record, error) {
	it, err := readItem(ctx, tx, v.ItemID)
	if err != nil {
		return Record{}, err
	}
	cls, err := classOnArrival(ctx, tx, it, v)
	if err != nil {
		return Record{}, err
	}
	r, atts, err := itemVersionRecord(it, v, cls, sourceFrom(ctx))
	if err != nil {
		return Record{}, err
	}
	if r, err = AppendTx(ctx, tx, r); err != nil {
		return Record{}, err
	}
	if err := queueAttachments(ctx, tx, r, atts); err != nil {
		return Record{}, err
	}
	return r, nil
}

// itemVersionRecord is the record of an item's version, with the
// attachments a first version names.
func itemVersionRecord(it item, v ItemVersion, cls itemClass, src Source) (Record, []attachmentJSON, error) {
	var atts []attachmentJSON
	if v.Version == 1 {
		_ = json.Unmarshal([]byte(it.attachments), &atts)
	}
	c := ItemVersionContent{ItemID: it.id, Version: v.Version, Verb: v.Verb, Kind: it.kind, Text: v.Text, Hidden: v.Hidden, Removed: v.Removed,
		ParentExternalID: it.parentID, ThreadExternalID: it.threadExternal, Permalink: it.permalink,
		Author:   authorJSON{ID: it.authorID, Name: it.authorName, Handle: it.authorHandle, ProfileURL: it.authorURL, IsPage: it.fromUs},
		PostedAt: archiveTime(it.postedAt), Attachments: atts}
	if src != (Source{}) {
		c.Source = &sourceJSON{DeliverySeq: src.DeliverySeq, EventID: src.EventID, PlatformEventID: src.PlatformEventID}
	}
	content, err := json.Marshal(c)
	if err != nil {
		return Record{}, nil, err
	}
	dir := In
	if it.fromUs {
		dir = Out
	}
	return Record{Kind: KindItemVersion, ChannelID: it.channelID, DepartmentID: it.departmentID, ItemID: it.id, ItemVersion: v.Version,
		ThreadID: it.threadID, Platform: it.platform, ExternalID: it.externalID, AuthorID: it.authorID, AuthorName: it.authorName, Direction: dir,
		OccurredAt: v.OccurredAt, CapturedAt: v.CapturedAt, RefSeq: src.DeliverySeq, Content: content, IndexText: v.Text,
		Secret: cls.class == ClassSecret, SecrecyGround: cls.ground}, atts, nil
}

// NewItem is a new inbox item, as the inbox inserted it, with its first
// version: what NewItemsTx archives without reading the item back.
type NewItem struct {
	Version                           ItemVersion
	ChannelID, DepartmentID, ThreadID int64
	Platform, ExternalID, ParentID    string
	Kind                              string
	AuthorID, AuthorName              string
	AuthorHandle, AuthorURL           string
	Permalink, ThreadExternalID       string
	// Attachments is the item's attachments column (JSON).
	Attachments string
	// Flags are moderation's flags, space-separated, as on the item.
	Flags    string
	FromUs   bool
	PostedAt time.Time
	Source   Source
	// IndexedText is Version.Text analysed for search, when the caller
	// has it (see Record.IndexedText).
	IndexedText string
}

// NewItemsTx archives the first versions of new items in tx, in order, as
// ItemVersionTx would one by one: each item gets its class from the
// triage rules (read once), its class history and its record, with one
// multi-row statement per table for them all. The municipality's own
// answers take the class of what they answer, which needs a look-up each,
// and go through ItemVersionTx's path.
func NewItemsTx(ctx context.Context, tx *db.Tx, items []NewItem) error {
	if len(items) == 0 {
		return nil
	}
	if err := LockTx(ctx, tx); err != nil {
		return err
	}
	rules, err := activeTriageRules(ctx, tx)
	if err != nil {
		return err
	}
	rs := make([]Record, len(items))
	atts := make([][]attachmentJSON, len(items))
	classes := make([]classRow, 0, len(items))
	for i, n := range items {
		it := n.item()
		var cls itemClass
		if it.fromUs && it.parentID != "" {
			// Its question may be among the items before it: their
			// classes are saved first.
			if err := saveClasses(ctx, tx, classes, n.Version.CapturedAt); err != nil {
				return err
			}
			classes = classes[:0]
			if cls, err = classOnArrival(ctx, tx, it, n.Version); err != nil {
				return err
			}
		} else {
			c, ruleID := triageWith(rules, it)
			cls = itemClass{class: c, ruleID: ruleID}
			classes = append(classes, classRow{itemID: it.id, c: cls})
		}
		if rs[i], atts[i], err = itemVersionRecord(it, n.Version, cls, n.Source); err != nil {
			return err
		}
		rs[i].IndexedText = n.IndexedText
	}
	if err := saveClasses(ctx, tx, classes, items[0].Version.CapturedAt); err != nil {
		return err
	}
	if rs, err = appendAll(ctx, tx, rs); err != nil {
		return err
	}
	for i, r := range rs {
		if err := queueAttachments(ctx, tx, r, atts[i]); err != nil {
			return err
		}
	}
	return nil
}

func (n NewItem) item() item {
	return item{id: n.Version.ItemID, channelID: n.ChannelID, departmentID: n.DepartmentID, threadID: n.ThreadID,
		platform: n.Platform, externalID: n.ExternalID, parentID: n.ParentID, kind: n.Kind,
		authorID: n.AuthorID, authorName: n.AuthorName, authorHandle: n.AuthorHandle, authorURL: n.AuthorURL,
		permalink: n.Permalink, threadExternal: n.ThreadExternalID, attachments: n.Attachments, flags: n.Flags,
		body: n.Version.Text, indexed: n.IndexedText, fromUs: n.FromUs, postedAt: n.PostedAt}
}

// Reply is a reply the municipality sent through Tilltal.
type Reply struct {
	ActionID int64
	// QuestionItemID is the item answered; ReplyItemID the reply's own
	// item in the thread.
	QuestionItemID int64
	ReplyItemID    int64
	// ResultID is the platform's id of the reply.
	ResultID string
	Text     string
	// UserID is the official who wrote it, 0 when unknown.
	UserID int64
	SentAt time.Time
}

// ReplyContent is the content of a reply record.
type ReplyContent struct {
	ActionID            int64     `json:"action_id"`
	InReplyToItemID     int64     `json:"in_reply_to_item_id"`
	InReplyToExternalID string    `json:"in_reply_to_external_id"`
	ReplyItemID         int64     `json:"reply_item_id,omitempty"`
	ExternalID          string    `json:"external_id"`
	Text                string    `json:"text"`
	SentByUserID        int64     `json:"sent_by_user_id,omitempty"`
	SentByName          string    `json:"sent_by_name,omitempty"`
	ChannelName         string    `json:"channel_name"`
	SentAt              time.Time `json:"sent_at"`
}

// ReplyTx archives a reply the municipality sent, in the transaction that
// records that the platform accepted it. The reply also becomes an item,
// archived by ItemVersionTx as the platform shows it; this record adds who
// sent it and what it answered.
func ReplyTx(ctx context.Context, tx *db.Tx, rp Reply) (Record, error) {
	q, err := readItem(ctx, tx, rp.QuestionItemID)
	if err != nil {
		return Record{}, err
	}
	var channelName, userName string
	if err := tx.QueryRow(ctx, "SELECT name FROM channels WHERE id = ?", q.channelID).Scan(&channelName); err != nil {
		return Record{}, fmt.Errorf("archive: reply: %w", err)
	}
	if rp.UserID != 0 {
		_ = tx.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", rp.UserID).Scan(&userName)
	}
	cls, err := currentClass(ctx, tx, q.id)
	if err != nil {
		return Record{}, err
	}
	content, err := json.Marshal(ReplyContent{ActionID: rp.ActionID, InReplyToItemID: q.id, InReplyToExternalID: q.externalID, ReplyItemID: rp.ReplyItemID,
		ExternalID: rp.ResultID, Text: rp.Text, SentByUserID: rp.UserID, SentByName: userName, ChannelName: channelName, SentAt: archiveTime(rp.SentAt)})
	if err != nil {
		return Record{}, err
	}
	author := ""
	if rp.UserID != 0 {
		author = fmt.Sprintf("user:%d", rp.UserID)
	}
	return AppendTx(ctx, tx, Record{Kind: KindReply, ChannelID: q.channelID, DepartmentID: q.departmentID, ItemID: rp.ReplyItemID,
		ThreadID: q.threadID, Platform: q.platform, ExternalID: rp.ResultID, AuthorID: author, AuthorName: userName, Direction: Out,
		OccurredAt: rp.SentAt, CapturedAt: rp.SentAt, Content: content, IndexText: rp.Text,
		Secret: cls.class == ClassSecret, SecrecyGround: cls.ground})
}
