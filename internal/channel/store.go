package channel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
)

// Store reads and changes the registry. Every exported method that changes
// something runs in one transaction with its audit entry and history event.
type Store struct {
	DB *db.DB
	// Outbox sends notifications; nil sends none (seeding, scripts).
	Outbox *notify.Outbox
	// Queue runs a gap check as soon as a rota or policy changes; nil
	// leaves it to the periodic check.
	Queue *jobs.Queue
	Now   func() time.Time
	// BaseURL is Tilltal's public address, for links in notifications and
	// in the Atom feed.
	BaseURL string
	// Identified, when set, runs after a channel is saved with a platform
	// id: events that arrived for the account before it was registered
	// (kept as unrouted) are handed to the channel.
	Identified func(ctx context.Context, channelID int64) error
	// BeforeClose, when set, prepares what closing a channel that is in
	// use (active or paused) needs: the snapshot (ögonblicksbild) archive
	// guidance asks for before an account is closed. It runs before the
	// closing transaction, because rendering and storing the snapshot is
	// slow and must not hold the archive's lock (on SQLite the only
	// writer); the step it returns runs in the closing transaction, before
	// the status changes, and records the snapshot. If either fails, the
	// channel stays open.
	BeforeClose func(ctx context.Context, channelID int64) (CloseStep, error)
}

// CloseStep is the part of BeforeClose that runs in the closing
// transaction.
type CloseStep func(ctx context.Context, tx *db.Tx) error

// identified runs the Identified hook after a commit.
func (s *Store) identified(ctx context.Context, id int64) error {
	if s.Identified == nil {
		return nil
	}
	return s.Identified(ctx, id)
}

// querier is what both *db.DB and *db.Tx offer for reading.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

const channelColumns = `c.id, c.department_id, d.name, d.code, c.platform, c.external_id, c.handle, c.url, c.name,
	c.purpose, c.audience, c.upkeep, c.sender_rules, c.graphic_profile_url, c.comment_notice, c.retention_decision,
	c.status, c.status_reason, c.policy_weekday, c.policy_weekend, c.policy_holiday,
	c.check_sender, c.check_graphic_profile, c.check_name_picture, COALESCE(c.requested_by, 0),
	c.created_at, c.updated_at, c.activated_at, c.closed_at
	FROM channels c JOIN departments d ON d.id = c.department_id`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	var pw, pe, ph string
	var activated, closed sql.NullTime
	err := row.Scan(&c.ID, &c.DepartmentID, &c.DepartmentName, &c.DepartmentCode, &c.Platform, &c.ExternalID, &c.Handle, &c.URL, &c.Name,
		&c.Purpose, &c.Audience, &c.Upkeep, &c.SenderRules, &c.GraphicProfileURL, &c.CommentNotice, &c.RetentionDecision,
		&c.Status, &c.StatusReason, &pw, &pe, &ph,
		&c.Checklist.Sender, &c.Checklist.GraphicProfile, &c.Checklist.NamePicture, &c.RequestedBy,
		&c.CreatedAt, &c.UpdatedAt, &activated, &closed)
	if err != nil {
		return c, err
	}
	c.Policy = calendar.Policy{Weekday: decodeWindow(pw), Weekend: decodeWindow(pe), Holiday: decodeWindow(ph)}
	if activated.Valid {
		c.ActivatedAt = &activated.Time
	}
	if closed.Valid {
		c.ClosedAt = &closed.Time
	}
	return c, nil
}

// encodeWindow stores a policy window as "08:00-22:00", "" when not required.
func encodeWindow(w calendar.Window) string {
	if !w.Required() {
		return ""
	}
	return w.Start.String() + "-" + w.End.String()
}

// decodeWindow reads what encodeWindow wrote; anything unreadable requires
// nothing, which the coverage page shows plainly.
func decodeWindow(s string) calendar.Window {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return calendar.NotRequired
	}
	w, err := calendar.ParseWindow(a, b)
	if err != nil {
		return calendar.NotRequired
	}
	return w
}

// Get returns one channel with its people, or NotFound when it does not
// exist or v may not see it.
func (s *Store) Get(ctx context.Context, v Viewer, id int64) (Channel, error) {
	c, err := getChannel(ctx, s.DB, id)
	if err != nil {
		return c, err
	}
	if !v.canSee(c) {
		return Channel{}, errNotFound
	}
	return c, nil
}

var errNotFound = apperr.NotFoundf("Kanalen finns inte")

func getChannel(ctx context.Context, q querier, id int64) (Channel, error) {
	c, err := scanChannel(q.QueryRow(ctx, "SELECT "+channelColumns+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	if err != nil {
		return c, fmt.Errorf("channel: get: %w", err)
	}
	members, err := loadMembers(ctx, q, []int64{id})
	if err != nil {
		return c, err
	}
	c.Members = members[id]
	return c, nil
}

// Filter selects channels for List.
type Filter struct {
	Status       Status
	DepartmentID int64
	Platform     Platform
}

// List returns the channels v may see, by department and name.
func (s *Store) List(ctx context.Context, v Viewer, f Filter) ([]Channel, error) {
	var where []string
	var args []any
	if !v.All {
		where = append(where, "(c.requested_by = ? OR c.id IN (SELECT channel_id FROM channel_members WHERE user_id = ?))")
		args = append(args, v.UserID, v.UserID)
	}
	if f.Status != "" {
		where = append(where, "c.status = ?")
		args = append(args, string(f.Status))
	}
	if f.DepartmentID != 0 {
		where = append(where, "c.department_id = ?")
		args = append(args, f.DepartmentID)
	}
	if f.Platform != "" {
		where = append(where, "c.platform = ?")
		args = append(args, string(f.Platform))
	}
	q := "SELECT " + channelColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return listChannels(ctx, s.DB, q+" ORDER BY d.name, c.name, c.id", args...)
}

func listChannels(ctx context.Context, q querier, query string, args ...any) ([]Channel, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("channel: list: %w", err)
	}
	var out []Channel
	var ids []int64
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("channel: list: %w", err)
		}
		out = append(out, c)
		ids = append(ids, c.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	members, err := loadMembers(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Members = members[out[i].ID]
	}
	return out, nil
}

// loadMembers returns the people of the channels, owner first.
func loadMembers(ctx context.Context, q querier, ids []int64) (map[int64][]Member, error) {
	out := map[int64][]Member{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT m.channel_id, m.user_id, u.name, u.email, m.role, u.active,
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'owner'),
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'editor')
		FROM channel_members m JOIN users u ON u.id = m.user_id
		WHERE m.channel_id IN (`+db.Placeholders(len(ids))+`)
		ORDER BY m.channel_id, CASE m.role WHEN 'owner' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, u.name, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("channel: members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch int64
		var m Member
		if err := rows.Scan(&ch, &m.UserID, &m.Name, &m.Email, &m.Role, &m.Active, &m.HasOwnerRole, &m.HasEditorRole); err != nil {
			return nil, fmt.Errorf("channel: members: %w", err)
		}
		out[ch] = append(out[ch], m)
	}
	return out, rows.Err()
}
