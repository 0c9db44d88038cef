package intake

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/platform/meta"
)

// MaxDeliveryBytes bounds a webhook body. Meta's deliveries are a few
// kilobytes; anything near this is not Meta.
const MaxDeliveryBytes = 1 << 20

// MetaWebhook serves GET and POST /webhooks/meta.
//
// GET is Meta's verification handshake. POST is a delivery: its signature
// is checked on the raw body before anything else, and a delivery without
// a valid one is refused (401 missing, 403 wrong) and leaves no trace. A
// signed delivery is stored raw in a transaction before the 200, so that
// what Meta saw acknowledged is on disk; the body is not read before. When
// the database cannot take it the answer is 503 and Meta delivers it again.
//
// Concurrent deliveries share transactions (see Committer): each is
// answered once the transaction holding it has committed. What follows from
// a delivery — its events, archive records, inbox items, classification —
// is made after the answer, by the Store's processor (see process.go);
// without one (Store.Process nil) the events are stored with the delivery.
//
// A signed body that cannot be parsed (truncated, not JSON) is kept raw
// with its parse error, and has been answered 200: it came from Meta, a
// retry would bring the same bytes, and keeping it lets a person see what
// was lost.
type MetaWebhook struct {
	Store       *Store
	AppSecret   config.Secret
	VerifyToken config.Secret
	Log         *slog.Logger
	// StoreTimeout bounds the database work of one delivery; Meta gives
	// up on a webhook that has not answered in 20 seconds.
	StoreTimeout time.Duration
	// Committer groups concurrent deliveries into one transaction; when
	// nil, one with default settings over Store is made on first use.
	Committer *Committer

	once sync.Once
}

func (h *MetaWebhook) committer() *Committer {
	h.once.Do(func() {
		if h.Committer == nil {
			h.Committer = &Committer{Store: h.Store}
		}
	})
	return h.Committer
}

// ServeHTTP answers GET (verification) and POST (delivery).
func (h *MetaWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.deliver(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers the subscription handshake: echo hub.challenge when
// hub.mode is subscribe and hub.verify_token is ours.
func (h *MetaWebhook) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	want := h.VerifyToken.Reveal()
	got := q.Get("hub.verify_token")
	if want == "" || q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		h.Log.Warn("meta webhook verification refused", "mode", q.Get("hub.mode"), "configured", want != "", "remote", r.RemoteAddr)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, q.Get("hub.challenge"))
}

func (h *MetaWebhook) deliver(w http.ResponseWriter, r *http.Request) {
	secret := h.AppSecret.Reveal()
	if secret == "" {
		// Unconfigured: refuse with a status Meta retries, so nothing is
		// lost while someone sets TILLTAL_META_APP_SECRET.
		h.Log.Error("meta webhook delivery refused: TILLTAL_META_APP_SECRET is not set")
		http.Error(w, "webhook not configured", http.StatusServiceUnavailable)
		return
	}
	if r.ContentLength > MaxDeliveryBytes {
		h.Log.Warn("meta webhook body too large", "bytes", r.ContentLength, "remote", r.RemoteAddr)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxDeliveryBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.Log.Warn("meta webhook body too large", "limit", MaxDeliveryBytes, "remote", r.RemoteAddr)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.Log.Warn("meta webhook body unreadable", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := meta.VerifySignature(secret, body, r.Header.Get(meta.SignatureHeader)); err != nil {
		status := http.StatusForbidden
		if errors.Is(err, meta.ErrNoSignature) {
			status = http.StatusUnauthorized
		}
		h.Log.Warn("meta webhook signature refused", "err", err, "bytes", len(body), "remote", r.RemoteAddr)
		http.Error(w, http.StatusText(status), status)
		return
	}
	h.store(w, r, body)
}

func (h *MetaWebhook) store(w http.ResponseWriter, r *http.Request, body []byte) {
	timeout := h.StoreTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	// The store must finish even if Meta hangs up: what we start to write
	// we write whole or not at all, and the transaction decides which.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
	defer cancel()
	saved, err := h.committer().Save(ctx, Delivery{Source: "meta", Body: body})
	if err != nil {
		h.Log.Error("meta webhook delivery not stored; answering 503 so that Meta retries", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if saved.Unrouted > 0 {
		// Only without a processor are events stored before the answer.
		h.Log.Warn("meta webhook: events for accounts no channel owns, kept as unrouted", "delivery_id", saved.DeliveryID, "unrouted", saved.Unrouted)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "EVENT_RECEIVED")
}
