// Package answer keeps the saved answers: texts an editor may reuse, each
// resting on a source link, vouched for by a department, and checked on a
// date after which it is flagged as stale — the guideline's "answer from
// what you know, not what you think". It also suggests, for an item,
// saved answers and the municipality's earlier replies to similar
// questions.
package answer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/swedish"
)

// Answer is one saved answer.
type Answer struct {
	ID             int64
	Title          string
	Body           string
	SourceURL      string
	DepartmentID   int64
	DepartmentName string
	OwnerID        int64
	OwnerName      string
	CheckedOn      time.Time
	ValidDays      int
	Archived       bool
}

// StaleAt is when the answer must be checked again.
func (a Answer) StaleAt() time.Time { return a.CheckedOn.AddDate(0, 0, a.ValidDays) }

// Stale reports whether the answer's check has run out.
func (a Answer) Stale(now time.Time) bool { return now.After(a.StaleAt()) }

// Store keeps saved answers.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// validate checks an answer before it is saved.
func validate(a *Answer) error {
	a.Title, a.Body, a.SourceURL = strings.TrimSpace(a.Title), strings.TrimSpace(a.Body), strings.TrimSpace(a.SourceURL)
	switch {
	case a.Title == "" || len(a.Title) > 200:
		return apperr.Invalidf("Rubriken saknas eller är för lång")
	case a.Body == "" || len(a.Body) > 8000:
		return apperr.Invalidf("Svaret saknas eller är för långt")
	case a.DepartmentID == 0:
		return apperr.Invalidf("Välj den verksamhet som står för svaret")
	}
	u, err := url.Parse(a.SourceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apperr.Invalidf("Ange källan som en webbadress (https://…): ett sparat svar ska vila på något")
	}
	if a.ValidDays <= 0 {
		a.ValidDays = 180
	}
	if a.ValidDays > 730 {
		return apperr.Invalidf("Ett svar måste kontrolleras minst vartannat år")
	}
	return nil
}

// Save creates an answer (ID 0) or updates one; either way it counts as
// checked today by the person saving it.
func (s *Store) Save(ctx context.Context, a Answer) (int64, error) {
	if err := validate(&a); err != nil {
		return 0, err
	}
	now := s.Now()
	actor := audit.ActorFrom(ctx)
	terms := swedish.IndexText(a.Title + " " + a.Body)
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if a.ID == 0 {
			a.ID, err = tx.InsertID(ctx, `INSERT INTO saved_answers (title, body, source_url, department_id, owner_id, checked_on, valid_days, search_text, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Title, a.Body, a.SourceURL, a.DepartmentID, nullID(actor.UserID), now, a.ValidDays, terms, now, now)
		} else {
			var res sql.Result
			res, err = tx.Exec(ctx, `UPDATE saved_answers SET title = ?, body = ?, source_url = ?, department_id = ?, owner_id = ?, checked_on = ?, valid_days = ?,
				search_text = ?, archived = ?, updated_at = ? WHERE id = ?`, a.Title, a.Body, a.SourceURL, a.DepartmentID, nullID(actor.UserID), now, a.ValidDays, terms, a.Archived, now, a.ID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return apperr.NotFoundf("Svaret finns inte")
				}
			}
		}
		if db.IsForeignKeyViolation(err) {
			return apperr.Invalidf("Verksamheten finns inte")
		}
		if err != nil {
			return fmt.Errorf("answer: save: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "answer.save", ObjectType: "saved_answer", ObjectID: audit.ID(a.ID), DepartmentID: a.DepartmentID, Summary: a.Title})
	})
	return a.ID, err
}

const selectAnswer = `SELECT a.id, a.title, a.body, a.source_url, a.department_id, d.name, COALESCE(a.owner_id, 0), COALESCE(u.name, ''),
	a.checked_on, a.valid_days, a.archived FROM saved_answers a JOIN departments d ON d.id = a.department_id LEFT JOIN users u ON u.id = a.owner_id`

func scan(row interface{ Scan(...any) error }) (Answer, error) {
	var a Answer
	err := row.Scan(&a.ID, &a.Title, &a.Body, &a.SourceURL, &a.DepartmentID, &a.DepartmentName, &a.OwnerID, &a.OwnerName, &a.CheckedOn, &a.ValidDays, &a.Archived)
	return a, err
}

// Get returns one answer.
func (s *Store) Get(ctx context.Context, id int64) (Answer, error) {
	a, err := scan(s.DB.QueryRow(ctx, selectAnswer+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("Svaret finns inte")
	}
	return a, err
}

// List returns the answers, stale ones first so they get checked.
func (s *Store) List(ctx context.Context, includeArchived bool) ([]Answer, error) {
	q := selectAnswer
	if !includeArchived {
		q += " WHERE NOT a.archived"
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY a.checked_on, a.title LIMIT 1000")
	if err != nil {
		return nil, fmt.Errorf("answer: list: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// minReplyOverlap is the share of an item's search terms an earlier
// question must share to be suggested.
const minReplyOverlap = 0.4

// Suggestion is a text that may help answer an item: a saved answer or an
// earlier reply, with how well it matches.
type Suggestion struct {
	Answer *Answer
	// Earlier replies: the municipality's text and the question it answered.
	ReplyText    string
	QuestionText string
	ItemID       int64
	Score        float64
}

// Suggest returns saved answers and earlier replies that share the most
// search terms with text, best first. Replies come only from channels the
// person may see (nil: all).
func (s *Store) Suggest(ctx context.Context, text string, channels []int64, limit int) ([]Suggestion, error) {
	terms := swedish.Terms(text)
	if len(terms) == 0 {
		return nil, nil
	}
	answers, err := s.List(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []Suggestion
	for i := range answers {
		if sc := overlap(terms, swedish.Terms(answers[i].Title+" "+answers[i].Body)); sc > 0 {
			out = append(out, Suggestion{Answer: &answers[i], Score: sc + 0.25}) // saved answers rank above replies
		}
	}
	replies, err := s.earlierReplies(ctx, text, terms, channels)
	if err != nil {
		return nil, err
	}
	out = append(out, replies...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// replyCandidates bounds how many of the newest questions sharing a term
// with the item are looked at for earlier replies. The item page runs this
// on every view, so it must not grow with the archive: a very common word
// reads only the newest matches from the full-text index.
const replyCandidates = 2_000

// earlierReplies finds questions sharing terms with the item that the
// municipality answered, and their answers.
func (s *Store) earlierReplies(ctx context.Context, text string, terms []string, channels []int64) ([]Suggestion, error) {
	if channels != nil && len(channels) == 0 {
		return nil, nil
	}
	candidates, args := inbox.AnyTermQuery(s.DB.Dialect, terms, replyCandidates)
	q := `SELECT q.id, q.body, r.body, q.search_text FROM items q JOIN items r ON r.channel_id = q.channel_id AND r.parent_external_id = q.external_id AND r.from_us
		WHERE q.id IN (` + candidates + `) AND NOT q.from_us`
	if channels != nil {
		q += " AND q.channel_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(channels)), ",") + ")"
		for _, c := range channels {
			args = append(args, c)
		}
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY q.id DESC LIMIT 200", args...)
	if err != nil {
		return nil, fmt.Errorf("answer: earlier replies: %w", err)
	}
	defer rows.Close()
	var out []Suggestion
	for rows.Next() {
		var sg Suggestion
		var qterms string
		if err := rows.Scan(&sg.ItemID, &sg.QuestionText, &sg.ReplyText, &qterms); err != nil {
			return nil, err
		}
		sg.Score = overlap(terms, strings.Fields(qterms))
		// One shared word in a long question is chance, not likeness.
		if sg.Score >= minReplyOverlap && sg.QuestionText != text {
			out = append(out, sg)
		}
	}
	return out, rows.Err()
}

// overlap is the share of the wanted terms found in have.
func overlap(want, have []string) float64 {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	n := 0
	for _, w := range want {
		if set[w] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
