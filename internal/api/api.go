// Package api serves the JSON API under /api/v1 for scripts and the
// municipality's other systems. Requests authenticate with bearer tokens
// (tilltal token create); every route is declared in Routes with the access
// it needs and is served through the web layer's guard.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/earchive"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/org"
	"tilltal/internal/outbound"
	"tilltal/internal/publish"
	"tilltal/internal/report"
	"tilltal/internal/web"
)

// API holds what the handlers call into.
type API struct {
	DB    *db.DB
	Org   *org.Store
	Inbox *inbox.Store
	// Actions send replies, hides and deletes to the platforms.
	Actions *inbox.Actions
	// ReplyRules supplies channels' rules for the reply check; nil means
	// the defaults (no sign-off required, LIX limit 45, no allow list).
	ReplyRules ReplyRulesFunc

	// Channels is the channel registry.
	Channels *channel.Store
	// Incidents are the cases of criminal content and their vault.
	Incidents *incident.Store
	// Reports computes the reports.
	Reports *report.Store
	// Publish is publishing: posts, approval, scheduling, consents.
	Publish *publish.Service
	// Archive keeps the public records.
	Archive *archive.Store
	// Exports writes e-archive packages as background jobs.
	Exports *earchive.Jobs
}

type handler func(w http.ResponseWriter, r *http.Request) error

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		web.WriteJSONError(w, err)
	}
}

var (
	communicator = web.RolesOf(org.Communicator)
	seesAll      = web.RolesOf(org.Communicator, org.Registrar, org.Legal)
)

// Routes returns the API's routes for mounting; this is the API's one
// route table.
func (a *API) Routes() []web.Mount {
	return append([]web.Mount{
		{Pattern: "GET /api/v1/openapi.json", Access: web.Public, Handler: handler(a.openapi)},
		{Pattern: "GET /api/v1/me", Access: web.SignedIn, Handler: handler(a.me)},
		{Pattern: "GET /api/v1/departments", Access: web.SignedIn, Handler: handler(a.departments)},
		{Pattern: "POST /api/v1/departments", Access: communicator, Handler: handler(a.createDepartment)},
		{Pattern: "GET /api/v1/departments/{id}", Access: web.SignedIn, Handler: handler(a.department)},
		{Pattern: "GET /api/v1/users", Access: communicator, Handler: handler(a.users)},
		{Pattern: "POST /api/v1/users", Access: communicator, Handler: handler(a.createUser)},
		{Pattern: "GET /api/v1/audit", Access: seesAll, Handler: handler(a.audit)},
		{Pattern: "GET /api/v1/items", Access: inboxReaders, Handler: handler(a.items)},
		{Pattern: "GET /api/v1/items/{id}", Access: inboxReaders, Handler: handler(a.item)},
		{Pattern: "POST /api/v1/items/{id}/status", Access: inboxWorkers, Handler: handler(a.itemStatus)},
		{Pattern: "POST /api/v1/items/{id}/assign", Access: inboxWorkers, Handler: handler(a.itemAssign)},
		{Pattern: "POST /api/v1/items/{id}/notes", Access: inboxWorkers, Handler: handler(a.itemNote)},
		{Pattern: "POST /api/v1/items/{id}/reply", Access: inboxWorkers, Handler: handler(a.itemReply)},
		{Pattern: "POST /api/v1/items/{id}/hide", Access: inboxWorkers, Handler: a.itemModerate(outbound.KindHide)},
		{Pattern: "POST /api/v1/items/{id}/unhide", Access: inboxWorkers, Handler: a.itemModerate(outbound.KindUnhide)},
		{Pattern: "POST /api/v1/items/{id}/delete", Access: inboxWorkers, Handler: a.itemModerate(outbound.KindDelete)},
		{Pattern: "POST /api/v1/check", Access: inboxWorkers, Handler: handler(a.check)},
		// The channel registry; package channel scopes single channels.
		{Pattern: "GET /api/v1/channels", Access: web.SignedIn, Handler: handler(a.channels)},
		{Pattern: "POST /api/v1/channels", Access: web.SignedIn, Handler: handler(a.requestChannel)},
		{Pattern: "GET /api/v1/channels/{id}", Access: web.SignedIn, Handler: handler(a.channel)},
		{Pattern: "PATCH /api/v1/channels/{id}", Access: web.SignedIn, Handler: handler(a.updateChannel)},
		{Pattern: "PUT /api/v1/channels/{id}/members", Access: web.SignedIn, Handler: handler(a.setChannelMembers)},
		{Pattern: "POST /api/v1/channels/{id}/status", Access: communicator, Handler: handler(a.channelStatus)},
		{Pattern: "GET /api/v1/channels/{id}/rota", Access: web.SignedIn, Handler: handler(a.channelRota)},
		{Pattern: "PUT /api/v1/channels/{id}/rota", Access: web.SignedIn, Handler: handler(a.setChannelRota)},
		{Pattern: "PUT /api/v1/channels/{id}/policy", Access: communicator, Handler: handler(a.setChannelPolicy)},
		{Pattern: "GET /api/v1/channels/{id}/coverage", Access: web.SignedIn, Handler: handler(a.channelCoverage)},
		{Pattern: "GET /api/v1/channels/{id}/history", Access: web.SignedIn, Handler: handler(a.channelHistory)},
		// The archive of public records.
		{Pattern: "GET /api/v1/records", Access: seesAll, Handler: handler(a.records)},
		{Pattern: "GET /api/v1/records/{seq}", Access: seesAll, Handler: handler(a.record)},
		// Reports, scoped to the person's channels like the report pages.
		{Pattern: "GET /api/v1/reports", Access: reportReaders, Handler: handler(a.reports)},
		{Pattern: "GET /api/v1/reports/{name}", Access: reportReaders, Handler: handler(a.report)},
	}, append(append(append(a.publishRoutes(), a.incidentRoutes()...), a.releaseRoutes()...), a.exportRoutes()...)...)
}

// writeJSON writes v with a status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body strictly: one object, known fields only,
// at most 1 MiB.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return apperr.Invalidf("Förfrågan är för stor (högst 1 MiB)")
	}
	// NUL cannot be stored as text; JSON can smuggle it as \u0000.
	if bytes.Contains(body, []byte(`\u0000`)) || bytes.IndexByte(body, 0) >= 0 || !utf8.Valid(body) {
		return apperr.Invalidf("Förfrågan innehåller ogiltiga tecken")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Invalidf("Förfrågan är för stor (högst 1 MiB)")
		}
		return apperr.Invalidf("Ogiltig JSON: %v", err)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return apperr.Invalidf("Ogiltig JSON: mer än ett objekt")
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}
