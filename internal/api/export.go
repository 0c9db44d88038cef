package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/earchive"
	"tilltal/internal/org"
	"tilltal/internal/web"
)

// exportRoutes are the e-archive export's: the registrar's, like the page.
func (a *API) exportRoutes() []web.Mount {
	registrar := web.RolesOf(org.Registrar)
	return []web.Mount{
		{Pattern: "GET /api/v1/exports", Access: registrar, Handler: handler(a.exports)},
		{Pattern: "POST /api/v1/exports", Access: registrar, Handler: handler(a.startExport)},
		{Pattern: "GET /api/v1/exports/{id}", Access: registrar, Handler: handler(a.export)},
		{Pattern: "GET /api/v1/exports/{id}/download", Access: registrar, Handler: handler(a.downloadExport)},
	}
}

// exportJSON is an export job.
type exportJSON struct {
	ID         int64      `json:"id"`
	PackageID  string     `json:"package_id"`
	From       *time.Time `json:"from,omitempty"`
	To         *time.Time `json:"to,omitempty"`
	ChannelID  int64      `json:"channel_id,omitempty"`
	Seqs       []int64    `json:"seqs,omitempty"`
	Status     string     `json:"status"`
	Total      int        `json:"total"`
	Done       int        `json:"done"`
	Percent    int        `json:"percent"`
	Error      string     `json:"error,omitempty"`
	Size       int64      `json:"size,omitempty"`
	Download   string     `json:"download,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

func toExport(j earchive.Job) exportJSON {
	out := exportJSON{ID: j.ID, PackageID: j.PackageID, ChannelID: j.Selection.ChannelID, Seqs: j.Selection.Seqs, Status: j.Status, Total: j.Total,
		Done: j.Done, Percent: j.Percent(), Error: j.Error, CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
	if !j.Selection.From.IsZero() {
		from, to := j.Selection.From, j.Selection.To
		out.From, out.To = &from, &to
	}
	if j.Status == earchive.StatusDone {
		out.Size = j.ResultSize
		out.Download = "/api/v1/exports/" + strconv.FormatInt(j.ID, 10) + "/download"
	}
	return out
}

func (a *API) exports(w http.ResponseWriter, r *http.Request) error {
	jobs, err := a.Exports.List(r.Context(), 100)
	if err != nil {
		return err
	}
	out := struct {
		Exports []exportJSON `json:"exports"`
	}{Exports: []exportJSON{}}
	for _, j := range jobs {
		out.Exports = append(out.Exports, toExport(j))
	}
	return writeJSON(w, http.StatusOK, out)
}

// startExport queues an export of a period (whole days, inclusive), a
// channel or chosen records; 202 with the job to follow.
func (a *API) startExport(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		From      string  `json:"from"`
		To        string  `json:"to"`
		ChannelID int64   `json:"channel_id"`
		Seqs      []int64 `json:"seqs"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	seqs := make([]string, len(in.Seqs))
	for i, q := range in.Seqs {
		seqs[i] = strconv.FormatInt(q, 10)
	}
	sel, err := web.ExportSelection(in.From, in.To, strconv.FormatInt(in.ChannelID, 10), strings.Join(seqs, ","))
	if err != nil {
		return err
	}
	j, err := a.Exports.Start(r.Context(), sel, web.PrincipalFrom(r.Context()).User.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/exports/"+strconv.FormatInt(j.ID, 10))
	return writeJSON(w, http.StatusAccepted, toExport(j))
}

func (a *API) export(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	j, err := a.Exports.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toExport(j))
}

func (a *API) downloadExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return web.ServeExport(w, r, a.Exports, id)
}
