package web

import (
	"net/http"
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

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return apperr.NotFoundf("Inloggning via OpenID Connect är inte konfigurerad")
	}
	to, err := s.OIDC.Start(r.Context(), safeNext(r.URL.Query().Get("next")))
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return apperr.NotFoundf("Inloggning via OpenID Connect är inte konfigurerad")
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return apperr.Forbiddenf("Inloggningen avbröts av identitetsleverantören (%s)", e)
	}
	userID, next, err := s.OIDC.Finish(r.Context(), q.Get("state"), q.Get("code"))
	if err != nil {
		return err
	}
	token, err := s.Auth.CreateSession(r.Context(), userID, "oidc", clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	_ = s.Org.TouchLogin(r.Context(), userID)
	s.startSession(w, token)
	return redirect(w, r, safeNext(next))
}
