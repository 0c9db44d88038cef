package oidctest

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// loginForm is the provider's sign-in page. It is deliberately plain: the
// tests post it with SubmitLogin or Cancel.
var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="sv"><title>Logga in</title>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>Användarnamn <input name="username"></label>
<label>Lösenord <input name="password" type="password"></label>
<button>Logga in</button> <button name="cancel" value="1">Avbryt</button>
</form>`))

type loginData struct{ ID, Error string }

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := p.st.AuthRequestByID(r.Context(), id); err != nil {
		http.Error(w, "unknown sign-in request", http.StatusBadRequest)
		return
	}
	_ = loginForm.Execute(w, loginData{ID: id})
}

// loginSubmit checks the user name and password and, when they are right,
// sends the browser back through the provider's callback, which issues the
// code and redirects to the client.
func (p *Provider) loginSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	req, err := p.st.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, "unknown sign-in request", http.StatusBadRequest)
		return
	}
	if r.PostFormValue("cancel") != "" {
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("the user cancelled the sign-in"), p.op)
		return
	}
	p.st.mu.Lock()
	u, ok := p.st.users[r.PostFormValue("username")]
	p.st.mu.Unlock()
	if !ok || u.Password != r.PostFormValue("password") || !p.st.complete(id, u.Subject) {
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginForm.Execute(w, loginData{ID: id, Error: "Fel användarnamn eller lösenord"})
		return
	}
	http.Redirect(w, r, p.URL+"/authorize/callback?id="+url.QueryEscape(id), http.StatusFound)
}

// SubmitLogin signs in on the provider's sign-in page (page is the response
// that showed it) as a browser would, and returns the response at the end
// of the redirects that follow.
func (p *Provider) SubmitLogin(c *http.Client, page *http.Response, email, password string) (*http.Response, error) {
	return c.PostForm(p.URL+"/login", url.Values{"id": {page.Request.URL.Query().Get("id")},
		"username": {email}, "password": {password}})
}

// Cancel presses the sign-in page's cancel button.
func (p *Provider) Cancel(c *http.Client, page *http.Response) (*http.Response, error) {
	return c.PostForm(p.URL+"/login", url.Values{"id": {page.Request.URL.Query().Get("id")}, "cancel": {"1"}})
}
