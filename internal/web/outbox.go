package web

import (
	"net/http"

	"tilltal/internal/notify"
)

type outboxData struct {
	Notifications []notify.Notification
	Status        string
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	if status != "pending" && status != "sent" && status != "failed" {
		status = ""
	}
	list, err := s.Outbox.List(r.Context(), status, 200)
	if err != nil {
		return err
	}
	return s.render(w, r, "outbox", outboxData{Notifications: list, Status: status})
}
