package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/diary"
	"tilltal/internal/moderation/score"
	"tilltal/internal/notify"
	"tilltal/internal/org"
)

// OpenRequest asks for a case on an item.
type OpenRequest struct {
	ItemID int64
	// Category is the suspected crime, unless FromFlags.
	Category score.Category
	// FromFlags takes the category from the item's first criminal flag.
	FromFlags bool
	Note      string
}

// itemFacts is what opening a case reads of its item.
type itemFacts struct {
	channelID, departmentID int64
	channelName             string
	posted, received        time.Time
	flags                   string
	fromUs                  bool
}

func readItem(ctx context.Context, q querier, itemID int64) (itemFacts, error) {
	var f itemFacts
	err := q.QueryRow(ctx, `SELECT i.channel_id, i.department_id, c.name, i.posted_at, i.received_at, i.flags, i.from_us
		FROM items i JOIN channels c ON c.id = i.channel_id WHERE i.id = ?`, itemID).
		Scan(&f.channelID, &f.departmentID, &f.channelName, &f.posted, &f.received, &f.flags, &f.fromUs)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFoundf("Inlägget finns inte")
	}
	return f, err
}

// Open opens a case on an item (the web and API check that the person may
// work the item). A second request for the same item returns the case
// already open, with created false.
func (s *Store) Open(ctx context.Context, r OpenRequest) (id int64, created bool, err error) {
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, created, err = s.OpenTx(ctx, tx, r, false)
		return err
	})
	return id, created, err
}

// OpenTx opens a case in tx: the case row, its diary number, the
// quarantine of media for child sexual abuse material, the jobs that
// preserve and remove, the audit entry and the notification to legal and
// the channel's owner. byRule says a channel rule opened it.
func (s *Store) OpenTx(ctx context.Context, tx *db.Tx, r OpenRequest, byRule bool) (int64, bool, error) {
	// The case's registration marks the item's archive records; the
	// archive's lock comes before the case's rows, as in every append.
	if err := archive.LockTx(ctx, tx); err != nil {
		return 0, false, err
	}
	it, err := readItem(ctx, tx, r.ItemID)
	if err != nil {
		return 0, false, err
	}
	if it.fromUs {
		return 0, false, apperr.Invalidf("Kommunens egna inlägg kan inte bli ett ärende om misstänkt brott")
	}
	cat, err := category(r, it.flags)
	if err != nil {
		return 0, false, err
	}
	if len([]rune(r.Note)) > 5000 {
		return 0, false, apperr.Invalidf("Anteckningen är för lång (högst 5000 tecken)")
	}
	target, err := removalTarget(ctx, tx, it.channelID)
	if err != nil {
		return 0, false, err
	}
	now := s.Now().UTC()
	actor := audit.ActorFrom(ctx)
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO incidents (item_id, channel_id, department_id, category, opened_by, opened_by_rule, note, posted_at, received_at,
		opened_at, removal_target_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING RETURNING id`,
		r.ItemID, it.channelID, it.departmentID, cat.String(), nullID(actor.UserID), byRule, strings.TrimSpace(r.Note), it.posted.UTC(), it.received.UTC(),
		now, int(target/time.Minute)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRow(ctx, "SELECT id FROM incidents WHERE item_id = ?", r.ItemID).Scan(&id)
		return id, false, err
	}
	if err != nil {
		return 0, false, fmt.Errorf("incident: open: %w", err)
	}
	number, err := s.register(ctx, tx, id, r.ItemID, cat, it)
	if err != nil {
		return 0, false, err
	}
	if cat == score.CSAM {
		if err := s.quarantineTx(ctx, tx, r.ItemID, "barnpornografibrott (tecken på)", now); err != nil {
			return 0, false, err
		}
	}
	for _, job := range []river.JobArgs{PreserveArgs{IncidentID: id}, RemoveArgs{IncidentID: id}} {
		if err := s.enqueue(ctx, tx, job); err != nil {
			return 0, false, err
		}
	}
	how := "av " + actor.Label
	if byRule {
		how = "av kanalens regel"
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{Action: "incident.open", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: it.departmentID,
		// The log is read more widely than the cases: it names the case,
		// not the crime.
		Summary: fmt.Sprintf("Ärende %s öppnat %s", number, how), Detail: map[string]any{"item_id": r.ItemID, "channel_id": it.channelID}}); err != nil {
		return 0, false, err
	}
	return id, true, s.announce(ctx, tx, id, it, cat, number)
}

// category picks the suspected crime: the one asked for, else the item's
// first criminal flag.
func category(r OpenRequest, flags string) (score.Category, error) {
	if !r.FromFlags {
		if !r.Category.Criminal() {
			return 0, apperr.Invalidf("Välj vilket brott som misstänks")
		}
		return r.Category, nil
	}
	for _, f := range strings.Fields(flags) {
		if c, err := score.ParseCategory(f); err == nil && c.Criminal() {
			return c, nil
		}
	}
	return 0, apperr.Invalidf("Inlägget är inte flaggat för något brott; välj vilket brott som misstänks")
}

// register gives the case its diary number, secret with its legal ground:
// who wrote what in a suspected crime is not for the public diary.
func (s *Store) register(ctx context.Context, tx *db.Tx, id, itemID int64, cat score.Category, it itemFacts) (string, error) {
	e, err := s.Diary.RegisterTx(ctx, tx, diary.New{ReceivedAt: it.received.UTC(), Direction: diary.Incoming,
		Description:  fmt.Sprintf("Ärende om misstänkt brott (%s) i kanalen %s", cat.Swedish(), it.channelName),
		DepartmentID: it.departmentID, Secret: true, SecrecyGround: SecrecyGround, ObjectType: "incident", ObjectID: audit.ID(id),
		Items: []int64{itemID}})
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, "UPDATE incidents SET diary_entry_id = ?, diary_number = ? WHERE id = ?", e.ID, e.Number, id); err != nil {
		return "", fmt.Errorf("incident: diary number: %w", err)
	}
	return e.Number, nil
}

// announce tells legal and the channel's owner that a case was opened.
// The message names the crime and the channel, never the content.
func (s *Store) announce(ctx context.Context, tx *db.Tx, id int64, it itemFacts, cat score.Category, number string) error {
	if s.Outbox == nil {
		return nil
	}
	msg := notify.Message{Subject: fmt.Sprintf("Nytt ärende om misstänkt brott i %s (%s)", it.channelName, number),
		Body: fmt.Sprintf("Ett ärende om misstänkt %s har öppnats i kanalen %s. Bevisen säkras och inlägget döljs på plattformen. "+
			"Polisanmäl och för in polisens diarienummer (K-nummer) i ärendet.", cat.Swedish(), it.channelName),
		Link: s.link(fmt.Sprintf("/arenden/%d", id)), DedupeKey: fmt.Sprintf("incident-open:%d", id)}
	if err := s.Outbox.ToRoleTx(ctx, tx, org.Legal, msg); err != nil {
		return err
	}
	owners, err := channelOwners(ctx, tx, it.channelID)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, owners, msg)
}

// tell sends msg to each person once, with a dedupe key per person.
func (s *Store) tell(ctx context.Context, tx *db.Tx, users []int64, msg notify.Message) error {
	if s.Outbox == nil {
		return nil
	}
	for _, u := range users {
		m := msg
		m.UserID = u
		if msg.DedupeKey != "" {
			m.DedupeKey = fmt.Sprintf("%s:user:%d", msg.DedupeKey, u)
		}
		if _, err := s.Outbox.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) link(path string) string { return strings.TrimRight(s.BaseURL, "/") + path }

// channelOwners returns the channel's owners: the only people besides
// legal who may see its cases.
func channelOwners(ctx context.Context, q querier, channelID int64) ([]int64, error) {
	rows, err := q.Query(ctx, "SELECT DISTINCT m.user_id FROM channel_members m JOIN users u ON u.id = m.user_id WHERE m.channel_id = ? AND m.role = 'owner' AND u.active ORDER BY m.user_id", channelID)
	if err != nil {
		return nil, fmt.Errorf("incident: owners: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// removalTarget is the channel's target, or the default.
func removalTarget(ctx context.Context, q querier, channelID int64) (time.Duration, error) {
	var minutes int
	err := q.QueryRow(ctx, "SELECT removal_minutes FROM incident_targets WHERE channel_id = ?", channelID).Scan(&minutes)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRemovalTarget, nil
	}
	if err != nil {
		return 0, fmt.Errorf("incident: removal target: %w", err)
	}
	return time.Duration(minutes) * time.Minute, nil
}
