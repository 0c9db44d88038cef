// Package web serves Tilltal's HTML interface: server-rendered pages in
// Swedish (English second) that work without JavaScript. It only translates
// HTTP into calls on the domain packages; every route is declared in
// routes.go with the access it needs.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/answer"
	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/auth"
	"tilltal/internal/channel"
	"tilltal/internal/config"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/diary"
	"tilltal/internal/earchive"
	"tilltal/internal/escalation"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/intake"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/publish"
	"tilltal/internal/report"
	"tilltal/internal/snapshot"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the web layer calls into; main builds them.
type Deps struct {
	Config config.Config
	DB     *db.DB
	Org    *org.Store
	Auth   *auth.Service
	Outbox *notify.Outbox
	Inbox  *inbox.Store
	// Escalations are the questions sent to departments.
	Escalations *escalation.Store
	// Diary is the diarium.
	Diary *diary.Store
	// Answers are the saved answers.
	Answers *answer.Store
	// Actions send replies, hides and deletes to the platforms.
	Actions *inbox.Actions
	// Intake holds raw deliveries and unrouted events.
	Intake *intake.Store
	// Credentials are the channels' platform tokens.
	Credentials *credential.Store
	// Channels is the channel registry.
	Channels *channel.Store
	// Incidents are the cases of criminal content and their vault.
	Incidents *incident.Store
	// Reports computes the report pages.
	Reports *report.Store
	// Publish is publishing: posts, approval, scheduling, consents.
	Publish *publish.Service
	// Archive keeps the public records.
	Archive *archive.Store
	// Snapshots are the channels' ögonblicksbilder.
	Snapshots *snapshot.Service
	// Exports writes e-archive packages as background jobs.
	Exports *earchive.Jobs
	// OIDC is nil when OpenID Connect sign-in is not configured.
	OIDC OIDCFlow
	Log  *slog.Logger
	Now  func() time.Time
	// Mount adds routes owned by other packages (webhooks, the API).
	Mount []Mount
}

// OIDCFlow is the OpenID Connect sign-in, implemented in package auth.
type OIDCFlow interface {
	// Start returns the provider URL to send the browser to.
	Start(ctx context.Context, returnTo string) (string, error)
	// Finish completes the flow from the callback's query and returns the
	// signed-in user's id and where to go next.
	Finish(ctx context.Context, state, code string) (userID int64, returnTo string, err error)
}

// Mount is a handler owned elsewhere, served under a pattern with an access rule.
type Mount struct {
	Pattern string
	Access  Access
	Handler http.Handler
}

// Server is the HTML interface.
type Server struct {
	Deps
	pages  map[string]*template.Template
	mux    *http.ServeMux
	routes []Route
	secure bool
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, mux: http.NewServeMux(), secure: strings.HasPrefix(d.Config.BaseURL, "https://")}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.registerRoutes()
	return s, nil
}

// ServeHTTP runs a request through the middleware and the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.middleware(s.mux).ServeHTTP(w, r)
}

// Routes returns every route with its access rule, for the role matrix test.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return err
		}
		s.pages[base] = t
	}
	return nil
}

// handler is how page handlers are written: they return an error, which is
// turned into a page in one place.
type handler func(w http.ResponseWriter, r *http.Request) error

// fail turns an error into an error page with the right status and a
// message that is safe to show; only internal errors are logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = unavailable(err)
	kind := apperr.KindOf(err)
	if kind == apperr.Unavailable {
		retryLater(w, s.Log, "web", r, err)
	}
	if isAPI(r) {
		s.failJSON(w, r, err)
		return
	}
	if kind == apperr.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := statusOf(kind)
	if kind == apperr.Internal {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderStatus(w, r, status, "error", map[string]any{"Status": status, "Message": apperr.Message(err)})
}

// statusOf maps an error kind to an HTTP status, for the web and the API.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// StatusOf is statusOf for the API package.
func StatusOf(err error) int { return statusOf(apperr.KindOf(err)) }

var errBadForm = apperr.Invalidf("Formuläret kunde inte läsas")

// parseForm reads a form with a size limit.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !validText(v) {
				return errBadChars
			}
		}
	}
	return nil
}

// failJSON is fail for the API: {"error": {"code", "message"}}.
func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	kind := apperr.KindOf(err)
	if kind == apperr.Internal {
		s.Log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	WriteJSONError(w, err)
}

// WriteJSONError writes err as the API's error object.
func WriteJSONError(w http.ResponseWriter, err error) {
	err = unavailable(err)
	status := statusOf(apperr.KindOf(err))
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		// Not through fail (the API's own handlers): count it here.
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		if db.IsUnavailable(err) {
			storageUnavailable.WithLabelValues("api").Inc()
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tilltal"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": http.StatusText(status), "message": apperr.Message(err)}})
}
