package metafake

import (
	"net/http"
	"strings"
)

// Hold keeps the next matching request waiting, as a slow platform would,
// so that a test can kill Tilltal while the platform holds its request.
// With Apply, the request takes effect before it waits (Meta has done it,
// the answer has not left yet); without, it waits before anything happens
// and, should the caller hang up meanwhile, never takes effect.
type Hold struct {
	Method       string
	PathContains string
	Apply        bool

	arrived  chan struct{}
	release  chan struct{}
	answered chan struct{}
}

// Hold arms a hold for the next request matching h's method (empty for
// any) and path.
func (s *Server) Hold(h Hold) *Hold {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.arrived, h.release, h.answered = make(chan struct{}), make(chan struct{}), make(chan struct{})
	s.holds = append(s.holds, &h)
	return &h
}

// Arrived is closed when the held request has come in (and, with Apply,
// taken effect).
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Release lets the held request be answered.
func (h *Hold) Release() {
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

// Answered is closed once the held request's answer has been written, or
// its caller has gone.
func (h *Hold) Answered() <-chan struct{} { return h.answered }

func (s *Server) takeHold(req Request) *Hold {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, h := range s.holds {
		if (h.Method == "" || h.Method == req.Method) && strings.Contains(req.Path, h.PathContains) {
			s.holds = append(s.holds[:i], s.holds[i+1:]...)
			return h
		}
	}
	return nil
}

// wait announces the request and waits for Release; false when the
// caller hung up first.
func (h *Hold) wait(r *http.Request) bool {
	close(h.arrived)
	select {
	case <-h.release:
		return true
	case <-r.Context().Done():
		return false
	}
}
