package web

import (
	"net/http"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
)

type accountData struct {
	Tokens   []auth.Token
	NewToken string
	Error    string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAccount(w, r, http.StatusOK, accountData{})
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, status int, d accountData) error {
	p := PrincipalFrom(r.Context())
	toks, err := s.Auth.Tokens(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	d.Tokens = toks
	s.renderStatus(w, r, status, "account", d)
	return nil
}

func (s *Server) accountLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u := PrincipalFrom(r.Context()).User
	u.Locale = r.PostFormValue("locale")
	if u.Locale != "en" {
		u.Locale = "sv"
	}
	if err := s.Org.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	return redirect(w, r, "/konto?ok=1")
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	old, err := s.Org.PasswordHash(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	if old != "" && !auth.VerifyPassword(old, r.PostFormValue("current")) {
		return s.showAccount(w, r, http.StatusUnprocessableEntity, accountData{Error: "Det nuvarande lösenordet stämmer inte"})
	}
	hash, err := auth.HashPassword(r.PostFormValue("new"))
	if err != nil {
		return s.showAccount(w, r, http.StatusUnprocessableEntity, accountData{Error: apperr.Message(err)})
	}
	if err := s.Org.SetPasswordHash(r.Context(), p.User.ID, hash); err != nil {
		return err
	}
	// Changing the password ended every session, this one too.
	return redirect(w, r, "/login")
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	plain, _, err := s.Auth.CreateToken(r.Context(), p.User.ID, r.PostFormValue("name"))
	if err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return err
		}
		return s.showAccount(w, r, statusOf(apperr.KindOf(err)), accountData{Error: apperr.Message(err)})
	}
	return s.showAccount(w, r, http.StatusOK, accountData{NewToken: plain})
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), PrincipalFrom(r.Context()).User.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/konto?ok=1")
}
