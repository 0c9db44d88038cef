package web

import (
	"io"
	"net/http"
	"strconv"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/earchive"
)

// The e-archive export: the registrar starts a package of a period, a
// channel or chosen records as a background job, follows its progress and
// downloads the ZIP.

type exportData struct {
	Jobs     []earchive.Job
	Channels []channel.Channel
	Names    map[int64]string
	Form     exportForm
	Error    string
	// Running is true while an export is under way: the page offers a
	// reload and, with JavaScript, refreshes the list itself.
	Running bool
}

type exportForm struct {
	From, To, Channel, Seqs string
}

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderExport(w, r, http.StatusOK, exportData{})
}

func (s *Server) renderExport(w http.ResponseWriter, r *http.Request, status int, d exportData) error {
	ctx := r.Context()
	var err error
	if d.Jobs, err = s.Exports.List(ctx, 50); err != nil {
		return err
	}
	for _, j := range d.Jobs {
		d.Running = d.Running || !j.Finished()
	}
	if d.Names, d.Channels, err = s.channelNames(ctx, PrincipalFrom(ctx)); err != nil {
		return err
	}
	s.renderStatus(w, r, status, "archive_export", d)
	return nil
}

// exportStart starts an export; a refusal (an empty period, a bad date)
// is shown on the page with the form as typed.
func (s *Server) exportStart(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := exportForm{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Channel: r.PostFormValue("channel"), Seqs: r.PostFormValue("seqs")}
	sel, err := exportSelection(form.From, form.To, form.Channel, form.Seqs)
	if err == nil {
		_, err = s.Exports.Start(r.Context(), sel, PrincipalFrom(r.Context()).User.ID)
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Internal {
			return s.renderExport(w, r, statusOf(k), exportData{Form: form, Error: apperr.Message(err)})
		}
		return err
	}
	return redirect(w, r, "/arkiv/export")
}

// ExportSelection reads a selection as the form and the API give it.
func exportSelection(from, to, channelID, seqs string) (earchive.Selection, error) {
	var sel earchive.Selection
	var err error
	if sel.From, sel.To, err = earchive.ParsePeriod(from, to); err != nil {
		return sel, err
	}
	if channelID != "" {
		if sel.ChannelID, err = strconv.ParseInt(channelID, 10, 64); err != nil || sel.ChannelID < 0 {
			return sel, apperr.Invalidf("Okänd kanal")
		}
	}
	if sel.Seqs, err = earchive.ParseSeqs(seqs); err != nil {
		return sel, err
	}
	return sel, sel.Validate()
}

// ExportSelection is exportSelection for the API.
func ExportSelection(from, to, channelID, seqs string) (earchive.Selection, error) {
	return exportSelection(from, to, channelID, seqs)
}

// exportDownload sends a finished export's ZIP.
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return ServeExport(w, r, s.Exports, id)
}

// ServeExport sends the ZIP of a finished export: not found until it is
// done, and once its file is gone.
func ServeExport(w http.ResponseWriter, r *http.Request, js *earchive.Jobs, id int64) error {
	j, err := js.Get(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := js.Open(r.Context(), j)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := js.Downloaded(r.Context(), j); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+j.FileName()+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if j.ResultSize > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(j.ResultSize, 10))
	}
	// The blob store checks the content against its hash as it goes; a
	// changed package ends the response early rather than complete.
	_, _ = io.Copy(w, f)
	return nil
}
