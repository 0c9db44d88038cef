package api

import (
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/inbox"
	"tilltal/internal/org"
	"tilltal/internal/web"
)

var (
	inboxReaders = web.RolesOf(org.Communicator, org.Owner, org.Editor, org.Registrar, org.Legal)
	inboxWorkers = web.RolesOf(org.Communicator, org.Owner, org.Editor)
)

type itemJSON struct {
	ID              int64      `json:"id"`
	ChannelID       int64      `json:"channel_id"`
	Channel         string     `json:"channel"`
	DepartmentID    int64      `json:"department_id"`
	ThreadID        int64      `json:"thread_id"`
	Platform        string     `json:"platform"`
	ExternalID      string     `json:"external_id"`
	ParentID        string     `json:"parent_external_id,omitempty"`
	Kind            string     `json:"kind"`
	AuthorName      string     `json:"author_name"`
	AuthorHandle    string     `json:"author_handle,omitempty"`
	FromUs          bool       `json:"from_us"`
	Text            string     `json:"text"`
	Permalink       string     `json:"permalink,omitempty"`
	Status          string     `json:"status"`
	AssigneeID      int64      `json:"assignee_id,omitempty"`
	Hidden          bool       `json:"hidden"`
	Removed         bool       `json:"removed"`
	Version         int        `json:"version"`
	PostedAt        time.Time  `json:"posted_at"`
	ReceivedAt      time.Time  `json:"received_at"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
}

func toItem(it inbox.Item) itemJSON {
	return itemJSON{ID: it.ID, ChannelID: it.ChannelID, Channel: it.ChannelName, DepartmentID: it.DepartmentID, ThreadID: it.ThreadID,
		Platform: it.Platform, ExternalID: it.ExternalID, ParentID: it.ParentExternalID, Kind: it.Kind, AuthorName: it.AuthorName,
		AuthorHandle: it.AuthorHandle, FromUs: it.FromUs, Text: it.Body, Permalink: it.Permalink, Status: string(it.Status),
		AssigneeID: it.AssigneeID, Hidden: it.Hidden, Removed: it.Removed, Version: it.Version, PostedAt: it.PostedAt,
		ReceivedAt: it.ReceivedAt, FirstResponseAt: it.FirstResponseAt}
}

func (a *API) items(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := web.PrincipalFrom(r.Context())
	f := inbox.Filter{Channels: p.VisibleChannels(), Query: q.Get("q"), Platform: q.Get("platform"), Oldest: q.Get("order") == "oldest", Sentiment: q.Get("sentiment"), Flag: q.Get("flag")}
	ints := map[string]*int64{"channel_id": &f.ChannelID, "department_id": &f.DepartmentID, "assignee_id": &f.AssigneeID, "after": &f.After}
	for k, dst := range ints {
		if v := q.Get(k); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return apperr.Invalidf("%s måste vara ett heltal", k)
			}
			*dst = n
		}
	}
	if v := q.Get("status"); v == "open" {
		f.OpenOnly = true
	} else if v != "" {
		st, err := inbox.ParseStatus(v)
		if err != nil {
			return err
		}
		f.Status = st
	}
	for k, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalidf("%s måste vara en tid i RFC 3339-format", k)
			}
			*dst = t
		}
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	list, err := a.Inbox.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := []itemJSON{}
	for _, it := range list {
		out = append(out, toItem(it))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// visibleItem loads an item the token's user may see; others get 404.
func (a *API) visibleItem(r *http.Request) (inbox.Item, error) {
	id, err := pathID(r)
	if err != nil {
		return inbox.Item{}, err
	}
	it, err := a.Inbox.Get(r.Context(), id)
	if err != nil {
		return it, err
	}
	if !web.PrincipalFrom(r.Context()).CanSeeChannel(it.ChannelID) {
		return inbox.Item{}, apperr.NotFoundf("Ärendet finns inte")
	}
	return it, nil
}

func (a *API) item(w http.ResponseWriter, r *http.Request) error {
	it, err := a.visibleItem(r)
	if err != nil {
		return err
	}
	thread, err := a.Inbox.Thread(r.Context(), it.ThreadID)
	if err != nil {
		return err
	}
	versions, err := a.Inbox.Versions(r.Context(), it.ID)
	if err != nil {
		return err
	}
	th := []itemJSON{}
	for _, t := range thread {
		th = append(th, toItem(t))
	}
	type versionJSON struct {
		Version    int       `json:"version"`
		Verb       string    `json:"verb"`
		Text       string    `json:"text"`
		Hidden     bool      `json:"hidden"`
		Removed    bool      `json:"removed"`
		OccurredAt time.Time `json:"occurred_at"`
	}
	vs := []versionJSON{}
	for _, v := range versions {
		vs = append(vs, versionJSON{v.Version, v.Verb, v.Body, v.Hidden, v.Removed, v.OccurredAt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"item": toItem(it), "thread": th, "versions": vs})
}

func (a *API) itemStatus(w http.ResponseWriter, r *http.Request) error {
	it, err := a.visibleItem(r)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	st, err := inbox.ParseStatus(in.Status)
	if err != nil {
		return err
	}
	if err := a.Inbox.SetStatus(r.Context(), it.ID, st); err != nil {
		return err
	}
	it, err = a.Inbox.Get(r.Context(), it.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toItem(it))
}

func (a *API) itemAssign(w http.ResponseWriter, r *http.Request) error {
	it, err := a.visibleItem(r)
	if err != nil {
		return err
	}
	var in struct {
		UserID int64 `json:"user_id"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.Inbox.Assign(r.Context(), it.ID, in.UserID); err != nil {
		return err
	}
	it, err = a.Inbox.Get(r.Context(), it.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toItem(it))
}

func (a *API) itemNote(w http.ResponseWriter, r *http.Request) error {
	it, err := a.visibleItem(r)
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.Inbox.AddNote(r.Context(), it.ID, in.Text); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"ok": true})
}
