package web

import (
	"net/http"
	"strconv"

	"tilltal/internal/apperr"
	"tilltal/internal/org"
)

// pathID reads a numeric path value; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// formRoles reads the checked roles of a form.
func formRoles(r *http.Request) ([]org.Role, error) {
	var out []org.Role
	for _, v := range r.PostForm["role"] {
		role, err := org.ParseRole(v)
		if err != nil {
			return nil, err
		}
		out = append(out, role)
	}
	return out, nil
}

// formIDs reads a list of numeric ids from a form field.
func formIDs(r *http.Request, field string) ([]int64, error) {
	var out []int64
	for _, v := range r.PostForm[field] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.Invalidf("Ogiltigt val")
		}
		out = append(out, id)
	}
	return out, nil
}
