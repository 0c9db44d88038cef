package web

import (
	"net/http"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/escalation"
	"tilltal/internal/org"
)

// Department contacts answer questions; communicators see them all.
var deptAnswerers = RolesOf(org.DeptContact, org.Communicator)

type questionsData struct {
	Questions []escalation.Escalation
	Now       time.Time
}

// questionsPage lists the questions sent to the person's departments. A
// department contact sees these and nothing else of the inbox.
func (s *Server) questionsPage(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	var deps []int64
	if !p.Has(org.Communicator) {
		deps = p.User.Departments
		if deps == nil {
			deps = []int64{}
		}
	}
	list, err := s.Escalations.ForDepartments(r.Context(), deps, r.URL.Query().Get("alla") != "1")
	if err != nil {
		return err
	}
	return s.render(w, r, "questions", questionsData{Questions: list, Now: s.Now()})
}

// question loads a question the person may answer; others get not found.
func (s *Server) question(r *http.Request) (escalation.Escalation, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return escalation.Escalation{}, err
	}
	e, err := s.Escalations.Get(r.Context(), id)
	if err != nil {
		return e, err
	}
	p := PrincipalFrom(r.Context())
	if !p.Has(org.Communicator) && !containsID(p.User.Departments, e.DepartmentID) {
		return escalation.Escalation{}, apperr.NotFoundf("Frågan finns inte")
	}
	return e, nil
}

type questionData struct {
	Q     escalation.Escalation
	Error string
	Now   time.Time
}

func (s *Server) questionPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.question(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "question", questionData{Q: e, Now: s.Now()})
}

func (s *Server) questionAnswer(w http.ResponseWriter, r *http.Request) error {
	e, err := s.question(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.Escalations.Answer(r.Context(), e.ID, r.PostFormValue("answer")); err != nil {
		if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
			s.renderStatus(w, r, statusOf(k), "question", questionData{Q: e, Error: apperr.Message(err), Now: s.Now()})
			return nil
		}
		return err
	}
	return redirect(w, r, "/verksamhet/fragor?ok=1")
}

// itemEscalate sends an item's question to a department.
func (s *Server) itemEscalate(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	deps, err := formIDs(r, "department")
	if err != nil || len(deps) != 1 {
		return apperr.Invalidf("Välj en verksamhet")
	}
	var due time.Time
	if v := strings.TrimSpace(r.PostFormValue("due")); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return apperr.Invalidf("Svarsdatumet ska skrivas ÅÅÅÅ-MM-DD")
		}
		// The end of that working day in Stockholm.
		due = d.At(calendar.OfficeEnd)
	}
	if _, err := s.Escalations.Create(r.Context(), it.ID, deps[0], r.PostFormValue("question"), due); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}
