package web

import (
	"net/http"
	"strconv"

	"tilltal/internal/answer"
	"tilltal/internal/apperr"
	"tilltal/internal/org"
	"time"
)

// Saved answers are kept by those who answer and those who vouch for them.
var answerKeepers = RolesOf(org.Communicator, org.Owner, org.Editor, org.DeptContact)

type answersData struct {
	Answers []answer.Answer
	Now     time.Time
}

func (s *Server) answersPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Answers.List(r.Context(), r.URL.Query().Get("arkiv") == "1")
	if err != nil {
		return err
	}
	return s.render(w, r, "answers", answersData{Answers: list, Now: s.Now()})
}

type answerFormData struct {
	Answer      answer.Answer
	Departments []org.Department
	Error       string
	New         bool
	Now         time.Time
}

func (s *Server) answerForm(w http.ResponseWriter, r *http.Request, status int, d answerFormData) error {
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return err
	}
	d.Departments, d.Now = deps, s.Now()
	s.renderStatus(w, r, status, "answer", d)
	return nil
}

func (s *Server) answerNewPage(w http.ResponseWriter, r *http.Request) error {
	a := answer.Answer{ValidDays: 180}
	if p := PrincipalFrom(r.Context()); len(p.User.Departments) > 0 {
		a.DepartmentID = p.User.Departments[0]
	}
	return s.answerForm(w, r, http.StatusOK, answerFormData{Answer: a, New: true})
}

func (s *Server) answerEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Answers.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.answerForm(w, r, http.StatusOK, answerFormData{Answer: a})
}

// answerSave creates or updates a saved answer; saving counts as checking
// it today.
func (s *Server) answerSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	a := answer.Answer{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), SourceURL: r.PostFormValue("source"), Archived: r.PostFormValue("archived") == "on"}
	a.DepartmentID, _ = strconv.ParseInt(r.PostFormValue("department"), 10, 64)
	a.ValidDays, _ = strconv.Atoi(r.PostFormValue("valid_days"))
	if v := r.PathValue("id"); v != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		a.ID = id
	}
	id, err := s.Answers.Save(r.Context(), a)
	if err != nil {
		if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
			return s.answerForm(w, r, statusOf(k), answerFormData{Answer: a, New: a.ID == 0, Error: apperr.Message(err)})
		}
		return err
	}
	return redirect(w, r, "/svar/"+itoa(id)+"?ok=1")
}
