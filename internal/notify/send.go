package notify

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/wneessen/go-mail"

	"tilltal/internal/config"
	"tilltal/internal/db"
)

// Mailer sends one e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// ErrNotConfigured marks a transport that has no server configured; such a
// message fails at once instead of being retried.
var ErrNotConfigured = errors.New("ingen SMTP-server är konfigurerad (TILLTAL_SMTP_HOST)")

// SMTPMailer sends through an SMTP server with go-mail.
type SMTPMailer struct{ cfg config.SMTP }

// NewSMTPMailer returns a mailer for cfg; with no host it returns a mailer
// that refuses with ErrNotConfigured.
func NewSMTPMailer(cfg config.SMTP) *SMTPMailer { return &SMTPMailer{cfg: cfg} }

// Send delivers one plain-text message.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	if m.cfg.Host == "" {
		return ErrNotConfigured
	}
	msg := mail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(20 * time.Second)}
	switch m.cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password.Reveal()))
	}
	c, err := mail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// SendWorker delivers notifications.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Outbox *Outbox
	Mailer Mailer
	HTTP   *http.Client
}

type pending struct {
	transport, email, subject, body, link, status string
	webhookID                                     sql.NullInt64
}

// Work sends one notification. A notification already sent is not sent
// again, so a retried job is harmless.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	o := w.Outbox
	var p pending
	err := o.DB.QueryRow(ctx, "SELECT transport, email, subject, body, link, status, webhook_id FROM notifications WHERE id = ?", job.Args.NotificationID).
		Scan(&p.transport, &p.email, &p.subject, &p.body, &p.link, &p.status, &p.webhookID)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("notification %d does not exist", job.Args.NotificationID))
	}
	if err != nil {
		return err
	}
	if p.status == "sent" {
		return nil
	}
	sendErr := w.deliver(ctx, p)
	last := job.Attempt >= job.MaxAttempts || errors.Is(sendErr, ErrNotConfigured)
	if err := w.record(ctx, job.Args.NotificationID, sendErr, last); err != nil {
		return err
	}
	if errors.Is(sendErr, ErrNotConfigured) {
		return river.JobCancel(sendErr)
	}
	return sendErr
}

func (w *SendWorker) deliver(ctx context.Context, p pending) error {
	body := p.body
	if p.link != "" {
		body += "\n\n" + p.link
	}
	if p.transport == "email" {
		return w.Mailer.Send(ctx, p.email, p.subject, body)
	}
	if !p.webhookID.Valid {
		return ErrNotConfigured
	}
	return w.postWebhook(ctx, p.webhookID.Int64, p.subject, body)
}

func (w *SendWorker) record(ctx context.Context, id int64, sendErr error, last bool) error {
	now := w.Outbox.Now()
	return w.Outbox.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		switch {
		case sendErr == nil:
			_, err = tx.Exec(ctx, "UPDATE notifications SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?", now, id)
		case last:
			_, err = tx.Exec(ctx, "UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?", truncate(sendErr.Error(), 500), id)
		default:
			_, err = tx.Exec(ctx, "UPDATE notifications SET attempts = attempts + 1, last_error = ? WHERE id = ?", truncate(sendErr.Error(), 500), id)
		}
		return err
	})
}

func (w *SendWorker) postWebhook(ctx context.Context, webhookID int64, subject, body string) error {
	var enc []byte
	var kind string
	var active bool
	err := w.Outbox.DB.QueryRow(ctx, "SELECT url_enc, kind, active FROM chat_webhooks WHERE id = ?", webhookID).Scan(&enc, &kind, &active)
	if err != nil || !active {
		return river.JobCancel(fmt.Errorf("webhook %d is gone or inactive", webhookID))
	}
	url, err := w.Outbox.Secrets.Open(enc, webhookAD(webhookID))
	if err != nil {
		return river.JobCancel(err)
	}
	payload := map[string]any{"text": "*" + subject + "*\n" + body}
	if kind == "teams" {
		payload = map[string]any{"@type": "MessageCard", "@context": "http://schema.org/extensions", "summary": subject, "title": subject, "text": strings.ReplaceAll(body, "\n", "  \n")}
	}
	b, _ := json.Marshal(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return river.JobCancel(errors.New("webhook URL is invalid"))
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.HTTP
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error may quote the URL, which holds the webhook's secret.
		return errors.New("webhook: request failed: " + strings.ReplaceAll(err.Error(), url, "[webhook-url]"))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook: answered %d", resp.StatusCode)
	}
	return nil
}
