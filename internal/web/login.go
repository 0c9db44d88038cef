package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
)

type loginData struct {
	Email     string
	Next      string
	Error     string
	LoginCSRF string
	OIDC      bool
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "sv" {
		s.setCookie(w, langCookie, l, 365*24*3600)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if PrincipalFrom(r.Context()) != nil {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")))
	}
	return s.showLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) error {
	d.LoginCSRF = randomToken()
	d.OIDC = s.OIDC != nil
	s.setCookie(w, loginCSRFCookie, d.LoginCSRF, 3600)
	s.renderStatus(w, r, status, "login", d)
	return nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	d := loginData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !tokenEqual(c.Value, r.PostFormValue("csrf")) {
		d.Error = errCSRF.Message
		return s.showLogin(w, r, http.StatusForbidden, d)
	}
	token, err := s.Auth.Login(r.Context(), d.Email, r.PostFormValue("password"), clientIP(r), r.UserAgent())
	if err != nil {
		d.Error = apperr.Message(err)
		if apperr.KindOf(err) == apperr.Internal {
			s.Log.Error("login", "err", err)
		}
		return s.showLogin(w, r, statusOf(apperr.KindOf(err)), d)
	}
	s.startSession(w, token)
	return redirect(w, r, d.Next)
}

// startSession sets the new session cookie and drops the sign-in cookie.
func (s *Server) startSession(w http.ResponseWriter, token string) {
	s.setCookie(w, sessionCookie, token, int(auth.AbsoluteTimeout.Seconds()))
	s.setCookie(w, loginCSRFCookie, "", -1)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.Auth.Logout(r.Context(), c.Value)
	}
	s.setCookie(w, sessionCookie, "", -1)
	return redirect(w, r, "/login")
}

// oidcStateCookie binds a sign-in started at the provider to the browser
// that started it. Without it, someone could start a sign-in as themself,
// stop before the callback, and get another person's browser to finish it,
// signing that person in as them (login CSRF). It must be SameSite=Lax: the
// callback is a top-level navigation from the provider's site.
const oidcStateCookie = "tilltal_oidc_state"

// errOIDCState answers a callback whose state is missing or not this
// browser's, in the words the flow uses for an expired state.
var errOIDCState = &apperr.Error{Kind: apperr.Unauthorized, Message: "Inloggningen har gått ut eller är ogiltig. Försök igen."}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return apperr.NotFoundf("Inloggning via OpenID Connect är inte konfigurerad")
	}
	to, err := s.OIDC.Start(r.Context(), safeNext(r.URL.Query().Get("next")))
	if err != nil {
		return err
	}
	u, err := url.Parse(to)
	if err != nil {
		return fmt.Errorf("oidc: start: %w", err)
	}
	s.setOIDCState(w, u.Query().Get("state"), 600)
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

func (s *Server) setOIDCState(w http.ResponseWriter, state string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: state, Path: "/login/oidc", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return apperr.NotFoundf("Inloggning via OpenID Connect är inte konfigurerad")
	}
	// The binding is spent whatever happens next.
	s.setOIDCState(w, "", -1)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.Log.Warn("oidc sign-in refused by the provider", "error", clip(e), "description", clip(q.Get("error_description")))
		return s.oidcRefused(w, r, providerRefusal(e))
	}
	c, err := r.Cookie(oidcStateCookie)
	if err != nil || !tokenEqual(c.Value, q.Get("state")) {
		return s.oidcRefused(w, r, errOIDCState)
	}
	userID, next, err := s.OIDC.Finish(r.Context(), q.Get("state"), q.Get("code"))
	if err != nil {
		return s.oidcRefused(w, r, err)
	}
	token, err := s.Auth.CreateSession(r.Context(), userID, "oidc", clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	_ = s.Org.TouchLogin(r.Context(), userID)
	s.startSession(w, token)
	return redirect(w, r, safeNext(next))
}

// oidcRefused shows the sign-in page with the reason. The generic error
// path would answer an Unauthorized GET with a redirect to /login that
// carries the callback URL, code included, as next=, and, for a person who
// is already signed in, back again in a loop.
func (s *Server) oidcRefused(w http.ResponseWriter, r *http.Request, err error) error {
	kind := apperr.KindOf(err)
	if kind == apperr.Internal {
		return err
	}
	level := slog.LevelInfo
	if kind == apperr.Unauthorized {
		// A token that fails verification or an exchange the provider
		// refuses is most often a misconfiguration the operator must see.
		level = slog.LevelWarn
	}
	s.Log.Log(r.Context(), level, "oidc sign-in refused", "err", err)
	return s.showLogin(w, r, statusOf(kind), loginData{Next: "/", Error: apperr.Message(err)})
}

// providerRefusal words the provider's error code. Entra ID answers
// access_denied when the person is not assigned to the app.
func providerRefusal(code string) error {
	if code == "access_denied" {
		return apperr.Forbiddenf("Du har inte tillgång till Tilltal hos identitetsleverantören. Be IT-avdelningen ge dig behörighet till appen.")
	}
	return apperr.Forbiddenf("Identitetsleverantören avbröt inloggningen (%s). Försök igen.", clip(code))
}

// clip keeps text from the provider's redirect short and printable before
// it reaches a page or the log.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	return s
}
