package web

import (
	"net/http"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/incident"
	"tilltal/internal/org"
)

// The moderation report holds figures only; legal and communicators see
// the whole municipality, owners their own channels.
var incidentReaders = RolesOf(org.Legal, org.Communicator, org.Owner)

type incidentReportData struct {
	Report   incident.Report
	From, To string
}

func (s *Server) incidentReportPage(w http.ResponseWriter, r *http.Request) error {
	now := s.Now()
	from, to := now.AddDate(0, 0, -30), now
	q := r.URL.Query()
	if v := q.Get("fran"); v != "" {
		t, err := dateParam(v)
		if err != nil {
			return err
		}
		from = t
	}
	if v := q.Get("till"); v != "" {
		t, err := dateParam(v)
		if err != nil {
			return err
		}
		to = t.Add(24 * time.Hour) // through the whole day
	}
	p := PrincipalFrom(r.Context())
	var channels []int64
	if !p.HasAny(org.Legal, org.Communicator) {
		channels = p.VisibleChannels()
	}
	rep, err := s.Incidents.Report(r.Context(), channels, from, to)
	if err != nil {
		return err
	}
	return s.render(w, r, "incident_report", incidentReportData{Report: rep, From: calendar.FormatDate(from), To: calendar.FormatDate(to.Add(-time.Second))})
}
