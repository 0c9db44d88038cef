package web

import (
	"net/http"
	"strconv"

	"tilltal/internal/apperr"
	"tilltal/internal/org"
)

type departmentsData struct {
	Departments []org.Department
	CanEdit     bool
	Error       string
	Form        org.Department
}

// departmentsPage lists the departments the person may see.
func (s *Server) departmentsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showDepartments(w, r, http.StatusOK, departmentsData{})
}

func (s *Server) showDepartments(w http.ResponseWriter, r *http.Request, status int, d departmentsData) error {
	p := PrincipalFrom(r.Context())
	deps, err := s.Org.Departments(r.Context(), p.VisibleDepartments())
	if err != nil {
		return err
	}
	d.Departments, d.CanEdit = deps, p.Has(org.Communicator)
	s.renderStatus(w, r, status, "departments", d)
	return nil
}

func (s *Server) departmentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	in := org.Department{Name: r.PostFormValue("name"), Code: r.PostFormValue("code"), Description: r.PostFormValue("description")}
	d, err := s.Org.CreateDepartment(r.Context(), in)
	if err == nil {
		return redirect(w, r, "/admin/verksamheter/"+itoa(d.ID)+"?ok=1")
	}
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	return s.showDepartments(w, r, statusOf(apperr.KindOf(err)), departmentsData{Error: apperr.Message(err), Form: in})
}

type departmentData struct {
	Department org.Department
	Members    []org.User
	CanEdit    bool
	Error      string
}

// departmentPage shows one department to those who may see it; to anyone
// else it does not exist.
func (s *Server) departmentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	if !p.CanSeeDepartment(id) {
		return apperr.NotFoundf("Verksamheten finns inte")
	}
	d, err := s.Org.Department(r.Context(), id)
	if err != nil {
		return err
	}
	users, err := s.Org.Users(r.Context())
	if err != nil {
		return err
	}
	var members []org.User
	for _, u := range users {
		if containsID(u.Departments, id) {
			members = append(members, u)
		}
	}
	return s.render(w, r, "department", departmentData{Department: d, Members: members, CanEdit: p.Has(org.Communicator)})
}

func (s *Server) departmentUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	d := org.Department{ID: id, Name: r.PostFormValue("name"), Code: r.PostFormValue("code"), Description: r.PostFormValue("description")}
	if err := s.Org.UpdateDepartment(r.Context(), d); err != nil {
		if apperr.KindOf(err) == apperr.Internal || apperr.KindOf(err) == apperr.NotFound {
			return err
		}
		s.renderStatus(w, r, statusOf(apperr.KindOf(err)), "department", departmentData{Department: d, CanEdit: true, Error: apperr.Message(err)})
		return nil
	}
	return redirect(w, r, "/admin/verksamheter/"+itoa(id)+"?ok=1")
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
