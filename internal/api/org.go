package api

import (
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/auth"
	"tilltal/internal/org"
	"tilltal/internal/web"
)

type departmentJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Code        string    `json:"code"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

func toDepartment(d org.Department) departmentJSON {
	return departmentJSON{ID: d.ID, Name: d.Name, Code: d.Code, Description: d.Description, CreatedAt: d.CreatedAt}
}

type userJSON struct {
	ID          int64      `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Roles       []org.Role `json:"roles"`
	Departments []int64    `json:"departments"`
	Channels    []int64    `json:"channels"`
	Active      bool       `json:"active"`
	Locale      string     `json:"locale"`
}

func toUser(u org.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, Departments: u.Departments, Channels: u.Channels, Active: u.Active, Locale: u.Locale}
	if j.Roles == nil {
		j.Roles = []org.Role{}
	}
	if j.Departments == nil {
		j.Departments = []int64{}
	}
	if j.Channels == nil {
		j.Channels = []int64{}
	}
	return j
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, toUser(web.PrincipalFrom(r.Context()).User))
}

func (a *API) departments(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	deps, err := a.Org.Departments(r.Context(), p.VisibleDepartments())
	if err != nil {
		return err
	}
	out := []departmentJSON{}
	for _, d := range deps {
		out = append(out, toDepartment(d))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"departments": out})
}

func (a *API) department(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// Out of scope is indistinguishable from absent.
	if !web.PrincipalFrom(r.Context()).CanSeeDepartment(id) {
		return apperr.NotFoundf("Verksamheten finns inte")
	}
	d, err := a.Org.Department(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDepartment(d))
}

func (a *API) createDepartment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name        string `json:"name"`
		Code        string `json:"code"`
		Description string `json:"description"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	d, err := a.Org.CreateDepartment(r.Context(), org.Department{Name: in.Name, Code: in.Code, Description: in.Description})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toDepartment(d))
}

func (a *API) users(w http.ResponseWriter, r *http.Request) error {
	users, err := a.Org.Users(r.Context())
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range users {
		out = append(out, toUser(u))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email       string     `json:"email"`
		Name        string     `json:"name"`
		Roles       []org.Role `json:"roles"`
		Departments []int64    `json:"departments"`
		Password    string     `json:"password"`
		Locale      string     `json:"locale"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	n := org.NewUser{Email: in.Email, Name: in.Name, Roles: in.Roles, Departments: in.Departments, Locale: in.Locale}
	if in.Password != "" {
		h, err := auth.HashPassword(in.Password)
		if err != nil {
			return err
		}
		n.PasswordHash = h
	}
	u, err := a.Org.CreateUser(r.Context(), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toUser(u))
}

type auditJSON struct {
	ID           int64          `json:"id"`
	At           time.Time      `json:"at"`
	Actor        string         `json:"actor"`
	ActorUserID  int64          `json:"actor_user_id,omitempty"`
	Action       string         `json:"action"`
	ObjectType   string         `json:"object_type"`
	ObjectID     string         `json:"object_id"`
	DepartmentID int64          `json:"department_id,omitempty"`
	Summary      string         `json:"summary"`
	Detail       map[string]any `json:"detail,omitempty"`
	IP           string         `json:"ip"`
}

func (a *API) audit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := audit.Filter{Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	for _, k := range []string{"since", "until"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalidf("%s måste vara en tid i RFC 3339-format", k)
			}
			if k == "since" {
				f.Since = t
			} else {
				f.Until = t
			}
		}
	}
	entries, err := audit.List(r.Context(), a.DB, f)
	if err != nil {
		return err
	}
	out := []auditJSON{}
	for _, e := range entries {
		out = append(out, auditJSON{ID: e.ID, At: e.At, Actor: e.Actor, ActorUserID: e.ActorUserID, Action: e.Action, ObjectType: e.ObjectType,
			ObjectID: e.ObjectID, DepartmentID: e.DepartmentID, Summary: e.Summary, Detail: e.Detail, IP: e.IP})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}
