package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/platform"
	"tilltal/internal/swedish"
)

// Incoming is one event for IngestBatch.
type Incoming struct {
	ChannelID int64
	Event     platform.Event
	// Source names the delivery and event it came in, for the archive.
	Source archive.Source
	// Class, when set, is the text's classification, stored with the item
	// when the event changes it.
	Class *Classification
	// SearchText is swedish.IndexText of the object's text when the caller
	// made it beforehand (outside the transaction); empty makes it here.
	SearchText string
}

// IngestBatch applies events to the inbox in tx, in order, as Ingest would
// one by one, and returns what each did. Events that create an item —
// most of a flood of new comments — are gathered and written together:
// one multi-row INSERT for their threads, items and versions, and the
// archive's records and classes for them all (archive.NewItemsTx), where
// Ingest takes a dozen statements per event. An event on an item that
// exists, or was created earlier in the batch, goes through Ingest after
// what was gathered before it is written, so that the order of events
// stays the order of effects. So do the municipality's own answers, which
// mark what they answer.
//
// after, when not nil, runs for every event once its effect is written,
// in the order of the events, before any later event's: what it does to
// an item (a class, a case) is there for the events after it, as it would
// be one by one.
func IngestBatch(ctx context.Context, tx *db.Tx, in []Incoming, now time.Time, after func(i int, r Ingested) error) ([]Ingested, error) {
	b, err := newBatch(ctx, tx, in, now)
	if err != nil {
		return nil, err
	}
	b.after = after
	for i := range in {
		if err := b.add(ctx, i); err != nil {
			return nil, err
		}
	}
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	return b.out, nil
}

// itemKey names an item, or a thread, within its channel.
type itemKey struct {
	channel  int64
	external string
}

// threadState is a thread the batch knows: its id (0 while it is to be
// inserted) and its last activity.
type threadState struct {
	id   int64
	last time.Time
	// pending is its row when the batch is to insert it.
	pending *threadRow
}

type threadRow struct {
	key                 itemKey
	kind, title, link   string
	created, lastActive time.Time
}

// gathered is a create waiting in the batch for flush.
type gathered struct {
	index int // in the batch's input
	row   itemRow
	// thread is the item's thread key.
	thread itemKey
}

// batch is IngestBatch's state.
type batch struct {
	tx      *db.Tx
	in      []Incoming
	now     time.Time
	out     []Ingested
	depts   map[int64]int64
	items   map[itemKey]bool // items that exist, in the database or written by the batch
	threads map[itemKey]*threadState
	// touched are existing threads whose activity moved.
	touched  []itemKey
	gathered []gathered
	after    func(int, Ingested) error
}

// done runs after for the i-th event.
func (b *batch) done(i int) error {
	if b.after == nil {
		return nil
	}
	return b.after(i, b.out[i])
}

func newBatch(ctx context.Context, tx *db.Tx, in []Incoming, now time.Time) (*batch, error) {
	b := &batch{tx: tx, in: in, now: now, out: make([]Ingested, len(in)),
		depts: map[int64]int64{}, items: map[itemKey]bool{}, threads: map[itemKey]*threadState{}}
	var channels []any
	var itemKeys, threadKeys []itemKey
	for _, inc := range in {
		if _, ok := b.depts[inc.ChannelID]; !ok {
			b.depts[inc.ChannelID] = 0
			channels = append(channels, inc.ChannelID)
		}
		obj := cleanObject(inc.Event.Object)
		itemKeys = append(itemKeys, itemKey{inc.ChannelID, obj.ExternalID})
		threadKeys = append(threadKeys, itemKey{inc.ChannelID, threadExternal(obj)})
	}
	if err := b.loadDepartments(ctx, channels); err != nil {
		return nil, err
	}
	err := loadKeys(ctx, tx, "SELECT channel_id, external_id FROM items", itemKeys, func(rows *sql.Rows) error {
		var k itemKey
		if err := rows.Scan(&k.channel, &k.external); err != nil {
			return err
		}
		b.items[k] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: ingest: items: %w", err)
	}
	err = loadKeys(ctx, tx, "SELECT channel_id, external_id, id, last_activity_at FROM threads", threadKeys, func(rows *sql.Rows) error {
		var k itemKey
		t := &threadState{}
		if err := rows.Scan(&k.channel, &k.external, &t.id, &t.last); err != nil {
			return err
		}
		t.last = t.last.UTC()
		b.threads[k] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: ingest: threads: %w", err)
	}
	return b, nil
}

func (b *batch) loadDepartments(ctx context.Context, channels []any) error {
	in, args := db.InList(channels)
	rows, err := b.tx.Query(ctx, "SELECT id, department_id FROM channels WHERE id IN ("+in+")", args...)
	if err != nil {
		return fmt.Errorf("inbox: ingest: channels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, dept int64
		if err := rows.Scan(&id, &dept); err != nil {
			return err
		}
		b.depts[id] = dept
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range channels {
		if b.depts[id.(int64)] == 0 {
			return fmt.Errorf("inbox: ingest: channel %d: not found", id)
		}
	}
	return nil
}

// loadKeys runs q (a SELECT from a table with channel_id and
// external_id) for the keys given, in chunks of one channel each, and
// hands each row to each.
func loadKeys(ctx context.Context, tx *db.Tx, q string, keys []itemKey, each func(*sql.Rows) error) error {
	byChannel := map[int64][]any{}
	seen := map[itemKey]bool{}
	var order []int64
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := byChannel[k.channel]; !ok {
			order = append(order, k.channel)
		}
		byChannel[k.channel] = append(byChannel[k.channel], k.external)
	}
	const chunk = 256
	for _, ch := range order {
		ids := byChannel[ch]
		for from := 0; from < len(ids); from += chunk {
			part := ids[from:min(from+chunk, len(ids))]
			in, args := db.InList(part)
			if err := eachRow(ctx, tx, q+" WHERE channel_id = ? AND external_id IN ("+in+")", append([]any{ch}, args...), each); err != nil {
				return err
			}
		}
	}
	return nil
}

func eachRow(ctx context.Context, tx *db.Tx, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// add takes the batch's i-th event: a create is gathered, anything else
// is applied by Ingest after what was gathered is written.
func (b *batch) add(ctx context.Context, i int) error {
	inc := b.in[i]
	obj := cleanObject(inc.Event.Object)
	if obj.ExternalID == "" {
		return fmt.Errorf("inbox: ingest: event %s has no object id", inc.Event.EventID)
	}
	k := itemKey{inc.ChannelID, obj.ExternalID}
	if b.items[k] || (obj.Author.IsPage && obj.ParentID != "") {
		return b.one(ctx, i, k)
	}
	b.items[k] = true
	at := inc.Event.OccurredAt
	if at.IsZero() {
		at = b.now
	}
	row := newItemRow(inc.ChannelID, b.depts[inc.ChannelID], inc.Event, obj, at, b.now)
	row.searchText = inc.SearchText
	if row.searchText == "" || obj.Text != inc.Event.Object.Text {
		// Made from the text as sent, which cleaning changed (a NUL, bad
		// UTF-8, a text past maxBody): the item's body is what is indexed.
		row.searchText = swedish.IndexText(row.state.body)
	}
	if inc.Class != nil {
		row.sentiment, row.flags = inc.Class.Sentiment, strings.Join(inc.Class.Flags, " ")
	}
	tk := itemKey{inc.ChannelID, threadExternal(obj)}
	b.joinThread(tk, obj, at)
	b.gathered = append(b.gathered, gathered{index: i, row: row, thread: tk})
	return nil
}

// one applies the i-th event through Ingest, after writing what was
// gathered before it.
func (b *batch) one(ctx context.Context, i int, k itemKey) error {
	if err := b.flush(ctx); err != nil {
		return err
	}
	inc := b.in[i]
	res, err := Ingest(archive.WithSource(ctx, inc.Source), b.tx, inc.ChannelID, inc.Event, b.now)
	if err != nil {
		return err
	}
	b.items[k] = true
	// Ingest may have made or moved the thread: read it again.
	tk := itemKey{inc.ChannelID, threadExternal(cleanObject(inc.Event.Object))}
	t := &threadState{}
	err = b.tx.QueryRow(ctx, "SELECT id, last_activity_at FROM threads WHERE channel_id = ? AND external_id = ?", tk.channel, tk.external).Scan(&t.id, &t.last)
	switch {
	case err == nil:
		t.last = t.last.UTC()
		b.threads[tk] = t
	case errors.Is(err, sql.ErrNoRows):
		delete(b.threads, tk)
	default:
		return fmt.Errorf("inbox: ingest: thread: %w", err)
	}
	if res.Changed && inc.Class != nil {
		if err := SetClassification(ctx, b.tx, res.ItemID, *inc.Class); err != nil {
			return err
		}
	}
	b.out[i] = res
	return b.done(i)
}

// joinThread notes a gathered item's thread: a known one's activity
// moves, an unknown one is to be inserted, made by its first item as
// thread would.
func (b *batch) joinThread(k itemKey, obj platform.Object, at time.Time) {
	at = at.UTC()
	t, ok := b.threads[k]
	if !ok {
		row := &threadRow{key: k, kind: threadKind(obj), link: obj.Permalink, created: at, lastActive: at}
		if k.external == obj.ExternalID {
			row.title = truncateRunes(obj.Text, 120)
		}
		b.threads[k] = &threadState{last: at, pending: row}
		return
	}
	if !at.After(t.last) {
		return
	}
	t.last = at
	if t.pending != nil {
		t.pending.lastActive = at
		return
	}
	if !slices.Contains(b.touched, k) {
		b.touched = append(b.touched, k)
	}
}

// flush writes what was gathered: new threads, moved threads, items,
// versions and their archive records.
func (b *batch) flush(ctx context.Context) error {
	if len(b.gathered) == 0 {
		return nil
	}
	if err := b.writeThreads(ctx); err != nil {
		return err
	}
	for i := range b.gathered {
		g := &b.gathered[i]
		g.row.threadID = b.threads[g.thread].id
	}
	ids, err := insertItems(ctx, b.tx, b.gathered)
	if err != nil {
		return err
	}
	versions := make([]any, 0, 8*len(b.gathered))
	archived := make([]archive.NewItem, len(b.gathered))
	for i, g := range b.gathered {
		id := ids[itemKey{g.row.channelID, g.row.obj.ExternalID}]
		if id == 0 {
			return fmt.Errorf("inbox: ingest: item %s not inserted", g.row.obj.ExternalID)
		}
		b.out[g.index] = Ingested{ItemID: id, Created: true, Changed: true}
		r := g.row
		versions = append(versions, id, 1, string(r.verb), r.state.body, r.state.hidden, r.state.removed, r.at.UTC(), r.now)
		archived[i] = r.archived(id, g.thread.external, b.in[g.index].Source)
	}
	if err := insertVersions(ctx, b.tx, versions); err != nil {
		return err
	}
	if err := archive.NewItemsTx(ctx, b.tx, archived); err != nil {
		return err
	}
	gathered := b.gathered
	b.gathered = nil
	for _, g := range gathered {
		if err := b.done(g.index); err != nil {
			return err
		}
	}
	return nil
}

// writeThreads inserts the threads gathered items opened and moves the
// last activity of the known ones they joined.
func (b *batch) writeThreads(ctx context.Context) error {
	var fresh []*threadRow
	for _, g := range b.gathered {
		if t := b.threads[g.thread]; t.pending != nil && !slices.Contains(fresh, t.pending) {
			fresh = append(fresh, t.pending)
		}
	}
	start := 0
	for _, n := range db.Chunks(len(fresh), 64) {
		part := fresh[start : start+n]
		start += n
		args := make([]any, 0, 7*n)
		for _, r := range part {
			args = append(args, r.key.channel, r.key.external, r.kind, r.title, r.link, r.created, r.lastActive)
		}
		rows, err := b.tx.Query(ctx, "INSERT INTO threads (channel_id, external_id, kind, title, permalink, created_at, last_activity_at) VALUES "+
			db.ValuesList(n, 7)+" RETURNING id, channel_id, external_id", args...)
		if err != nil {
			return fmt.Errorf("inbox: ingest: threads: %w", err)
		}
		err = scanIDs(rows, func(k itemKey, id int64) {
			if t := b.threads[k]; t != nil {
				t.id, t.pending = id, nil
			}
		})
		if err != nil {
			return fmt.Errorf("inbox: ingest: threads: %w", err)
		}
	}
	for _, k := range b.touched {
		t := b.threads[k]
		if t == nil || t.id == 0 {
			continue
		}
		if _, err := b.tx.Exec(ctx, "UPDATE threads SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?", t.last, t.id, t.last); err != nil {
			return fmt.Errorf("inbox: ingest: thread activity: %w", err)
		}
	}
	b.touched = b.touched[:0]
	return nil
}

// scanIDs reads rows of (id, channel_id, external_id).
func scanIDs(rows *sql.Rows, f func(itemKey, int64)) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k itemKey
		if err := rows.Scan(&id, &k.channel, &k.external); err != nil {
			return err
		}
		f(k, id)
	}
	return rows.Err()
}

const insertColumns = `channel_id, department_id, thread_id, platform, external_id, parent_external_id, kind,
	author_id, author_name, author_handle, author_url, from_us, body, search_text, permalink, attachments, status, hidden, removed,
	posted_at, received_at, updated_at, sentiment, flags`

// insertItems inserts the gathered items with multi-row INSERTs and
// returns their ids by key.
func insertItems(ctx context.Context, tx *db.Tx, gs []gathered) (map[itemKey]int64, error) {
	ids := make(map[itemKey]int64, len(gs))
	start := 0
	for _, n := range db.Chunks(len(gs), 64) {
		part := gs[start : start+n]
		start += n
		args := make([]any, 0, 24*n)
		for _, g := range part {
			args = append(args, g.row.args()...)
		}
		rows, err := tx.Query(ctx, "INSERT INTO items ("+insertColumns+") VALUES "+db.ValuesList(n, 24)+" RETURNING id, channel_id, external_id", args...)
		if err != nil {
			return nil, fmt.Errorf("inbox: ingest: %w", err)
		}
		if err := scanIDs(rows, func(k itemKey, id int64) { ids[k] = id }); err != nil {
			return nil, fmt.Errorf("inbox: ingest: %w", err)
		}
	}
	return ids, nil
}

func insertVersions(ctx context.Context, tx *db.Tx, args []any) error {
	const cols = 8
	start := 0
	for _, n := range db.Chunks(len(args)/cols, 64) {
		part := args[start*cols : (start+n)*cols]
		start += n
		if _, err := tx.Exec(ctx, "INSERT INTO item_versions (item_id, version, verb, body, hidden, removed, occurred_at, recorded_at) VALUES "+db.ValuesList(n, cols), part...); err != nil {
			return fmt.Errorf("inbox: version: %w", err)
		}
	}
	return nil
}
