package web

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// RetryAfterSeconds is what a 503 asks callers to wait: long enough for a
// restarted database or a freed disk, short enough that Meta's retries and
// people's reloads find Tilltal back soon.
const RetryAfterSeconds = 5

var storageUnavailable = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "tilltal_storage_unavailable_total",
	Help: "Requests answered 503 because the database could not store or answer, by surface (the webhook counts each of its 503s).",
}, []string{"surface"})

// errStorage is what people see while the database cannot store.
const errStorage = "Tilltal kan inte spara just nu (databasen svarar inte eller disken är full). Försök igen om en stund."

// unavailable turns a database error that means "not now" (a full disk, a
// database that is down) into apperr.Unavailable, so that it is answered
// 503 with Retry-After rather than 500; other errors pass unchanged.
func unavailable(err error) error {
	if apperr.KindOf(err) == apperr.Internal && db.IsUnavailable(err) {
		return &apperr.Error{Kind: apperr.Unavailable, Message: errStorage, Err: err}
	}
	return err
}

// retryLater sets Retry-After on a 503 and, when the database was the
// cause, counts it under surface and logs why, once.
func retryLater(w http.ResponseWriter, log *slog.Logger, surface string, r *http.Request, err error) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
	if !db.IsUnavailable(err) {
		return
	}
	storageUnavailable.WithLabelValues(surface).Inc()
	if log != nil {
		log.Warn("storage unavailable; answering 503", "surface", surface, "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// RetryOn503 wraps a handler that answers 503 itself when it cannot store
// and logs why (the Meta webhook): the answer gets Retry-After and the
// metric counts it under surface.
func RetryOn503(surface string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&retryAfterWriter{ResponseWriter: w, surface: surface}, r)
	})
}

type retryAfterWriter struct {
	http.ResponseWriter
	surface string
	wrote   bool
}

func (w *retryAfterWriter) WriteHeader(status int) {
	if !w.wrote && status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		storageUnavailable.WithLabelValues(w.surface).Inc()
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *retryAfterWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *retryAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
