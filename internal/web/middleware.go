package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Cookie names.
const (
	sessionCookie = "tilltal_session"
	// loginCSRFCookie protects the sign-in form, which is posted before
	// there is a session to hold a CSRF token.
	loginCSRFCookie = "tilltal_login_csrf"
	langCookie      = "tilltal_lang"
)

// errCSRF is the answer to a form without the right token.
var errCSRF = &apperr.Error{Kind: apperr.Forbidden, Message: "Formuläret har gått ut eller kom från en annan webbplats. Ladda om sidan och försök igen."}

// middleware wraps every request: panics become a 500, headers harden the
// page, the session is resolved, cross-site forms are refused, and the
// request is measured and logged.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				http.Error(rec, "Internt fel", http.StatusInternalServerError)
			}
			observe(r, rec.status, time.Since(start))
		}()
		s.securityHeaders(rec.Header(), r)
		if err := cop.Check(r); err != nil {
			s.fail(rec, r, errCSRF)
			return
		}
		if err := checkQuery(r); err != nil {
			s.fail(rec, r, err)
			return
		}
		limitBody(rec, r)
		r, err := s.loadPrincipal(r)
		if err != nil && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			// The database cannot say who this is: "not now", never
			// "log in", which would send a signed-in person away.
			s.fail(rec, r, err)
			return
		}
		if err := s.checkCSRF(r); err != nil {
			s.fail(rec, r, err)
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// securityHeaders sets headers that close common holes. Pages load nothing
// from other sites; frames are refused (the embeddable channel list sets its
// own header).
func (s *Server) securityHeaders(h http.Header, r *http.Request) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// loadPrincipal resolves the session cookie, if any, and puts the person and
// the audit actor in the request context. An error is returned only when
// the database could not be asked (see db.IsUnavailable); an unknown or
// expired session or token leaves the request anonymous.
func (s *Server) loadPrincipal(r *http.Request) (*http.Request, error) {
	ip := clientIP(r)
	ctx := audit.WithActor(r.Context(), audit.Actor{Label: "anonym", IP: ip})
	if isAPI(r) {
		// The API takes bearer tokens only, never the session cookie, so a
		// cross-site page cannot use a signed-in browser against it.
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			p, tok, err := s.Auth.Bearer(ctx, strings.TrimSpace(bearer))
			if err == nil {
				ctx = withPrincipal(ctx, p)
				ctx = audit.WithActor(ctx, audit.Actor{UserID: p.User.ID, Label: "token:" + tok.Name + " (" + p.User.Email + ")", IP: ip})
			} else if db.IsUnavailable(err) {
				return r.WithContext(ctx), err
			}
		}
		return r.WithContext(ctx), nil
	}
	c, err := r.Cookie(sessionCookie)
	if err == nil && c.Value != "" {
		p, err := s.Auth.Session(ctx, c.Value)
		if err == nil {
			ctx = withPrincipal(ctx, p)
			ctx = audit.WithActor(ctx, audit.Actor{UserID: p.User.ID, Label: p.User.Email, IP: ip})
		} else if db.IsUnavailable(err) {
			return r.WithContext(ctx), err
		}
	}
	return r.WithContext(ctx), nil
}

// checkCSRF requires the session's token on every form a signed-in person
// posts. Mounted surfaces with their own authentication (the API's bearer
// tokens, signed webhooks) do not use the session and are left to it.
func (s *Server) checkCSRF(r *http.Request) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	if isAPI(r) || strings.HasPrefix(r.URL.Path, "/webhooks/") {
		return nil
	}
	p := PrincipalFrom(r.Context())
	if p == nil {
		// Anonymous forms (sign-in) are checked by their handler.
		return nil
	}
	if !tokenEqual(r.PostFormValue("csrf"), p.SessionCSRF) {
		return errCSRF
	}
	return nil
}

func tokenEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// clientIP is the remote address. Behind a reverse proxy the operator sets
// the proxy to overwrite X-Forwarded-For; Tilltal then trusts only its last
// hop when the peer is a loopback or private address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if fwd := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); fwd != nil {
				return fwd.String()
			}
		}
	}
	return host
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setCookie sets a hardened cookie: HttpOnly, SameSite=Lax, Secure on https.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets server-sent events through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// errBadChars is the answer to input with NUL or broken UTF-8, which no
// form produces and PostgreSQL cannot store or compare.
var errBadChars = apperr.Invalidf("Förfrågan innehåller ogiltiga tecken")

// checkQuery refuses query strings with NUL or invalid UTF-8.
func checkQuery(r *http.Request) error {
	for _, vs := range r.URL.Query() {
		for _, v := range vs {
			if !validText(v) {
				return errBadChars
			}
		}
	}
	return nil
}

// validText reports whether s is storable text: valid UTF-8 without NUL.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Body limits for the HTML forms: the CSRF check reads the form before any
// handler, so the limit must be set before it. Uploads (images for posts)
// may be larger than plain forms. The API and the webhooks bound their own
// bodies.
const (
	maxFormBody   = 1 << 20
	maxUploadBody = 12 << 20
)

func limitBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead || isAPI(r) || strings.HasPrefix(r.URL.Path, "/webhooks/") {
		return
	}
	limit := int64(maxFormBody)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		limit = maxUploadBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
}
