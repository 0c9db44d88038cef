package web

import (
	"net/http"

	"tilltal/internal/org"
)

type homeData struct {
	Departments []org.Department
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	deps, err := s.Org.Departments(r.Context(), p.User.Departments)
	if err != nil {
		return err
	}
	if len(p.User.Departments) == 0 {
		deps = nil
	}
	return s.render(w, r, "home", homeData{Departments: deps})
}
