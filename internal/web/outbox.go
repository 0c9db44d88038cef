package web

import (
	"net/http"
	"strings"

	"tilltal/internal/apperr"

	"tilltal/internal/notify"
)

type outboxData struct {
	Notifications []notify.Notification
	Webhooks      []notify.Webhook
	Status        string
	Error         string
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	if status != "pending" && status != "sent" && status != "failed" {
		status = ""
	}
	return s.showOutbox(w, r, http.StatusOK, outboxData{Status: status})
}

func (s *Server) showOutbox(w http.ResponseWriter, r *http.Request, code int, d outboxData) error {
	var err error
	if d.Notifications, err = s.Outbox.List(r.Context(), d.Status, 200); err != nil {
		return err
	}
	if d.Webhooks, err = s.Outbox.Webhooks(r.Context()); err != nil {
		return err
	}
	s.renderStatus(w, r, code, "outbox", d)
	return nil
}

// webhookCreate registers a Teams or Slack incoming webhook.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	_, err := s.Outbox.AddWebhook(r.Context(), r.PostFormValue("name"), r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("url")), 0)
	if err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return err
		}
		return s.showOutbox(w, r, statusOf(apperr.KindOf(err)), outboxData{Error: apperr.Message(err)})
	}
	return redirect(w, r, "/admin/utskick?ok=1")
}

// webhookTest sends a test message to a webhook.
func (s *Server) webhookTest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Outbox.TestWebhook(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/admin/utskick?ok=1")
}
