// Package org owns the organisation: the municipality, its departments
// (verksamheter), the people who use Tilltal and the roles they hold.
package org

import (
	"slices"

	"tilltal/internal/apperr"
)

// Role is one of the roles of DESIGN.md §2.
type Role string

// The roles. A person may hold several.
const (
	Communicator Role = "communicator"
	Owner        Role = "owner"
	Editor       Role = "editor"
	DeptContact  Role = "department"
	Registrar    Role = "registrar"
	Legal        Role = "legal"
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{Communicator, Owner, Editor, DeptContact, Registrar, Legal}

// Label returns the role's Swedish name.
func (r Role) Label() string {
	switch r {
	case Communicator:
		return "Kommunikatör"
	case Owner:
		return "Kontoansvarig"
	case Editor:
		return "Redaktör"
	case DeptContact:
		return "Verksamhetskontakt"
	case Registrar:
		return "Registrator"
	case Legal:
		return "Jurist / säkerhetsansvarig"
	}
	return string(r)
}

// LabelEN returns the role's English name.
func (r Role) LabelEN() string {
	switch r {
	case Communicator:
		return "Communicator"
	case Owner:
		return "Channel owner"
	case Editor:
		return "Editor"
	case DeptContact:
		return "Department contact"
	case Registrar:
		return "Registrar"
	case Legal:
		return "Legal / security"
	}
	return string(r)
}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", apperr.Invalidf("Okänd roll %q (giltiga: communicator, owner, editor, department, registrar, legal)", s)
}
