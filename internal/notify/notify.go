// Package notify is the notification outbox: messages to people, written in
// the transaction of whatever caused them and delivered by the job queue by
// e-mail (SMTP) or to a chat channel's incoming webhook (Teams, Slack).
// Delivery is retried with backoff; a message that was sent is never sent
// again, and one that could not be sent says why on the outbox page.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/org"
	"tilltal/internal/secret"
)

// Message is one notification to write to the outbox. Exactly one of
// UserID, Email and WebhookID says where it goes.
type Message struct {
	UserID    int64
	Email     string
	WebhookID int64
	Subject   string
	Body      string
	// Link is a URL into Tilltal where the person can act.
	Link string
	// DedupeKey makes the message once-only: a second message with the same
	// key is silently dropped (e.g. "gap-alert:channel:3:2026-12-24").
	DedupeKey string
}

// Notification is a message in the outbox with its delivery state.
type Notification struct {
	ID        int64
	CreatedAt time.Time
	Transport string
	To        string
	Subject   string
	Body      string
	Link      string
	Status    string
	Attempts  int
	LastError string
	SentAt    *time.Time
}

// Outbox writes messages and enqueues their delivery.
type Outbox struct {
	DB      *db.DB
	Queue   *jobs.Queue
	Secrets *secret.Box
	Now     func() time.Time
}

// SendArgs is the job that delivers one notification.
type SendArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "notify.send" }

// InsertOpts makes delivery unique per notification, so that a second
// enqueue of the same message does nothing.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EnqueueTx writes msg to the outbox in tx and enqueues its delivery. It
// returns 0 when the DedupeKey was already used.
func (o *Outbox) EnqueueTx(ctx context.Context, tx *db.Tx, msg Message) (int64, error) {
	transport, email, err := o.address(ctx, tx, msg)
	if err != nil {
		return 0, err
	}
	if msg.DedupeKey != "" {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?", msg.DedupeKey).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, nil
		}
	}
	id, err := tx.InsertID(ctx, `INSERT INTO notifications (created_at, transport, recipient_user_id, email, webhook_id, subject, body, link, dedupe_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.Now(), transport, nullID(msg.UserID), email, nullID(msg.WebhookID),
		truncate(msg.Subject, 300), truncate(msg.Body, 20000), msg.Link, nullString(msg.DedupeKey))
	if err != nil {
		return 0, fmt.Errorf("notify: enqueue: %w", err)
	}
	if _, err := o.Queue.InsertTx(ctx, tx, SendArgs{NotificationID: id}, nil); err != nil {
		return 0, err
	}
	return id, nil
}

// Enqueue writes msg in a transaction of its own.
func (o *Outbox) Enqueue(ctx context.Context, msg Message) (int64, error) {
	var id int64
	err := o.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = o.EnqueueTx(ctx, tx, msg)
		return err
	})
	return id, err
}

// ToRoleTx notifies every active person holding role.
func (o *Outbox) ToRoleTx(ctx context.Context, tx *db.Tx, role org.Role, msg Message) error {
	rows, err := tx.Query(ctx, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = ? AND u.active`, string(role))
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
		if m.DedupeKey != "" {
			m.DedupeKey = fmt.Sprintf("%s:user:%d", msg.DedupeKey, id)
		}
		if _, err := o.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outbox) address(ctx context.Context, tx *db.Tx, msg Message) (transport, email string, err error) {
	switch {
	case msg.WebhookID != 0:
		return "webhook", "", nil
	case msg.UserID != 0:
		err := tx.QueryRow(ctx, "SELECT email FROM users WHERE id = ?", msg.UserID).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", apperr.NotFoundf("Mottagaren finns inte")
		}
		return "email", email, err
	case msg.Email != "":
		return "email", strings.TrimSpace(msg.Email), nil
	}
	return "", "", apperr.Invalidf("Meddelandet saknar mottagare")
}

// List returns the newest notifications first.
func (o *Outbox) List(ctx context.Context, status string, limit int) ([]Notification, error) {
	q := `SELECT n.id, n.created_at, n.transport, CASE WHEN n.transport = 'webhook' THEN COALESCE(w.name, '') ELSE n.email END,
		n.subject, n.body, n.link, n.status, n.attempts, n.last_error, n.sent_at
		FROM notifications n LEFT JOIN chat_webhooks w ON w.id = n.webhook_id`
	var args []any
	if status != "" {
		q += " WHERE n.status = ?"
		args = append(args, status)
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := o.DB.Query(ctx, q+fmt.Sprintf(" ORDER BY n.id DESC LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var sent sql.NullTime
		if err := rows.Scan(&n.ID, &n.CreatedAt, &n.Transport, &n.To, &n.Subject, &n.Body, &n.Link, &n.Status, &n.Attempts, &n.LastError, &sent); err != nil {
			return nil, err
		}
		if sent.Valid {
			n.SentAt = &sent.Time
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Get returns one notification.
func (o *Outbox) Get(ctx context.Context, id int64) (Notification, error) {
	list, err := o.DB.Query(ctx, "SELECT status, attempts, last_error FROM notifications WHERE id = ?", id)
	if err != nil {
		return Notification{}, err
	}
	defer list.Close()
	if !list.Next() {
		return Notification{}, apperr.ErrNotFound
	}
	n := Notification{ID: id}
	err = list.Scan(&n.Status, &n.Attempts, &n.LastError)
	return n, err
}

// AddWebhook registers a chat webhook; its URL (which carries a secret) is
// stored encrypted.
func (o *Outbox) AddWebhook(ctx context.Context, name, kind, url string, departmentID int64) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return 0, apperr.Invalidf("Namn saknas")
	}
	if kind != "teams" && kind != "slack" {
		return 0, apperr.Invalidf("Typen måste vara teams eller slack")
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return 0, apperr.Invalidf("Adressen måste börja med https://")
	}
	var id int64
	now := o.Now()
	err := o.DB.InTx(ctx, func(tx *db.Tx) error {
		// Insert first to learn the id, then seal the URL bound to it.
		var err error
		id, err = tx.InsertID(ctx, "INSERT INTO chat_webhooks (name, url_enc, kind, department_id, created_at) VALUES (?, ?, ?, ?, ?)",
			name, []byte{0}, kind, nullID(departmentID), now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflictf("Det finns redan en webhook med namnet %q", name)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE chat_webhooks SET url_enc = ? WHERE id = ?", o.Secrets.Seal(url, webhookAD(id)), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "webhook.create", ObjectType: "chat_webhook", ObjectID: audit.ID(id), Summary: name, DepartmentID: departmentID})
	})
	return id, err
}

func webhookAD(id int64) string { return fmt.Sprintf("chat_webhook:%d:url", id) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Webhook is a registered chat webhook as listed; its URL stays sealed.
type Webhook struct {
	ID           int64
	Name         string
	Kind         string
	DepartmentID int64
	Active       bool
	CreatedAt    time.Time
}

// Webhooks lists the registered chat webhooks.
func (o *Outbox) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := o.DB.Query(ctx, "SELECT id, name, kind, COALESCE(department_id, 0), active, created_at FROM chat_webhooks ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("notify: webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		if err := rows.Scan(&w.ID, &w.Name, &w.Kind, &w.DepartmentID, &w.Active, &w.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// TestWebhook sends a test message to a webhook through the queue.
func (o *Outbox) TestWebhook(ctx context.Context, id int64) error {
	_, err := o.Enqueue(ctx, Message{WebhookID: id, Subject: "Test från Tilltal", Body: "Den här kanalen tar emot aviseringar från Tilltal."})
	return err
}
