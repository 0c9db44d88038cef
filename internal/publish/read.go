package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/db"
)

// visibleSQL limits posts (alias p) to those a person wrote, approves, or
// whose channels they work on; it takes the user id three times.
const visibleSQL = `(p.author_id = ? OR p.approver_id = ? OR EXISTS (SELECT 1 FROM publish_targets vt
	JOIN channel_members vm ON vm.channel_id = vt.channel_id WHERE vt.post_id = p.id AND vm.user_id = ?))`

const postColumns = `p.id, p.title, p.body, p.link, p.author_id, au.name, COALESCE(p.approver_id, 0), COALESCE(ap.name, ''), p.status,
	p.scheduled_at, p.check_sender, p.check_graphic_profile, COALESCE(p.decided_by, 0), COALESCE(de.name, ''), p.decided_at,
	p.decision_comment, p.direct, p.created_at, p.updated_at
	FROM publish_posts p JOIN users au ON au.id = p.author_id LEFT JOIN users ap ON ap.id = p.approver_id LEFT JOIN users de ON de.id = p.decided_by`

func scanPost(row interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var sched, decided sql.NullTime
	err := row.Scan(&p.ID, &p.Title, &p.Body, &p.Link, &p.AuthorID, &p.AuthorName, &p.ApproverID, &p.ApproverName, &p.Status,
		&sched, &p.CheckSender, &p.CheckGraphicProfile, &p.DecidedBy, &p.DecidedByName, &decided,
		&p.DecisionComment, &p.Direct, &p.CreatedAt, &p.UpdatedAt)
	if sched.Valid {
		p.ScheduledAt = &sched.Time
	}
	if decided.Valid {
		p.DecidedAt = &decided.Time
	}
	return p, err
}

var errNoPost = apperr.NotFoundf("Inlägget finns inte")

// Get returns a post with its channels, image and flags, or NotFound when
// it does not exist or v may not see it.
func (s *Service) Get(ctx context.Context, v channel.Viewer, id int64) (Post, error) {
	return s.load(ctx, s.DB, v, id)
}

func (s *Service) load(ctx context.Context, q querier, v channel.Viewer, id int64) (Post, error) {
	query := "SELECT " + postColumns + " WHERE p.id = ?"
	args := []any{id}
	if !v.All {
		query += " AND " + visibleSQL
		args = append(args, v.UserID, v.UserID, v.UserID)
	}
	p, err := scanPost(q.QueryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNoPost
	}
	if err != nil {
		return p, fmt.Errorf("publish: get: %w", err)
	}
	if p.Targets, err = targets(ctx, q, "t.post_id = ?", id); err != nil {
		return p, err
	}
	if p.Images, err = s.postImages(ctx, q, id); err != nil {
		return p, err
	}
	p.Flags, err = flags(ctx, q, id)
	return p, err
}

const targetColumns = `t.id, t.post_id, t.channel_id, c.name, c.platform, c.status, c.department_id, d.name, t.variant, t.hashtags, t.status,
	t.job_round, COALESCE(t.action_id, 0), t.external_id, COALESCE(t.item_id, 0), t.error, t.published_at
	FROM publish_targets t JOIN channels c ON c.id = t.channel_id JOIN departments d ON d.id = c.department_id`

// targets returns the targets matching where, grouped by post id order.
func targets(ctx context.Context, q querier, where string, args ...any) ([]Target, error) {
	list, err := targetsByPost(ctx, q, where, args...)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, ts := range list {
		out = append(out, ts.Target)
	}
	return out, nil
}

type postTarget struct {
	PostID int64
	Target
}

func targetsByPost(ctx context.Context, q querier, where string, args ...any) ([]postTarget, error) {
	rows, err := q.Query(ctx, "SELECT "+targetColumns+" WHERE "+where+" ORDER BY t.post_id, c.platform, c.name, t.id", args...)
	if err != nil {
		return nil, fmt.Errorf("publish: targets: %w", err)
	}
	defer rows.Close()
	var out []postTarget
	for rows.Next() {
		var t postTarget
		var published sql.NullTime
		if err := rows.Scan(&t.ID, &t.PostID, &t.ChannelID, &t.ChannelName, &t.Platform, &t.ChannelStatus, &t.DepartmentID, &t.DepartmentName,
			&t.Variant, &t.Hashtags, &t.Status, &t.Round, &t.ActionID, &t.ExternalID, &t.ItemID, &t.Error, &published); err != nil {
			return nil, err
		}
		if published.Valid {
			t.PublishedAt = &published.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Service) postImages(ctx context.Context, q querier, postID int64) ([]PostImage, error) {
	rows, err := q.Query(ctx, "SELECT image_sha256, alt_text FROM publish_post_images WHERE post_id = ? ORDER BY seq", postID)
	if err != nil {
		return nil, fmt.Errorf("publish: post images: %w", err)
	}
	type ref struct{ sha, alt string }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.sha, &r.alt); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	var out []PostImage
	for _, r := range refs {
		img, err := s.image(ctx, q, r.sha)
		if err != nil {
			return nil, err
		}
		out = append(out, PostImage{Image: img, AltText: r.alt})
	}
	return out, nil
}

func flags(ctx context.Context, q querier, postID int64) ([]Flag, error) {
	rows, err := q.Query(ctx, "SELECT id, consent_id, reason, created_at, resolved_at FROM publish_flags WHERE post_id = ? ORDER BY id", postID)
	if err != nil {
		return nil, fmt.Errorf("publish: flags: %w", err)
	}
	defer rows.Close()
	var out []Flag
	for rows.Next() {
		var f Flag
		var resolved sql.NullTime
		if err := rows.Scan(&f.ID, &f.ConsentID, &f.Reason, &f.CreatedAt, &resolved); err != nil {
			return nil, err
		}
		if resolved.Valid {
			f.ResolvedAt = &resolved.Time
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Filter selects posts for the list and the calendar.
type Filter struct {
	// From and To bound the post's time (its publication, else its
	// schedule); zero for no bound. Posts without a time are only listed
	// when neither is set.
	From, To     time.Time
	DepartmentID int64
	ChannelID    int64
	Status       Status
}

// whenSQL is a post's time: when it was first published, else when it is
// planned, else when it was approved.
const whenSQL = `COALESCE((SELECT MIN(wt.published_at) FROM publish_targets wt WHERE wt.post_id = p.id), p.scheduled_at, p.decided_at)`

// Listed is a post in a list, with its time.
type Listed struct {
	Post
	// When is when it was or will be published; nil for a draft without a
	// planned time.
	When *time.Time
}

// List returns the posts v may see that match f, by time (undated last).
func (s *Service) List(ctx context.Context, v channel.Viewer, f Filter) ([]Listed, error) {
	var where []string
	var args []any
	if !v.All {
		where, args = append(where, visibleSQL), append(args, v.UserID, v.UserID, v.UserID)
	}
	if !f.From.IsZero() {
		where, args = append(where, whenSQL+" >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, whenSQL+" < ?"), append(args, f.To.UTC())
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, string(f.Status))
	}
	if f.ChannelID != 0 {
		where, args = append(where, "EXISTS (SELECT 1 FROM publish_targets ft WHERE ft.post_id = p.id AND ft.channel_id = ?)"), append(args, f.ChannelID)
	}
	if f.DepartmentID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM publish_targets ft JOIN channels fc ON fc.id = ft.channel_id WHERE ft.post_id = p.id AND fc.department_id = ?)")
		args = append(args, f.DepartmentID)
	}
	q := "SELECT " + whenSQL + ", " + postColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY CASE WHEN "+whenSQL+" IS NULL THEN 1 ELSE 0 END, "+whenSQL+", p.id LIMIT 500", args...)
	if err != nil {
		return nil, fmt.Errorf("publish: list: %w", err)
	}
	var out []Listed
	index := map[int64]int{}
	for rows.Next() {
		var when any
		var l Listed
		var p Post
		var err error
		p, err = scanPost(scanWhen{rows, &when})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("publish: list: %w", err)
		}
		l.Post = p
		if t := anyTime(when); !t.IsZero() {
			l.When = &t
		}
		index[p.ID] = len(out)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]any, 0, len(out))
	for _, l := range out {
		ids = append(ids, l.ID)
	}
	ts, err := targetsByPost(ctx, s.DB, "t.post_id IN ("+db.Placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		i := index[t.PostID]
		out[i].Targets = append(out[i].Targets, t.Target)
	}
	return out, nil
}

// scanWhen reads the leading time column before the post's columns.
type scanWhen struct {
	rows *sql.Rows
	when *any
}

// anyTime reads a computed time column: SQLite returns the text it
// stored, PostgreSQL a time.
func anyTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC()
			}
		}
	case []byte:
		return anyTime(string(t))
	}
	return time.Time{}
}

func (s scanWhen) Scan(dest ...any) error { return s.rows.Scan(append([]any{s.when}, dest...)...) }

// Event is a step in a post's approval history.
type Event struct {
	At      time.Time
	Actor   string
	Kind    string
	Comment string
}

// History returns a post's approval history, oldest first.
func (s *Service) History(ctx context.Context, v channel.Viewer, id int64) ([]Event, error) {
	if _, err := s.Get(ctx, v, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT at, actor, kind, comment FROM publish_events WHERE post_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("publish: history: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.Actor, &e.Kind, &e.Comment); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
