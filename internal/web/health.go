package web

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// healthz says the process is alive; it touches nothing.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// readyz says the database answers and can store, so a load balancer can
// route to us. After a write failed for want of storage (a full disk) it
// tries a write, so that readiness returns by itself when space does.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.DB.Ping(ctx); err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return nil
	}
	if err := s.DB.CheckWrite(ctx); err != nil {
		s.Log.Warn("not ready: the database cannot store", "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database cannot store\n"))
		return nil
	}
	_, _ = w.Write([]byte("ready\n"))
	return nil
}
