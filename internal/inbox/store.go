package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/swedish"
)

// Store reads and works the inbox.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// Filter selects items for the inbox view and the API.
type Filter struct {
	// Channels limits items to these channels (the person's scope); nil
	// means all channels.
	Channels     []int64
	ChannelID    int64
	DepartmentID int64
	Status       Status
	// OpenOnly keeps items that still need someone.
	OpenOnly   bool
	AssigneeID int64
	Platform   string
	Sentiment  string
	Flag       string
	Since      time.Time
	Until      time.Time
	// Incoming keeps the items the public wrote, leaving out the
	// municipality's own posts and replies.
	Incoming bool
	// Answered is "yes" for items that got a first answer, "no" for those
	// that did not; empty keeps both.
	Answered string
	// Question keeps the items that ask something (QuestionSQL).
	Question bool
	// EscalatedTo keeps the items sent to this department with a question.
	EscalatedTo int64
	// Spans keeps the items posted within any of these spans: the reports
	// drill down to an hour of the week or a kind of time this way.
	Spans []Span
	// Query is free text, matched on Swedish stems.
	Query  string
	Oldest bool
	// After pages on: items past this id in the chosen order.
	After int64
	Limit int
}

// Span is a stretch of time, From included and To not.
type Span struct{ From, To time.Time }

// QuestionSQL is the condition (on items aliased i) for an item that asks
// something: a question mark in its text, or the flag "question" once a
// classifier sets it. The reports count questions by the same words.
const QuestionSQL = "(i.body LIKE '%?%' OR (' ' || i.flags || ' ') LIKE '% question %')"

const itemColumns = `i.id, i.channel_id, c.name, i.department_id, i.thread_id, i.platform, i.external_id, i.parent_external_id, i.kind,
	i.author_id, i.author_name, i.author_handle, i.author_url, i.from_us, i.body, i.permalink, i.status, COALESCE(i.assignee_id, 0),
	COALESCE(u.name, ''), i.sentiment, i.flags, i.hidden, i.removed, i.version, i.posted_at, i.received_at, i.updated_at,
	i.first_response_at, i.resolved_at`

const itemJoins = ` FROM items i` + itemJoinsAfterItems

// itemJoinsAfterItems joins what an item shows to items i.
const itemJoinsAfterItems = ` JOIN channels c ON c.id = i.channel_id LEFT JOIN users u ON u.id = i.assignee_id`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var status string
	var first, resolved sql.NullTime
	err := row.Scan(&it.ID, &it.ChannelID, &it.ChannelName, &it.DepartmentID, &it.ThreadID, &it.Platform, &it.ExternalID, &it.ParentExternalID, &it.Kind,
		&it.AuthorID, &it.AuthorName, &it.AuthorHandle, &it.AuthorURL, &it.FromUs, &it.Body, &it.Permalink, &status, &it.AssigneeID,
		&it.AssigneeName, &it.Sentiment, &it.Flags, &it.Hidden, &it.Removed, &it.Version, &it.PostedAt, &it.ReceivedAt, &it.UpdatedAt,
		&first, &resolved)
	it.Status = Status(status)
	if first.Valid {
		it.FirstResponseAt = &first.Time
	}
	if resolved.Valid {
		it.ResolvedAt = &resolved.Time
	}
	return it, err
}

// List returns the items matching f, newest first unless f.Oldest.
//
// Ordering by id follows arrival, which indexes cheaply and pages stably;
// posted_at is shown. Every list is a LIMIT over an index in id order, so
// that a page costs about the same with a thousand items or a million.
func (s *Store) List(ctx context.Context, f Filter) ([]Item, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	terms := swedish.Terms(f.Query)
	if len(terms) == 0 && strings.TrimSpace(f.Query) != "" {
		return nil, nil // only function words: nothing can match
	}
	where, args := s.where(f)
	if where == "false" {
		return nil, nil
	}
	if len(terms) == 0 {
		return s.list(ctx, s.from(f), where, args, f)
	}
	c, v := searchClause(s.DB.Dialect, terms, f)
	items, err := s.list(ctx, "items i", where+" AND "+c, append(args, v...), f)
	if err != nil || len(items) == f.Limit || s.DB.Dialect == db.Postgres {
		return items, err
	}
	return s.searchOlder(ctx, f, terms, items)
}

// list runs one list query: the conditions, the cursor, the order, the limit.
func (s *Store) list(ctx context.Context, from, where string, args []any, f Filter) ([]Item, error) {
	order, cmp := "DESC", "<"
	if f.Oldest {
		order, cmp = "ASC", ">"
	}
	if f.After != 0 {
		where += " AND i.id " + cmp + " ?"
		args = append(args, f.After)
	}
	q := "SELECT " + itemColumns + " FROM " + from + itemJoinsAfterItems + " WHERE " + where + " ORDER BY i.id " + order + " LIMIT " + strconv.Itoa(f.Limit)
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// A plan is the index a list is driven by, chosen from the filter on
// SQLite, whose planner has no statistics: left to itself it takes any
// index that matches an IN list or an equality — the person's channels,
// say — and sorts all of their items to return fifty. PostgreSQL's planner
// has statistics and chooses well by itself from the same indexes.
type plan int

const (
	// planRecent walks the table from the newest (or oldest) id.
	planRecent plan = iota
	// planOpen walks the open items (index items_open).
	planOpen
	// planChannel walks one channel's items (items_channel).
	planChannel
	// planStatus walks one status's items (items_status).
	planStatus
	// planPosted takes a posted_at range (items_posted) and sorts it: a
	// range that ends in the past would otherwise walk every newer item.
	planPosted
	// planSearch is driven by the full-text index (searchClause).
	planSearch
)

// planFor picks the narrowest index the filter can use without knowing
// the data: the open items (and each open status) are few by nature — the
// work still to do — while a channel or a closed status may hold most of
// the history.
func planFor(f Filter) plan {
	switch {
	case len(swedish.Terms(f.Query)) > 0:
		return planSearch
	case f.Status.Open():
		return planStatus
	case f.OpenOnly:
		return planOpen
	case f.ChannelID != 0:
		return planChannel
	case f.Status != "":
		return planStatus
	case !f.Until.IsZero():
		return planPosted
	}
	return planRecent
}

// from names the items table for the plan: on SQLite the open items'
// index is named outright, since its cost is not known without
// statistics.
func (s *Store) from(f Filter) string {
	if s.DB.Dialect == db.SQLite && planFor(f) == planOpen {
		return "items i INDEXED BY items_open"
	}
	return "items i"
}

// indexable returns col as written when the plan may use an index on it,
// and on SQLite as +col otherwise: the unary plus keeps SQLite's planner off
// that column's index without changing the value. PostgreSQL gets col.
func (s *Store) indexable(p plan, col string, use plan) string {
	if s.DB.Dialect == db.SQLite && p != use {
		return "+" + col
	}
	return col
}

func (s *Store) where(f Filter) (string, []any) {
	p := planFor(f)
	conds := []string{"1 = 1"}
	var args []any
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	if f.Channels != nil {
		if len(f.Channels) == 0 {
			return "false", nil
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Channels)), ",")
		ids := make([]any, len(f.Channels))
		for i, id := range f.Channels {
			ids[i] = id
		}
		// Never an index of its own on SQLite: a person's channels are
		// usually many of the items, and the id order is what counts.
		add(s.indexable(p, "i.channel_id", -1)+" IN ("+ph+")", ids...)
	}
	if f.ChannelID != 0 {
		add(s.indexable(p, "i.channel_id", planChannel)+" = ?", f.ChannelID)
	}
	if f.DepartmentID != 0 {
		add(s.indexable(p, "i.department_id", -1)+" = ?", f.DepartmentID)
	}
	if f.Status != "" {
		add(s.indexable(p, "i.status", planStatus)+" = ?", string(f.Status))
	}
	if f.OpenOnly {
		// Written as items_open's condition, which SQLite needs in order
		// to use that partial index.
		add(s.indexable(p, "i.status", planOpen) + " IN ('new', 'assigned', 'waiting')")
	}
	if f.AssigneeID != 0 {
		add(s.indexable(p, "i.assignee_id", -1)+" = ?", f.AssigneeID)
	}
	if f.Platform != "" {
		add("i.platform = ?", f.Platform)
	}
	if f.Sentiment != "" {
		add("i.sentiment = ?", f.Sentiment)
	}
	if f.Flag != "" {
		add("(' ' || i.flags || ' ') LIKE ?", "% "+f.Flag+" %")
	}
	if f.Incoming {
		add("NOT i.from_us")
	}
	switch f.Answered {
	case "yes":
		add("i.first_response_at IS NOT NULL")
	case "no":
		add("i.first_response_at IS NULL")
	}
	if f.Question {
		add(QuestionSQL)
	}
	if f.EscalatedTo != 0 {
		add("i.id IN (SELECT item_id FROM escalations WHERE department_id = ?)", f.EscalatedTo)
	}
	if f.Spans != nil {
		if len(f.Spans) == 0 {
			return "false", nil
		}
		var ors []string
		for _, sp := range f.Spans {
			ors = append(ors, "(i.posted_at >= ? AND i.posted_at < ?)")
			args = append(args, sp.From.UTC(), sp.To.UTC())
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if !f.Since.IsZero() {
		add(s.indexable(p, "i.posted_at", planPosted)+" >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add(s.indexable(p, "i.posted_at", planPosted)+" < ?", f.Until.UTC())
	}
	return strings.Join(conds, " AND "), args
}

// searchWindow is how many of the newest matches (past the cursor) a
// search on SQLite examines through the full-text index before it turns to
// the filters' own indexes (searchOlder). It bounds the work for a very
// common word: its matches are read newest first, never all of them.
const searchWindow = 2_000

// searchClause is full-text matching on the stems in items.search_text.
// Terms are Snowball stems of letters and digits only, so they need no
// escaping beyond quoting.
//
// PostgreSQL: the GIN index over the stored search_vector, or — for a
// common word, which its statistics know — the list's own order with the
// match as a filter. That choice needs a plan made for the words at hand:
// run with plan_cache_mode=force_custom_plan (README, Operating Tilltal),
// since a generic plan of a prepared statement guesses every word alike. SQLite: the newest searchWindow matches from FTS5 in id order,
// past the cursor; the list takes its page from those.
func searchClause(dialect db.Dialect, terms []string, f Filter) (string, []any) {
	if dialect == db.Postgres {
		return "i.search_vector @@ to_tsquery('simple', ?)", []any{strings.Join(quoteEach(terms, "'"), " & ")}
	}
	q, args := ftsWindow(terms, f, searchWindow, 0)
	return "i.id IN (" + q + ")", args
}

// ftsWindow selects the ids of up to limit matches in FTS5 after skipping
// offset, in the list's order and past its cursor. FTS5 reads them in
// rowid order from its index and stops: nothing is scored or sorted.
func ftsWindow(terms []string, f Filter, limit, offset int) (string, []any) {
	q := "SELECT rowid FROM items_fts WHERE items_fts MATCH ?"
	args := []any{strings.Join(quoteEach(terms, `"`), " ")}
	order := "DESC"
	if f.Oldest {
		order = "ASC"
	}
	if f.After != 0 {
		if f.Oldest {
			q += " AND rowid > ?"
		} else {
			q += " AND rowid < ?"
		}
		args = append(args, f.After)
	}
	q += " ORDER BY rowid " + order + " LIMIT " + strconv.Itoa(limit)
	if offset > 0 {
		q += " OFFSET " + strconv.Itoa(offset)
	}
	return q, args
}

// searchOlder completes a SQLite search whose window of matches did not
// fill the page. When the window held every match the page is complete;
// otherwise the rest of the page comes from past the window, driven by the
// filters' indexes with the terms matched on each row's search_text — the
// same stems the full-text index holds, space-separated. This is the path
// of a common word with narrow filters: a quiet channel, a rare status.
func (s *Store) searchOlder(ctx context.Context, f Filter, terms []string, found []Item) ([]Item, error) {
	q, args := ftsWindow(terms, f, 1, searchWindow-1)
	var last int64
	err := s.DB.QueryRow(ctx, q, args...).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return found, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: search: %w", err)
	}
	rest := f
	rest.Query, rest.After, rest.Limit = "", last, f.Limit-len(found)
	where, wargs := s.where(rest)
	for _, t := range terms {
		where += " AND (' ' || i.search_text || ' ') LIKE ?"
		wargs = append(wargs, "% "+t+" %")
	}
	more, err := s.list(ctx, s.from(rest), where, wargs, rest)
	return append(found, more...), err
}

// AnyTermQuery selects the ids of the newest limit items whose search
// text holds any of terms (stems), through the full-text index: FTS5 on
// SQLite, the GIN index on search_vector on PostgreSQL. It is for callers
// that look for likeness (earlier replies to similar questions) rather
// than the inbox's every-word search.
func AnyTermQuery(dialect db.Dialect, terms []string, limit int) (string, []any) {
	if dialect == db.Postgres {
		return "SELECT id FROM items WHERE search_vector @@ to_tsquery('simple', ?) ORDER BY id DESC LIMIT " + strconv.Itoa(limit),
			[]any{strings.Join(quoteEach(terms, "'"), " | ")}
	}
	return "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC LIMIT " + strconv.Itoa(limit),
		[]any{strings.Join(quoteEach(terms, `"`), " OR ")}
}

func quoteEach(terms []string, q string) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = q + strings.ReplaceAll(t, q, "") + q
	}
	return out
}

// LatestID returns the id of the newest item, 0 when there is none.
func (s *Store) LatestID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := s.DB.QueryRow(ctx, "SELECT MAX(id) FROM items").Scan(&id)
	return id.Int64, err
}

// Get returns one item.
func (s *Store) Get(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(s.DB.QueryRow(ctx, "SELECT "+itemColumns+itemJoins+" WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFoundf("Ärendet finns inte")
	}
	return it, err
}

// Thread returns every item of a thread in the order they were posted.
func (s *Store) Thread(ctx context.Context, threadID int64) ([]Item, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+itemColumns+itemJoins+" WHERE i.thread_id = ? ORDER BY i.posted_at, i.id LIMIT 500", threadID)
	if err != nil {
		return nil, fmt.Errorf("inbox: thread: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Versions returns an item's versions, oldest first.
func (s *Store) Versions(ctx context.Context, itemID int64) ([]Version, error) {
	rows, err := s.DB.Query(ctx, "SELECT version, verb, body, hidden, removed, occurred_at, recorded_at FROM item_versions WHERE item_id = ? ORDER BY version", itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.Version, &v.Verb, &v.Body, &v.Hidden, &v.Removed, &v.OccurredAt, &v.RecordedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Activities returns the work on an item, oldest first.
func (s *Store) Activities(ctx context.Context, itemID int64) ([]Activity, error) {
	rows, err := s.DB.Query(ctx, `SELECT a.at, COALESCE(a.user_id, 0), COALESCE(u.name, ''), a.kind, a.detail
		FROM item_activity a LEFT JOIN users u ON u.id = a.user_id WHERE a.item_id = ? ORDER BY a.at, a.id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: activity: %w", err)
	}
	defer rows.Close()
	var out []Activity
	for rows.Next() {
		var a Activity
		if err := rows.Scan(&a.At, &a.UserID, &a.UserName, &a.Kind, &a.Detail); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetStatus moves an item to a status a person may set by hand. Hidden and
// removed follow the platform and are set by moderation actions, not here.
func (s *Store) SetStatus(ctx context.Context, itemID int64, st Status) error {
	switch st {
	case StatusNew, StatusAssigned, StatusWaiting, StatusAnswered, StatusNoAction:
	default:
		return apperr.Invalidf("Statusen %q sätts när inlägget döljs eller tas bort på plattformen", st.Label())
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var old string
		var dept int64
		err := tx.QueryRow(ctx, "SELECT status, department_id FROM items WHERE id = ?", itemID).Scan(&old, &dept)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("Ärendet finns inte")
		}
		if err != nil {
			return err
		}
		if Status(old) == StatusRemoved {
			return apperr.Conflictf("Inlägget är borttaget på plattformen och kan inte få en ny status")
		}
		if old == string(st) {
			return nil
		}
		resolved := any(nil)
		if !st.Open() {
			resolved = now
		}
		if _, err := tx.Exec(ctx, "UPDATE items SET status = ?, resolved_at = ?, updated_at = ? WHERE id = ?", string(st), resolved, now, itemID); err != nil {
			return err
		}
		return s.activity(ctx, tx, itemID, dept, now, "status", old+" → "+string(st))
	})
}

// Assign gives an item to a person (0 takes it back) and marks it assigned.
func (s *Store) Assign(ctx context.Context, itemID, userID int64) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var dept int64
		var status string
		err := tx.QueryRow(ctx, "SELECT department_id, status FROM items WHERE id = ?", itemID).Scan(&dept, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("Ärendet finns inte")
		}
		if err != nil {
			return err
		}
		assignee := any(nil)
		next := status
		if userID != 0 {
			var active bool
			if err := tx.QueryRow(ctx, "SELECT active FROM users WHERE id = ?", userID).Scan(&active); err != nil || !active {
				return apperr.Invalidf("Personen finns inte eller är inaktiverad")
			}
			assignee = userID
			if status == string(StatusNew) {
				next = string(StatusAssigned)
			}
		} else if status == string(StatusAssigned) {
			next = string(StatusNew)
		}
		if _, err := tx.Exec(ctx, "UPDATE items SET assignee_id = ?, status = ?, updated_at = ? WHERE id = ?", assignee, next, now, itemID); err != nil {
			return err
		}
		return s.activity(ctx, tx, itemID, dept, now, "assign", strconv.FormatInt(userID, 10))
	})
}

// AddNote adds an internal note, never sent to the platform.
func (s *Store) AddNote(ctx context.Context, itemID int64, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 10000 {
		return apperr.Invalidf("Anteckningen är tom eller för lång")
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var dept int64
		if err := tx.QueryRow(ctx, "SELECT department_id FROM items WHERE id = ?", itemID).Scan(&dept); err != nil {
			return apperr.NotFoundf("Ärendet finns inte")
		}
		return s.activity(ctx, tx, itemID, dept, now, "note", text)
	})
}

func (s *Store) activity(ctx context.Context, tx *db.Tx, itemID, dept int64, now time.Time, kind, detail string) error {
	a := audit.ActorFrom(ctx)
	var user any
	if a.UserID != 0 {
		user = a.UserID
	}
	if _, err := tx.Exec(ctx, "INSERT INTO item_activity (item_id, at, user_id, kind, detail) VALUES (?, ?, ?, ?, ?)", itemID, now, user, kind, detail); err != nil {
		return err
	}
	summary := detail
	if kind == "note" {
		summary = "anteckning"
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "item." + kind, ObjectType: "item", ObjectID: audit.ID(itemID), DepartmentID: dept, Summary: summary})
}
