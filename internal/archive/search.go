package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
	"tilltal/internal/swedish"
)

// Filter selects records for Search. Zero fields do not filter.
type Filter struct {
	// Query is free text, matched on Swedish stems.
	Query        string
	ChannelID    int64
	DepartmentID int64
	Platform     string
	// Author is an author's name, in any case.
	Author      string
	Kind        Kind
	DiaryNumber string
	ItemID      int64
	ThreadID    int64
	// Since and Until bound occurred_at (the receipt time): Since ≤ t < Until.
	Since time.Time
	Until time.Time
	// PublicTextOnly keeps secret records out of free-text matches, for
	// people who may not read them: a hit would tell what they contain.
	PublicTextOnly bool
	// After pages on: records listed after this one (see Cursor).
	After Cursor
	Limit int
}

// Cursor is a place in the search order, newest received first: the last
// record of a page.
type Cursor struct {
	OccurredAt time.Time
	Seq        int64
}

// CursorOf is the place of a record.
func CursorOf(r Record) Cursor { return Cursor{OccurredAt: r.OccurredAt, Seq: r.Seq} }

// String encodes the cursor for a URL: microseconds since 1970, a dot and
// the seq.
func (c Cursor) String() string {
	if c.Seq == 0 {
		return ""
	}
	return strconv.FormatInt(c.OccurredAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.Seq, 10)
}

// ParseCursor reads a cursor written by String; "" is the start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	at, seq, ok := strings.Cut(s, ".")
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, apperr.Invalidf("Ogiltig sidmarkör")
	}
	return Cursor{OccurredAt: time.UnixMicro(us).UTC(), Seq: n}, nil
}

// MaxLimit bounds one page of results.
const MaxLimit = 200

// listContentMax is the largest content Search returns with each record;
// larger content (raw deliveries) is read with Get.
const listContentMax = 16 << 10

// Search returns the records matching f, newest received first (by
// occurred_at, then seq).
// Records whose content is larger than 16 KiB come without it.
func Search(ctx context.Context, d *db.DB, f Filter) ([]Record, error) {
	common, err := commonTerms(ctx, d, f.Query)
	if err != nil {
		return nil, err
	}
	where, args, ok := searchWhere(d.Dialect, f, common)
	if !ok {
		return nil, nil
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = 50
	}
	cols := strings.Replace(readColumns, "r.content,", "CASE WHEN r.content_size <= "+strconv.Itoa(listContentMax)+" THEN r.content END,", 1)
	q := "SELECT " + cols + " FROM archive_records r WHERE " + where + " ORDER BY r.occurred_at DESC, r.seq DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: search: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("archive: search: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// searchWhere builds the conditions of f; ok is false when nothing can
// match (a query of function words only).
func searchWhere(dialect db.Dialect, f Filter, common bool) (string, []any, bool) {
	conds := []string{"1 = 1"}
	var args []any
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	if f.ChannelID != 0 {
		add("r.channel_id = ?", f.ChannelID)
	}
	if f.DepartmentID != 0 {
		add("r.department_id = ?", f.DepartmentID)
	}
	if f.Platform != "" {
		add("r.platform = ?", f.Platform)
	}
	if a := strings.TrimSpace(f.Author); a != "" {
		add("r.author_key = ?", strings.ToLower(a))
	}
	if f.Kind != "" {
		add("r.kind = ?", string(f.Kind))
	}
	if n := strings.TrimSpace(f.DiaryNumber); n != "" {
		// The second condition lets SQLite use the partial index.
		add("r.diary_number = ? AND r.diary_number <> ''", n)
	}
	if f.ItemID != 0 {
		add("r.item_id = ?", f.ItemID)
	}
	if f.ThreadID != 0 {
		add("r.thread_id = ?", f.ThreadID)
	}
	if !f.Since.IsZero() {
		add("r.occurred_at >= ?", archiveTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("r.occurred_at < ?", archiveTime(f.Until))
	}
	if f.After.Seq > 0 {
		add("(r.occurred_at, r.seq) < (?, ?)", archiveTime(f.After.OccurredAt), f.After.Seq)
	}
	if terms := swedish.Terms(f.Query); len(terms) > 0 {
		c, v := matchClause(dialect, terms, common)
		add(c, v)
		if f.PublicTextOnly {
			add("NOT r.secret")
		}
	} else if strings.TrimSpace(f.Query) != "" {
		return "", nil, false
	}
	return strings.Join(conds, " AND "), args, true
}

// matchClause is full-text matching on the stems in search_text: SQLite's
// FTS5 index, or PostgreSQL's GIN index on the stored tsvector. Terms are
// stems of letters and digits, so quoting is all the escaping they need.
//
// On SQLite, common decides the plan. A rare query is answered by looking
// up each match and sorting them; a common one (thousands of matches) by
// walking an index in date order and keeping the matches, which stops
// after one page: the unary + keeps SQLite from the first plan.
func matchClause(dialect db.Dialect, terms []string, common bool) (string, string) {
	quoted := make([]string, len(terms))
	if dialect == db.Postgres {
		for i, t := range terms {
			quoted[i] = "'" + strings.ReplaceAll(t, "'", "") + "'"
		}
		return "r.search_vector @@ to_tsquery('simple', ?)", strings.Join(quoted, " & ")
	}
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, "") + `"`
	}
	in := "r.seq IN (SELECT rowid FROM archive_records_fts WHERE archive_records_fts MATCH ?)"
	if common {
		in = "+" + in
	}
	return in, strings.Join(quoted, " ")
}

// commonAt is how many matches make a query common (see matchClause).
const commonAt = 5000

// commonTerms reports whether a query matches at least commonAt records,
// on SQLite; PostgreSQL's planner weighs that itself.
func commonTerms(ctx context.Context, d *db.DB, query string) (bool, error) {
	terms := swedish.Terms(query)
	if d.Dialect != db.SQLite || len(terms) == 0 {
		return false, nil
	}
	_, arg := matchClause(d.Dialect, terms, false)
	var n int
	err := d.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT rowid FROM archive_records_fts WHERE archive_records_fts MATCH ? LIMIT "+strconv.Itoa(commonAt)+")", arg).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("archive: search: %w", err)
	}
	return n >= commonAt, nil
}

// Text returns the record's readable text: the "text" of Tilltal's JSON
// content, empty when it has none or was culled.
func (r Record) Text() string {
	if r.ContentType != ContentJSON || len(r.Content) == 0 {
		return ""
	}
	var c struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(r.Content, &c)
	return c.Text
}
