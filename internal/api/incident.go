package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
	"tilltal/internal/org"
	"tilltal/internal/web"
)

// Who may reach the case routes; package incident lets legal see every
// case and an owner the cases of their channels (404 for anyone else).
var (
	incidentWorkers = web.RolesOf(org.Legal, org.Owner)
	incidentOpeners = web.RolesOf(org.Editor, org.Owner, org.Legal)
	incidentReaders = web.RolesOf(org.Legal, org.Communicator, org.Owner)
)

// incidentRoutes are the API's routes for cases, the vault and the rules.
func (a *API) incidentRoutes() []web.Mount {
	return []web.Mount{
		{Pattern: "POST /api/v1/items/{id}/incident", Access: incidentOpeners, Handler: handler(a.openIncident)},
		{Pattern: "GET /api/v1/incidents", Access: incidentWorkers, Handler: handler(a.incidents)},
		{Pattern: "GET /api/v1/incidents/report", Access: incidentReaders, Handler: handler(a.incidentReport)},
		{Pattern: "GET /api/v1/incidents/{id}", Access: incidentWorkers, Handler: handler(a.incident)},
		{Pattern: "GET /api/v1/incidents/{id}/evidence", Access: incidentWorkers, Handler: handler(a.evidence)},
		{Pattern: "GET /api/v1/incidents/{id}/evidence/{n}", Access: incidentWorkers, Handler: handler(a.evidencePart)},
		{Pattern: "GET /api/v1/incidents/{id}/bundle", Access: incidentWorkers, Handler: handler(a.bundle)},
		{Pattern: "POST /api/v1/incidents/{id}/police-report", Access: incidentWorkers, Handler: handler(a.policeReport)},
		{Pattern: "POST /api/v1/incidents/{id}/tip", Access: incidentWorkers, Handler: handler(a.tip)},
		{Pattern: "POST /api/v1/incidents/{id}/decision", Access: incidentWorkers, Handler: handler(a.decision)},
		{Pattern: "POST /api/v1/incidents/{id}/police-acted", Access: incidentWorkers, Handler: handler(a.incidentStep((*incident.Store).PoliceActed))},
		{Pattern: "POST /api/v1/incidents/{id}/close", Access: incidentWorkers, Handler: handler(a.incidentStep((*incident.Store).Close))},
		{Pattern: "GET /api/v1/channels/{id}/incident-rules", Access: web.SignedIn, Handler: handler(a.incidentRules)},
		{Pattern: "PUT /api/v1/channels/{id}/incident-rules", Access: web.SignedIn, Handler: handler(a.setIncidentRules)},
	}
}

type incidentJSON struct {
	ID                 int64      `json:"id"`
	ItemID             int64      `json:"item_id"`
	ChannelID          int64      `json:"channel_id"`
	Channel            string     `json:"channel"`
	Category           string     `json:"category"`
	Status             string     `json:"status"`
	DiaryNumber        string     `json:"diary_number"`
	OpenedByRule       bool       `json:"opened_by_rule"`
	PostedAt           time.Time  `json:"posted_at"`
	ReceivedAt         time.Time  `json:"received_at"`
	OpenedAt           time.Time  `json:"opened_at"`
	RemovalDue         time.Time  `json:"removal_due"`
	RemovedAt          *time.Time `json:"removed_at,omitempty"`
	Removal            string     `json:"removal,omitempty"`
	RemovalSeconds     *int64     `json:"removal_seconds,omitempty"`
	RemovalError       string     `json:"removal_error,omitempty"`
	Decision           string     `json:"decision,omitempty"`
	PreservedAt        *time.Time `json:"preserved_at,omitempty"`
	Seal               string     `json:"seal_sha256,omitempty"`
	PoliceReportNumber string     `json:"police_report_number,omitempty"`
	TipReference       string     `json:"tip_reference,omitempty"`
	PlatformReportID   string     `json:"platform_report_id,omitempty"`
	ReportedAt         *time.Time `json:"reported_at,omitempty"`
}

func toIncident(i incident.Incident) incidentJSON {
	out := incidentJSON{ID: i.ID, ItemID: i.ItemID, ChannelID: i.ChannelID, Channel: i.ChannelName, Category: i.Category.String(), Status: string(i.Status),
		DiaryNumber: i.DiaryNumber, OpenedByRule: i.OpenedByRule, PostedAt: i.PostedAt, ReceivedAt: i.ReceivedAt, OpenedAt: i.OpenedAt,
		RemovalDue: i.RemovalDue(), RemovedAt: i.RemovedAt, Removal: i.Removal, RemovalError: i.RemovalError, Decision: i.Decision,
		PreservedAt: i.PreservedAt, Seal: i.SealSHA256, PoliceReportNumber: i.PoliceReportNumber, TipReference: i.TipReference,
		PlatformReportID: i.PlatformReportID, ReportedAt: i.ReportedAt}
	if d, ok := i.TimeToRemoval(); ok {
		secs := int64(d / time.Second)
		out.RemovalSeconds = &secs
	}
	return out
}

func caseViewer(r *http.Request) incident.Viewer {
	return web.IncidentViewer(web.PrincipalFrom(r.Context()))
}

func (a *API) openIncident(w http.ResponseWriter, r *http.Request) error {
	it, err := a.visibleItem(r)
	if err != nil {
		return err
	}
	var in struct {
		Category string `json:"category"`
		Note     string `json:"note"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	req := incident.OpenRequest{ItemID: it.ID, Note: in.Note, FromFlags: in.Category == ""}
	if !req.FromFlags {
		if req.Category, err = score.ParseCategory(in.Category); err != nil {
			return apperr.Invalidf("Okänd kategori %q", in.Category)
		}
	}
	id, created, err := a.Incidents.Open(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	// Those who may not see the case learn only that it exists.
	out := map[string]any{"created": created, "item_id": it.ID}
	if i, err := a.Incidents.Get(r.Context(), caseViewer(r), id); err == nil {
		out["incident"] = toIncident(i)
	}
	return writeJSON(w, status, out)
}

func (a *API) incidents(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Incidents.List(r.Context(), caseViewer(r), incident.Filter{Status: incident.Status(r.URL.Query().Get("status"))})
	if err != nil {
		return err
	}
	out := []incidentJSON{}
	for _, i := range list {
		out = append(out, toIncident(i))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"incidents": out})
}

func (a *API) incident(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	i, err := a.Incidents.Get(r.Context(), caseViewer(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toIncident(i))
}

// evidence returns the vault's manifest and seal; the look is logged.
func (a *API) evidence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	vt, err := a.Incidents.Vault(r.Context(), caseViewer(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"manifest": vt.Manifest, "seal_sha256": vt.Seal, "sealed_at": vt.SealedAt,
		"verified": a.Incidents.Verify(r.Context(), id) == nil})
}

// evidencePart returns one evidence file as it was preserved.
func (a *API) evidencePart(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return apperr.ErrNotFound
	}
	info, data, err := a.Incidents.Part(r.Context(), caseViewer(r), id, n)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", info.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Digest", "sha-256="+info.SHA256)
	_, err = w.Write(data)
	return err
}

func (a *API) bundle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	i, err := a.Incidents.Get(r.Context(), caseViewer(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.Incidents.WriteBundle(r.Context(), caseViewer(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+incident.BundleName(i)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (a *API) policeReport(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ReportNumber string `json:"report_number"`
	}
	return a.incidentChange(w, r, &in, func(id int64) error { return a.Incidents.RecordReport(r.Context(), caseViewer(r), id, in.ReportNumber) })
}

func (a *API) tip(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reference        string `json:"reference"`
		PlatformReportID string `json:"platform_report_id"`
	}
	return a.incidentChange(w, r, &in, func(id int64) error {
		return a.Incidents.RecordTip(r.Context(), caseViewer(r), id, in.Reference, in.PlatformReportID)
	})
}

func (a *API) decision(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Decision string `json:"decision"`
	}
	return a.incidentChange(w, r, &in, func(id int64) error { return a.Incidents.Decide(r.Context(), caseViewer(r), id, in.Decision) })
}

// incidentStep runs a change that takes no input.
func (a *API) incidentStep(step func(*incident.Store, context.Context, incident.Viewer, int64) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct{}
		return a.incidentChange(w, r, &in, func(id int64) error { return step(a.Incidents, r.Context(), caseViewer(r), id) })
	}
}

// incidentChange reads the body, applies the change and answers with the
// case as it is now.
func (a *API) incidentChange(w http.ResponseWriter, r *http.Request, in any, change func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := readJSON(w, r, in); err != nil {
		return err
	}
	if err := change(id); err != nil {
		return err
	}
	i, err := a.Incidents.Get(r.Context(), caseViewer(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toIncident(i))
}

func (a *API) incidentReport(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	from, to := now.AddDate(0, 0, -30), now
	for k, dst := range map[string]*time.Time{"since": &from, "until": &to} {
		if v := r.URL.Query().Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalidf("%s måste vara en tid i RFC 3339-format", k)
			}
			*dst = t
		}
	}
	p := web.PrincipalFrom(r.Context())
	var channels []int64
	if !p.HasAny(org.Legal, org.Communicator) {
		channels = p.VisibleChannels()
	}
	rep, err := a.Incidents.Report(r.Context(), channels, from, to)
	if err != nil {
		return err
	}
	counts := func(cs []incident.Count) []map[string]any {
		out := []map[string]any{}
		for _, c := range cs {
			out = append(out, map[string]any{"label": c.Label, "count": c.N})
		}
		return out
	}
	return writeJSON(w, http.StatusOK, map[string]any{"since": from, "until": to, "total": rep.Total, "by_category": counts(rep.ByCategory),
		"by_channel": counts(rep.ByChannel), "removed": rep.Removed, "removed_within_target": rep.WithinTarget, "still_visible": rep.StillVisible,
		"median_removal_seconds": int64(rep.MedianRemoval / time.Second), "max_removal_seconds": int64(rep.MaxRemoval / time.Second),
		"police_reports": rep.PoliceReports, "tips": rep.Tips, "unreported": rep.Unreported})
}

type ruleJSON struct {
	Category string  `json:"category"`
	Action   string  `json:"action"`
	MinScore float64 `json:"min_score"`
	OpenCase bool    `json:"open_case"`
}

type rulesJSON struct {
	Rules                []ruleJSON `json:"rules"`
	RemovalTargetMinutes int        `json:"removal_target_minutes"`
}

func (a *API) incidentRules(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := a.Channels.Get(r.Context(), web.ChannelViewer(web.PrincipalFrom(r.Context())), id); err != nil {
		return err
	}
	list, err := a.Incidents.Rules(r.Context(), id)
	if err != nil {
		return err
	}
	target, err := a.Incidents.RemovalTarget(r.Context(), id)
	if err != nil {
		return err
	}
	out := rulesJSON{Rules: []ruleJSON{}, RemovalTargetMinutes: int(target / time.Minute)}
	for _, rl := range list {
		out.Rules = append(out.Rules, ruleJSON{Category: rl.Category.String(), Action: string(rl.Action), MinScore: rl.MinScore, OpenCase: rl.OpenCase})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) setIncidentRules(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in rulesJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	var list []incident.Rule
	for _, rl := range in.Rules {
		c, err := score.ParseCategory(rl.Category)
		if err != nil {
			return apperr.Invalidf("Okänd kategori %q", rl.Category)
		}
		action, err := incident.ParseAction(rl.Action)
		if err != nil {
			return err
		}
		list = append(list, incident.Rule{Category: c, Action: action, MinScore: rl.MinScore, OpenCase: rl.OpenCase})
	}
	if in.RemovalTargetMinutes == 0 {
		in.RemovalTargetMinutes = int(incident.DefaultRemovalTarget / time.Minute)
	}
	v := web.ChannelViewer(web.PrincipalFrom(r.Context()))
	if err := a.Incidents.SetRules(r.Context(), v, id, list, time.Duration(in.RemovalTargetMinutes)*time.Minute); err != nil {
		return err
	}
	return a.incidentRules(w, r)
}
