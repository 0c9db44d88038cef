package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/audit"
)

type auditData struct {
	Entries []audit.Entry
	Action  string
	Object  string
	Older   string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := audit.Filter{Action: strings.TrimSpace(q.Get("action")), ObjectType: strings.TrimSpace(q.Get("object")), Limit: 100}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeID = b
	}
	entries, err := audit.List(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	d := auditData{Entries: entries, Action: f.Action, Object: f.ObjectType}
	if len(entries) == f.Limit {
		v := q
		v.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		d.Older = "/admin/logg?" + v.Encode()
	}
	return s.render(w, r, "audit", d)
}
