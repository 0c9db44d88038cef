// Package escalation sends a question an editor cannot answer to the
// responsible department (verksamhet), with a deadline. The department's
// contacts are notified, see only what was sent to them, and answer inside
// Tilltal; the answer comes back to the item for the editor to send.
// Overdue requests remind the contacts and then alert the channel's owner.
package escalation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
)

// Escalation is one request to a department.
type Escalation struct {
	ID             int64
	ItemID         int64
	DepartmentID   int64
	DepartmentName string
	Question       string
	AskedBy        string
	AskedAt        time.Time
	DueAt          time.Time
	Status         string
	Answer         string
	AnsweredBy     string
	AnsweredAt     *time.Time
	// ItemText is the citizen's text the question is about: all the
	// department sees of the inbox.
	ItemText   string
	ItemAuthor string
	Channel    string
}

// Overdue reports whether the request is open past its deadline.
func (e Escalation) Overdue(now time.Time) bool { return e.Status == "open" && now.After(e.DueAt) }

// Store keeps escalations.
type Store struct {
	DB      *db.DB
	Outbox  *notify.Outbox
	Now     func() time.Time
	BaseURL string
}

// DefaultDeadline is how long a department has when the editor sets none:
// one working day is the guideline's spirit of "as fast as possible".
const DefaultDeadline = 24 * time.Hour

// Create sends an item's question to a department, marks the item as
// waiting for the department, and notifies the department's contacts.
func (s *Store) Create(ctx context.Context, itemID, departmentID int64, question string, due time.Time) (int64, error) {
	question = strings.TrimSpace(question)
	if question == "" || len(question) > 5000 {
		return 0, apperr.Invalidf("Skriv frågan till verksamheten (högst 5 000 tecken)")
	}
	now := s.Now()
	if due.IsZero() {
		due = now.Add(DefaultDeadline)
	}
	if !due.After(now) {
		return 0, apperr.Invalidf("Svarsdatumet måste ligga i framtiden")
	}
	actor := audit.ActorFrom(ctx)
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var deptName string
		if err := tx.QueryRow(ctx, "SELECT name FROM departments WHERE id = ?", departmentID).Scan(&deptName); err != nil {
			return apperr.Invalidf("Verksamheten finns inte")
		}
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM items WHERE id = ?", itemID).Scan(&status); err != nil {
			return apperr.NotFoundf("Ärendet finns inte")
		}
		var err error
		id, err = tx.InsertID(ctx, "INSERT INTO escalations (item_id, department_id, question, asked_by, asked_at, due_at) VALUES (?, ?, ?, ?, ?, ?)",
			itemID, departmentID, question, nullID(actor.UserID), now, due.UTC())
		if err != nil {
			return fmt.Errorf("escalation: create: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE items SET status = 'waiting', updated_at = ? WHERE id = ? AND status IN ('new', 'assigned', 'answered')", now, itemID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO item_activity (item_id, at, user_id, kind, detail) VALUES (?, ?, ?, 'escalate', ?)", itemID, now, nullID(actor.UserID), deptName+": "+question); err != nil {
			return err
		}
		if err := s.notifyContactsTx(ctx, tx, departmentID, notify.Message{
			Subject: "Fråga till " + deptName + " från kommunens sociala medier",
			Body:    question + "\n\nSvara senast " + due.In(stockholm).Format("2006-01-02 15:04") + ".",
			Link:    s.BaseURL + fmt.Sprintf("/verksamhet/fragor/%d", id),
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "escalation.create", ObjectType: "escalation", ObjectID: audit.ID(id), DepartmentID: departmentID, Summary: deptName})
	})
	return id, err
}

// notifyContactsTx tells every active contact of a department.
func (s *Store) notifyContactsTx(ctx context.Context, tx *db.Tx, departmentID int64, msg notify.Message) error {
	rows, err := tx.Query(ctx, `SELECT u.id FROM users u JOIN user_departments d ON d.user_id = u.id JOIN user_roles r ON r.user_id = u.id
		WHERE d.department_id = ? AND r.role = 'department' AND u.active`, departmentID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		m := msg
		m.UserID = id
		if _, err := s.Outbox.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// Answer records the department's answer and sends it back to the item:
// the item needs its editor again, and the one who asked is told.
func (s *Store) Answer(ctx context.Context, id int64, answer string) error {
	answer = strings.TrimSpace(answer)
	if answer == "" || len(answer) > 10000 {
		return apperr.Invalidf("Skriv svaret (högst 10 000 tecken)")
	}
	now := s.Now()
	actor := audit.ActorFrom(ctx)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var itemID, deptID int64
		var status string
		var askedBy sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT item_id, department_id, status, asked_by FROM escalations WHERE id = ?", id).Scan(&itemID, &deptID, &status, &askedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("Frågan finns inte")
		}
		if err != nil {
			return err
		}
		if status != "open" {
			return apperr.Conflictf("Frågan är redan besvarad eller återkallad")
		}
		if _, err := tx.Exec(ctx, "UPDATE escalations SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? WHERE id = ?", answer, nullID(actor.UserID), now, id); err != nil {
			return err
		}
		// Back to the editors: assigned if someone holds it, else new.
		if _, err := tx.Exec(ctx, `UPDATE items SET status = CASE WHEN assignee_id IS NULL THEN 'new' ELSE 'assigned' END, updated_at = ?
			WHERE id = ? AND status = 'waiting'`, now, itemID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO item_activity (item_id, at, user_id, kind, detail) VALUES (?, ?, ?, 'department_answer', ?)", itemID, now, nullID(actor.UserID), answer); err != nil {
			return err
		}
		if askedBy.Valid {
			if _, err := s.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: askedBy.Int64, Subject: "Verksamheten har svarat",
				Body: answer, Link: s.BaseURL + fmt.Sprintf("/inkorg/%d", itemID)}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "escalation.answer", ObjectType: "escalation", ObjectID: audit.ID(id), DepartmentID: deptID})
	})
}

const selectEscalation = `SELECT e.id, e.item_id, e.department_id, d.name, e.question, COALESCE(a.name, ''), e.asked_at, e.due_at, e.status,
	e.answer, COALESCE(b.name, ''), e.answered_at, i.body, i.author_name, c.name
	FROM escalations e JOIN departments d ON d.id = e.department_id JOIN items i ON i.id = e.item_id JOIN channels c ON c.id = i.channel_id
	LEFT JOIN users a ON a.id = e.asked_by LEFT JOIN users b ON b.id = e.answered_by`

func scan(row interface{ Scan(...any) error }) (Escalation, error) {
	var e Escalation
	var answered sql.NullTime
	err := row.Scan(&e.ID, &e.ItemID, &e.DepartmentID, &e.DepartmentName, &e.Question, &e.AskedBy, &e.AskedAt, &e.DueAt, &e.Status,
		&e.Answer, &e.AnsweredBy, &answered, &e.ItemText, &e.ItemAuthor, &e.Channel)
	if answered.Valid {
		e.AnsweredAt = &answered.Time
	}
	return e, err
}

// Get returns one escalation.
func (s *Store) Get(ctx context.Context, id int64) (Escalation, error) {
	e, err := scan(s.DB.QueryRow(ctx, selectEscalation+" WHERE e.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFoundf("Frågan finns inte")
	}
	return e, err
}

// ForDepartments lists requests to these departments (nil: all), open
// first, oldest deadline first.
func (s *Store) ForDepartments(ctx context.Context, departments []int64, openOnly bool) ([]Escalation, error) {
	q := selectEscalation + " WHERE 1 = 1"
	var args []any
	if departments != nil {
		if len(departments) == 0 {
			return nil, nil
		}
		q += " AND e.department_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(departments)), ",") + ")"
		for _, d := range departments {
			args = append(args, d)
		}
	}
	if openOnly {
		q += " AND e.status = 'open'"
	}
	return s.list(ctx, q+" ORDER BY CASE WHEN e.status = 'open' THEN 0 ELSE 1 END, e.due_at LIMIT 200", args...)
}

// ForItem lists the requests about an item.
func (s *Store) ForItem(ctx context.Context, itemID int64) ([]Escalation, error) {
	return s.list(ctx, selectEscalation+" WHERE e.item_id = ? ORDER BY e.asked_at", itemID)
}

func (s *Store) list(ctx context.Context, q string, args ...any) ([]Escalation, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("escalation: list: %w", err)
	}
	defer rows.Close()
	var out []Escalation
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
