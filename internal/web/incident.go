package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
	"tilltal/internal/org"
)

// Who may reach the case pages at all; package incident then lets legal
// see every case and an owner only the cases of their own channels.
var (
	incidentWorkers = RolesOf(org.Legal, org.Owner)
	// incidentOpeners may open a case from an item they can see.
	incidentOpeners = RolesOf(org.Editor, org.Owner, org.Legal)
)

// IncidentViewer is what package incident needs to know about the
// signed-in person; the API uses it too.
func IncidentViewer(p *auth.Principal) incident.Viewer {
	if p == nil {
		return incident.Viewer{}
	}
	return incident.Viewer{UserID: p.User.ID, Legal: p.Has(org.Legal)}
}

// itemIncident is what the item page shows about cases: that the item is
// under one (to everyone who sees the item, nothing more), a link to it
// for those who may see it, and the form to open one.
type itemIncident struct {
	incident.Notice
	CanOpen    bool
	Categories []score.Category
}

func (s *Server) itemIncident(ctx context.Context, p *auth.Principal, it inbox.Item) (itemIncident, error) {
	n, err := s.Incidents.ForItem(ctx, IncidentViewer(p), it.ID)
	if err != nil {
		return itemIncident{}, err
	}
	d := itemIncident{Notice: n, CanOpen: !n.UnderIncident && !it.FromUs && incidentOpeners.Allows(p)}
	for _, c := range score.Categories() {
		if c.Criminal() {
			d.Categories = append(d.Categories, c)
		}
	}
	return d, nil
}

// itemOpenIncident opens a case from an item the person can see.
func (s *Server) itemOpenIncident(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	req := incident.OpenRequest{ItemID: it.ID, Note: r.PostFormValue("note"), FromFlags: r.PostFormValue("category") == "flag"}
	if !req.FromFlags {
		if req.Category, err = score.ParseCategory(r.PostFormValue("category")); err != nil {
			return apperr.Invalidf("Välj vilket brott som misstänks")
		}
	}
	if _, _, err := s.Incidents.Open(r.Context(), req); err != nil {
		return err
	}
	// Those who may see the case go on to it; an editor stays at the item.
	n, err := s.Incidents.ForItem(r.Context(), IncidentViewer(PrincipalFrom(r.Context())), it.ID)
	if err == nil && n.IncidentID != 0 {
		return redirect(w, r, fmt.Sprintf("/arenden/%d?ok=1", n.IncidentID))
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

type incidentsData struct {
	Incidents []incident.Incident
	Status    string
	Now       time.Time
}

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	switch incident.Status(status) {
	case "", incident.StatusOpen, incident.StatusReported, incident.StatusClosed:
	default:
		return apperr.Invalidf("Okänd status")
	}
	list, err := s.Incidents.List(r.Context(), IncidentViewer(PrincipalFrom(r.Context())), incident.Filter{Status: incident.Status(status)})
	if err != nil {
		return err
	}
	return s.render(w, r, "incidents", incidentsData{Incidents: list, Status: status, Now: s.Now()})
}

type incidentData struct {
	Incident incident.Incident
	// Vault is nil until the evidence is preserved.
	Vault    *incident.Vault
	Verified bool
	Item     inbox.Item
	Tip      string
	Now      time.Time
	Error    string
}

// incidentPage shows a case and its vault's manifest; the look is logged.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) error {
	return s.showIncident(w, r, http.StatusOK, "")
}

func (s *Server) showIncident(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx, v := r.Context(), IncidentViewer(PrincipalFrom(r.Context()))
	i, err := s.Incidents.Get(ctx, v, id)
	if err != nil {
		return err
	}
	d := incidentData{Incident: i, Now: s.Now(), Error: problem}
	vt, err := s.Incidents.Vault(ctx, v, id)
	switch {
	case err == nil:
		d.Vault = &vt
		d.Verified = s.Incidents.Verify(ctx, id) == nil
	case !errors.Is(err, incident.ErrNotPreserved):
		return err
	}
	if d.Item, err = s.Inbox.Get(ctx, i.ItemID); err != nil {
		return err
	}
	if i.CSAM() && d.Vault != nil {
		d.Tip = incident.Tip(s.municipalityName(ctx), i, vt.Manifest, d.Item.AuthorID, d.Item.AuthorURL)
	}
	s.renderStatus(w, r, status, "incident", d)
	return nil
}

func (s *Server) municipalityName(ctx context.Context) string {
	name := "Kommunen"
	_ = s.DB.QueryRow(ctx, "SELECT name FROM municipality WHERE id = 1").Scan(&name)
	return name
}

// incidentPart hands out one evidence file, as a download that the
// browser never runs; the look is logged.
func (s *Server) incidentPart(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return apperr.ErrNotFound
	}
	info, data, err := s.Incidents.Part(r.Context(), IncidentViewer(PrincipalFrom(r.Context())), id, n)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="arende-%d-%s"`, id, downloadName(info.Name)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

// downloadName flattens a part's path into a file name.
func downloadName(name string) string {
	out := []rune{}
	for _, r := range name {
		if r == '/' || r == '"' || r == '\\' || r < ' ' {
			r = '-'
		}
		out = append(out, r)
	}
	return string(out)
}

// incidentBundle hands out the police-report bundle; the look is logged.
func (s *Server) incidentBundle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := IncidentViewer(PrincipalFrom(r.Context()))
	i, err := s.Incidents.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	// Built in memory first, so that a failure is an error page, not a
	// broken download.
	var buf bytes.Buffer
	if err := s.Incidents.WriteBundle(r.Context(), v, id, &buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+incident.BundleName(i)+`"`)
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// incidentAction runs one of the case's forms.
func (s *Server) incidentAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, v := r.Context(), IncidentViewer(PrincipalFrom(r.Context()))
	switch r.PathValue("action") {
	case "polisanmalan":
		err = s.Incidents.RecordReport(ctx, v, id, r.PostFormValue("number"))
	case "tips":
		err = s.Incidents.RecordTip(ctx, v, id, r.PostFormValue("reference"), r.PostFormValue("platform_report"))
	case "beslut":
		err = s.Incidents.Decide(ctx, v, id, r.PostFormValue("decision"))
	case "forsok-igen":
		err = s.Incidents.RetryRemoval(ctx, v, id)
	case "polisen-agerat":
		err = s.Incidents.PoliceActed(ctx, v, id)
	case "avsluta":
		err = s.Incidents.Close(ctx, v, id)
	default:
		return apperr.ErrNotFound
	}
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
		return s.showIncident(w, r, statusOf(k), apperr.Message(err))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/arenden/%d?ok=1", id))
}
