package incident

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
	"tilltal/internal/moderation/score"
)

// errNotFound is what anyone who may not see a case gets, the same as for
// a case that does not exist, so that the answer says nothing.
var errNotFound = apperr.NotFoundf("Ärendet finns inte")

const incidentColumns = `n.id, n.item_id, n.channel_id, c.name, c.platform, n.department_id, n.category, n.status, COALESCE(n.opened_by, 0),
	COALESCE(u.name, ''), n.opened_by_rule, n.note, n.posted_at, n.received_at, n.opened_at, n.removal_target_minutes, n.removed_at, n.removal,
	n.removal_error, n.removal_alerted_at, n.decision, n.decided_at, n.preserved_at, n.seal_sha256, n.diary_number, n.police_report_number,
	n.reported_at, n.platform_report_id, n.tip_reference, n.police_acted_at, n.closed_at
	FROM incidents n JOIN channels c ON c.id = n.channel_id LEFT JOIN users u ON u.id = n.opened_by`

func scanIncident(row interface{ Scan(...any) error }) (Incident, error) {
	var i Incident
	var cat, status string
	var minutes int
	var removed, alerted, decided, preserved, reported, acted, closed sql.NullTime
	err := row.Scan(&i.ID, &i.ItemID, &i.ChannelID, &i.ChannelName, &i.Platform, &i.DepartmentID, &cat, &status, &i.OpenedBy,
		&i.OpenedByName, &i.OpenedByRule, &i.Note, &i.PostedAt, &i.ReceivedAt, &i.OpenedAt, &minutes, &removed, &i.Removal,
		&i.RemovalError, &alerted, &i.Decision, &decided, &preserved, &i.SealSHA256, &i.DiaryNumber, &i.PoliceReportNumber,
		&reported, &i.PlatformReportID, &i.TipReference, &acted, &closed)
	if err != nil {
		return i, err
	}
	i.Category, _ = score.ParseCategory(cat)
	i.Status = Status(status)
	i.RemovalTarget = time.Duration(minutes) * time.Minute
	i.PostedAt, i.ReceivedAt, i.OpenedAt = i.PostedAt.UTC(), i.ReceivedAt.UTC(), i.OpenedAt.UTC()
	i.RemovedAt, i.RemovalAlertedAt, i.DecidedAt, i.PreservedAt = timePtr(removed), timePtr(alerted), timePtr(decided), timePtr(preserved)
	i.ReportedAt, i.PoliceActedAt, i.ClosedAt = timePtr(reported), timePtr(acted), timePtr(closed)
	return i, nil
}

// load reads a case without any access check, for jobs.
func load(ctx context.Context, q querier, id int64) (Incident, error) {
	i, err := scanIncident(q.QueryRow(ctx, "SELECT "+incidentColumns+" WHERE n.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, errNotFound
	}
	if err != nil {
		return i, fmt.Errorf("incident: load %d: %w", id, err)
	}
	return i, nil
}

// mayWork reports whether v may see a channel's cases: legal always, the
// channel's owner for their own channels.
func mayWork(ctx context.Context, q querier, v Viewer, channelID int64) (bool, error) {
	if v.Legal {
		return true, nil
	}
	if v.UserID == 0 {
		return false, nil
	}
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM channel_members WHERE channel_id = ? AND user_id = ? AND role = 'owner'", channelID, v.UserID).Scan(&n)
	return n > 0, err
}

// Get returns a case v may see. Anyone else gets not found, and the
// attempt is written to the audit log.
func (s *Store) Get(ctx context.Context, v Viewer, id int64) (Incident, error) {
	i, err := load(ctx, s.DB, id)
	if err != nil && !errors.Is(err, errNotFound) {
		return i, err
	}
	ok := false
	if err == nil {
		if ok, err = mayWork(ctx, s.DB, v, i.ChannelID); err != nil {
			return Incident{}, err
		}
	}
	if !ok {
		return Incident{}, s.denied(ctx, id)
	}
	return i, nil
}

// denied writes a refused look at a case to the audit log and returns
// not found.
func (s *Store) denied(ctx context.Context, id int64) error {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "incident.denied", ObjectType: "incident", ObjectID: audit.ID(id),
			Summary: "Nekad åtkomst till ärende " + audit.ID(id)})
	})
	if err != nil {
		return err
	}
	return errNotFound
}

// Filter selects cases.
type Filter struct {
	ChannelID int64
	Status    Status
	Since     time.Time
	Limit     int
}

// List returns the cases v may see, newest first.
func (s *Store) List(ctx context.Context, v Viewer, f Filter) ([]Incident, error) {
	where := []string{"1 = 1"}
	var args []any
	if !v.Legal {
		where = append(where, "n.channel_id IN (SELECT channel_id FROM channel_members WHERE user_id = ? AND role = 'owner')")
		args = append(args, v.UserID)
	}
	if f.ChannelID != 0 {
		where, args = append(where, "n.channel_id = ?"), append(args, f.ChannelID)
	}
	if f.Status != "" {
		where, args = append(where, "n.status = ?"), append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		where, args = append(where, "n.opened_at >= ?"), append(args, f.Since.UTC())
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.DB.Query(ctx, "SELECT "+incidentColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY n.id DESC LIMIT "+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("incident: list: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		i, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Notice is what the item page may say about an item's case.
type Notice struct {
	// UnderIncident is true when a case is open on the item; everyone who
	// sees the item learns this much.
	UnderIncident bool
	// IncidentID is set only for those who may see the case.
	IncidentID int64
}

// ForItem tells whether an item is under a case, and the case's id to
// those who may see it.
func (s *Store) ForItem(ctx context.Context, v Viewer, itemID int64) (Notice, error) {
	var id, channelID int64
	err := s.DB.QueryRow(ctx, "SELECT id, channel_id FROM incidents WHERE item_id = ?", itemID).Scan(&id, &channelID)
	if errors.Is(err, sql.ErrNoRows) {
		return Notice{}, nil
	}
	if err != nil {
		return Notice{}, fmt.Errorf("incident: for item: %w", err)
	}
	n := Notice{UnderIncident: true}
	ok, err := mayWork(ctx, s.DB, v, channelID)
	if ok {
		n.IncidentID = id
	}
	return n, err
}
