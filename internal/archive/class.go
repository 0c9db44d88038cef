package archive

import "tilltal/internal/apperr"

// Class is an item's registration class: what the law asks of it. Records
// of obviously little importance need not be registered; other non-secret
// records may be kept in order instead of registered; secret records must
// always be registered.
type Class string

// The registration classes, from least to most demanding.
const (
	ClassMinor      Class = "ringa_betydelse"
	ClassOrdered    Class = "halls_ordnad"
	ClassRegistered Class = "registreras"
	ClassSecret     Class = "sekretess"
)

// Classes lists the classes from least to most demanding.
var Classes = []Class{ClassMinor, ClassOrdered, ClassRegistered, ClassSecret}

// ParseClass checks a class name.
func ParseClass(s string) (Class, error) {
	for _, c := range Classes {
		if string(c) == s {
			return c, nil
		}
	}
	return "", apperr.Invalidf("Okänd registreringsklass %q", s)
}

// rank orders the classes; rules only ever raise an item's class.
func (c Class) rank() int {
	for i, x := range Classes {
		if x == c {
			return i
		}
	}
	return -1
}

// Label is the class's Swedish name.
func (c Class) Label() string {
	switch c {
	case ClassMinor:
		return "Av ringa betydelse"
	case ClassOrdered:
		return "Hålls ordnad"
	case ClassRegistered:
		return "Registreras"
	case ClassSecret:
		return "Sekretess (registreras)"
	}
	return string(c)
}

// LabelEN is the class's English name.
func (c Class) LabelEN() string {
	switch c {
	case ClassMinor:
		return "Of minor importance"
	case ClassOrdered:
		return "Kept in order"
	case ClassRegistered:
		return "To be registered"
	case ClassSecret:
		return "Secret (registered)"
	}
	return string(c)
}

// Kept reports whether records of the class are never culled.
func (c Class) Kept() bool { return c == ClassRegistered || c == ClassSecret }
