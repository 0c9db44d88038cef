package web

import (
	"net/http"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
	"tilltal/internal/org"
)

type usersData struct {
	Users       []org.User
	Departments map[int64]string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	users, err := s.Org.Users(r.Context())
	if err != nil {
		return err
	}
	names, err := s.departmentNames(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "users", usersData{Users: users, Departments: names})
}

func (s *Server) departmentNames(r *http.Request) (map[int64]string, error) {
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return nil, err
	}
	m := map[int64]string{}
	for _, d := range deps {
		m[d.ID] = d.Name
	}
	return m, nil
}

type userFormData struct {
	User        org.User
	Departments []org.Department
	Error       string
	New         bool
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return err
	}
	d.Departments = deps
	s.renderStatus(w, r, status, "user", d)
	return nil
}

func (s *Server) userNewPage(w http.ResponseWriter, r *http.Request) error {
	return s.userForm(w, r, http.StatusOK, userFormData{New: true, User: org.User{Locale: "sv", Active: true}})
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	roles, err := formRoles(r)
	deps, err2 := formIDs(r, "department")
	n := org.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Roles: roles, Departments: deps, Locale: r.PostFormValue("locale")}
	if err == nil {
		err = err2
	}
	if err == nil && r.PostFormValue("password") != "" {
		n.PasswordHash, err = auth.HashPassword(r.PostFormValue("password"))
	}
	if err == nil {
		var u org.User
		u, err = s.Org.CreateUser(r.Context(), n)
		if err == nil {
			return redirect(w, r, "/admin/anvandare/"+itoa(u.ID)+"?ok=1")
		}
	}
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	back := org.User{Email: n.Email, Name: n.Name, Roles: roles, Departments: deps, Locale: n.Locale, Active: true}
	return s.userForm(w, r, statusOf(apperr.KindOf(err)), userFormData{New: true, User: back, Error: apperr.Message(err)})
}

func (s *Server) userEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.Org.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.userForm(w, r, http.StatusOK, userFormData{User: u})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, err := s.Org.User(r.Context(), id)
	if err != nil {
		return err
	}
	u.Name, u.Locale, u.Active = r.PostFormValue("name"), r.PostFormValue("locale"), r.PostFormValue("active") == "on"
	if u.Roles, err = formRoles(r); err == nil {
		if u.Departments, err = formIDs(r, "department"); err == nil {
			err = s.Org.UpdateUser(r.Context(), u)
		}
	}
	if err == nil {
		return redirect(w, r, "/admin/anvandare/"+itoa(id)+"?ok=1")
	}
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	return s.userForm(w, r, statusOf(apperr.KindOf(err)), userFormData{User: u, Error: apperr.Message(err)})
}
