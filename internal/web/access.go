package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
	"tilltal/internal/org"
)

// Access is who may use a route. Build it with Public, SignedIn or
// RolesOf; the zero value is refused when routes are registered, so a route
// cannot be added without saying who may use it.
type Access struct {
	declared bool
	public   bool
	roles    []org.Role
}

// Public lets anyone in, signed in or not.
var Public = Access{declared: true, public: true}

// SignedIn lets in anyone who is signed in; the handler scopes the data.
var SignedIn = Access{declared: true}

// RolesOf lets in people holding any of roles.
func RolesOf(roles ...org.Role) Access { return Access{declared: true, roles: roles} }

// Declared reports whether the access was set on purpose.
func (a Access) Declared() bool { return a.declared }

// IsPublic reports whether anonymous visitors may use the route.
func (a Access) IsPublic() bool { return a.public }

// Allows reports whether p may use a route with this access.
func (a Access) Allows(p *auth.Principal) bool {
	if a.public {
		return true
	}
	if p == nil {
		return false
	}
	if len(a.roles) == 0 {
		return true
	}
	return slices.ContainsFunc(a.roles, p.Has)
}

// String describes the rule for listings and tests.
func (a Access) String() string {
	switch {
	case !a.declared:
		return "undeclared"
	case a.public:
		return "public"
	case len(a.roles) == 0:
		return "signed-in"
	}
	var s []string
	for _, r := range a.roles {
		s = append(s, string(r))
	}
	return strings.Join(s, "|")
}

// Route is one declared route.
type Route struct {
	Pattern string
	Access  Access
}

type principalKey struct{}

// withPrincipal stores the signed-in person in the request context.
func withPrincipal(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the signed-in person, or nil.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// guard enforces a route's access before its handler runs.
func (s *Server) guard(a Access, h handler) http.HandlerFunc {
	if !a.Declared() {
		panic("web: route without a declared access rule")
	}
	return func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if !a.public && p == nil {
			s.fail(w, r, apperr.ErrUnauthorized)
			return
		}
		if !a.Allows(p) {
			s.fail(w, r, apperr.ErrForbidden)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// guardHandler wraps a mounted http.Handler with its access rule.
func (s *Server) guardHandler(a Access, h http.Handler) http.HandlerFunc {
	return s.guard(a, func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	})
}
