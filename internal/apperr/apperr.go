// Package apperr defines the few kinds of error that Tilltal's domain packages
// return. The web and API layers map a kind to an HTTP status and a message
// that is safe to show, in one place; only internal errors are logged.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the people and programs that see it.
type Kind int

// The kinds of error. Internal is the zero value so that an unclassified error
// is never shown to a user by accident.
const (
	Internal Kind = iota
	NotFound
	Invalid
	Conflict
	Forbidden
	Unauthorized
	// Unavailable is a dependency that cannot be reached now (503).
	Unavailable
	// RateLimited is a caller who must wait (429).
	RateLimited
)

// Error carries a kind and a message that may be shown to the user. The
// message is Swedish, since it reaches Swedish users; Err keeps the cause for
// the log.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors for comparisons with errors.Is.
var (
	ErrNotFound     = &Error{Kind: NotFound, Message: "Hittades inte"}
	ErrForbidden    = &Error{Kind: Forbidden, Message: "Du har inte behörighet till detta"}
	ErrUnauthorized = &Error{Kind: Unauthorized, Message: "Du måste logga in"}
)

// Is lets errors.Is match on kind for sentinel comparisons.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	// A sentinel matches every error of its kind.
	return t.Kind == e.Kind && (t == ErrNotFound || t == ErrForbidden || t == ErrUnauthorized)
}

// Invalidf returns an Invalid error with a formatted, user-safe message.
func Invalidf(format string, args ...any) error {
	return &Error{Kind: Invalid, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns a Conflict error with a formatted, user-safe message.
func Conflictf(format string, args ...any) error {
	return &Error{Kind: Conflict, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error with a formatted, user-safe message.
func NotFoundf(format string, args ...any) error {
	return &Error{Kind: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf returns a Forbidden error with a formatted, user-safe message.
func Forbiddenf(format string, args ...any) error {
	return &Error{Kind: Forbidden, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, Internal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Message returns the user-safe message of err, or a generic one.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Message
	}
	return "Ett internt fel inträffade. Försök igen senare."
}
