package escalation

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Stockholm for deadlines in messages

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

// EscalateAfter is how long past its deadline an open request goes before
// the channel's owner is alerted (the contacts are reminded at the deadline).
const EscalateAfter = 24 * time.Hour

// OverdueArgs is the periodic job that reminds and escalates.
type OverdueArgs struct{}

// Kind names the job.
func (OverdueArgs) Kind() string { return "escalation.overdue" }

// OverdueWorker reminds a department's contacts when a request passes its
// deadline, and alerts the owners of the item's channel when it is still
// open a day later. Each happens once per request (reminded_at,
// escalated_at), so a retried or doubled job sends nothing twice.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	Store *Store
}

// Work runs one round.
func (w *OverdueWorker) Work(ctx context.Context, _ *river.Job[OverdueArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("escalation"))
	s := w.Store
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.remindTx(ctx, tx, now); err != nil {
			return err
		}
		return s.escalateTx(ctx, tx, now)
	})
}

type due struct {
	id, itemID, deptID int64
	question           string
}

func (s *Store) dueTx(ctx context.Context, tx *db.Tx, q string, args ...any) ([]due, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.itemID, &d.deptID, &d.question); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Store) remindTx(ctx context.Context, tx *db.Tx, now time.Time) error {
	list, err := s.dueTx(ctx, tx, "SELECT id, item_id, department_id, question FROM escalations WHERE status = 'open' AND due_at < ? AND reminded_at IS NULL", now)
	if err != nil {
		return err
	}
	for _, d := range list {
		if err := s.notifyContactsTx(ctx, tx, d.deptID, notify.Message{Subject: "Påminnelse: en fråga väntar på svar",
			Body: d.question, Link: s.BaseURL + fmt.Sprintf("/verksamhet/fragor/%d", d.id)}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE escalations SET reminded_at = ? WHERE id = ?", now, d.id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) escalateTx(ctx context.Context, tx *db.Tx, now time.Time) error {
	list, err := s.dueTx(ctx, tx, "SELECT id, item_id, department_id, question FROM escalations WHERE status = 'open' AND due_at < ? AND escalated_at IS NULL", now.Add(-EscalateAfter))
	if err != nil {
		return err
	}
	for _, d := range list {
		rows, err := tx.Query(ctx, `SELECT m.user_id FROM channel_members m JOIN items i ON i.channel_id = m.channel_id
			WHERE i.id = ? AND m.role IN ('owner', 'deputy')`, d.itemID)
		if err != nil {
			return err
		}
		var owners []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			owners = append(owners, id)
		}
		rows.Close()
		for _, o := range owners {
			if _, err := s.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: o, Subject: "En fråga till verksamheten är försenad",
				Body: d.question, Link: s.BaseURL + fmt.Sprintf("/inkorg/%d", d.itemID)}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE escalations SET escalated_at = ? WHERE id = ?", now, d.id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "escalation.overdue", ObjectType: "escalation", ObjectID: audit.ID(d.id), DepartmentID: d.deptID}); err != nil {
			return err
		}
	}
	return nil
}

// PeriodicOverdue checks for overdue requests every interval.
func PeriodicOverdue(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return OverdueArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}
