package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/org"
	"tilltal/internal/release"
	"tilltal/internal/web"
)

// Records requests: the registrar handles them; legal reads them.
var (
	releaseReaders = web.RolesOf(org.Registrar, org.Legal)
	releaseWriters = web.RolesOf(org.Registrar)
)

// releaseRoutes are the API's routes for records requests.
func (a *API) releaseRoutes() []web.Mount {
	return []web.Mount{
		{Pattern: "GET /api/v1/releases", Access: releaseReaders, Handler: handler(a.releaseList)},
		{Pattern: "POST /api/v1/releases", Access: releaseWriters, Handler: handler(a.releaseOpen)},
		{Pattern: "GET /api/v1/releases/{id}", Access: releaseReaders, Handler: handler(a.releaseShow)},
		{Pattern: "POST /api/v1/releases/{id}/records", Access: releaseWriters, Handler: handler(a.releaseSelect)},
		{Pattern: "POST /api/v1/releases/{id}/records/{seq}/withhold", Access: releaseWriters, Handler: handler(a.releaseWithhold)},
		{Pattern: "POST /api/v1/releases/{id}/redactions", Access: releaseWriters, Handler: handler(a.releaseRedact)},
		{Pattern: "DELETE /api/v1/releases/{id}/redactions/{rid}", Access: releaseWriters, Handler: handler(a.releaseUnredact)},
		{Pattern: "POST /api/v1/releases/{id}/decision", Access: releaseWriters, Handler: handler(a.releaseDecide)},
		{Pattern: "GET /api/v1/releases/{id}/decision", Access: releaseReaders, Handler: handler(a.releaseDecision)},
		{Pattern: "POST /api/v1/releases/{id}/bundle", Access: releaseWriters, Handler: handler(a.releaseBundle)},
	}
}

func (a *API) releases() *release.Store {
	var now func() time.Time
	if a.Archive != nil {
		now = a.Archive.Now
	}
	return release.New(a.DB, now)
}

type releaseJSON struct {
	ID               int64      `json:"id"`
	RequesterName    string     `json:"requester_name,omitempty"`
	RequesterContact string     `json:"requester_contact,omitempty"`
	Anonymous        bool       `json:"anonymous"`
	ReceivedAt       time.Time  `json:"received_at"`
	Subject          string     `json:"subject"`
	DiaryNumber      string     `json:"diary_number,omitempty"`
	Status           string     `json:"status"`
	Outcome          string     `json:"outcome,omitempty"`
	Grounds          string     `json:"grounds,omitempty"`
	Reasoning        string     `json:"reasoning,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	DecidedBy        string     `json:"decided_by,omitempty"`
	ReleasedAt       *time.Time `json:"released_at,omitempty"`
	BundleSHA256     string     `json:"bundle_sha256,omitempty"`
}

func toRelease(r release.Request) releaseJSON {
	return releaseJSON{ID: r.ID, RequesterName: r.RequesterName, RequesterContact: r.RequesterContact, Anonymous: r.Anonymous, ReceivedAt: r.ReceivedAt,
		Subject: r.Subject, DiaryNumber: r.DiaryNumber, Status: string(r.Status), Outcome: string(r.Outcome), Grounds: r.Grounds, Reasoning: r.Reasoning,
		DecidedAt: r.DecidedAt, DecidedBy: r.DeciderName, ReleasedAt: r.ReleasedAt, BundleSHA256: r.BundleSHA256}
}

type suggestionJSON struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Kind     string `json:"kind"`
	Reason   string `json:"reason"`
	Ground   string `json:"ground"`
	Redacted bool   `json:"redacted"`
}

type redactionJSON struct {
	ID     int64  `json:"id"`
	Seq    int64  `json:"seq"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Ground string `json:"ground"`
}

type selectedJSON struct {
	Seq            int64            `json:"seq"`
	Kind           string           `json:"kind"`
	Channel        string           `json:"channel"`
	Author         string           `json:"author"`
	OccurredAt     time.Time        `json:"occurred_at"`
	Hash           string           `json:"hash"`
	Text           string           `json:"text"`
	Length         int              `json:"length"`
	Secret         bool             `json:"secret"`
	Withheld       bool             `json:"withheld"`
	WithheldGround string           `json:"withheld_ground,omitempty"`
	AuthorWithheld bool             `json:"author_withheld"`
	AuthorGround   string           `json:"author_ground,omitempty"`
	Redactions     []redactionJSON  `json:"redactions"`
	Suggestions    []suggestionJSON `json:"suggestions"`
}

func (a *API) releaseList(w http.ResponseWriter, r *http.Request) error {
	list, err := a.releases().List(r.Context(), release.Status(r.URL.Query().Get("status")))
	if err != nil {
		return err
	}
	out := make([]releaseJSON, 0, len(list))
	for _, x := range list {
		out = append(out, toRelease(x))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"releases": out})
}

func (a *API) releaseOpen(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RequesterName    string `json:"requester_name"`
		RequesterContact string `json:"requester_contact"`
		Anonymous        bool   `json:"anonymous"`
		ReceivedAt       string `json:"received_at"`
		Subject          string `json:"subject"`
		Register         bool   `json:"register"`
		DepartmentID     int64  `json:"department_id"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	o := release.Open{RequesterName: in.RequesterName, RequesterContact: in.RequesterContact, Anonymous: in.Anonymous, Subject: in.Subject,
		Register: in.Register, DepartmentID: in.DepartmentID, ReceivedAt: time.Now().UTC()}
	if in.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, in.ReceivedAt)
		if err != nil {
			if t, err = time.Parse("2006-01-02", in.ReceivedAt); err != nil {
				return apperr.Invalidf("received_at ska vara ett datum (ÅÅÅÅ-MM-DD) eller en tid i RFC 3339")
			}
		}
		o.ReceivedAt = t
	}
	req, err := a.releases().Open(r.Context(), o)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toRelease(req))
}

func (a *API) releaseShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.writeRelease(w, r, id, http.StatusOK)
}

// writeRelease writes a request with its records, their redactions and
// Tilltal's suggestions.
func (a *API) writeRelease(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	ctx := r.Context()
	c, err := a.releases().Case(ctx, id)
	if err != nil {
		return err
	}
	req, recs, rs := c.Request, c.Records, c.Redactions
	out := make([]selectedJSON, 0, len(recs))
	for _, x := range recs {
		if x.Quarantined {
			continue
		}
		s := selectedJSON{Seq: x.Seq, Kind: string(x.Record.Kind), Channel: x.ChannelName, Author: x.Record.AuthorName, OccurredAt: x.Record.OccurredAt,
			Hash: x.Record.Hash, Text: x.Text(), Length: x.Length(), Secret: x.SecretClass, Withheld: x.Withheld, WithheldGround: x.WithheldGround,
			AuthorWithheld: x.AuthorWithheld, AuthorGround: x.AuthorGround, Redactions: []redactionJSON{}, Suggestions: []suggestionJSON{}}
		var mine []release.Redaction
		for _, red := range rs {
			if red.Seq == x.Seq {
				mine = append(mine, red)
				s.Redactions = append(s.Redactions, redactionJSON(red))
			}
		}
		for _, sg := range release.Suggest(x, mine) {
			s.Suggestions = append(s.Suggestions, suggestionJSON(sg))
		}
		out = append(out, s)
	}
	return writeJSON(w, status, map[string]any{"release": toRelease(req), "records": out})
}

func (a *API) releaseSelect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Seqs []int64 `json:"seqs"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.releases().Select(r.Context(), id, in.Seqs); err != nil {
		return err
	}
	return a.writeRelease(w, r, id, http.StatusOK)
}

func (a *API) releaseWithhold(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		return apperr.ErrNotFound
	}
	var in struct {
		Record       bool   `json:"record"`
		RecordGround string `json:"record_ground"`
		Author       bool   `json:"author"`
		AuthorGround string `json:"author_ground"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.releases().Withhold(r.Context(), id, seq, release.Withholding(in)); err != nil {
		return err
	}
	return a.writeRelease(w, r, id, http.StatusOK)
}

func (a *API) releaseRedact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Seq     int64  `json:"seq"`
		Start   *int   `json:"start"`
		End     *int   `json:"end"`
		Passage string `json:"passage"`
		Ground  string `json:"ground"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	var rs []release.Redaction
	switch {
	case strings.TrimSpace(in.Passage) != "":
		rs, err = a.releases().RedactPassage(r.Context(), id, in.Seq, in.Passage, in.Ground)
	case in.Start != nil && in.End != nil:
		var one release.Redaction
		one, err = a.releases().Redact(r.Context(), id, in.Seq, *in.Start, *in.End, in.Ground)
		rs = []release.Redaction{one}
	default:
		return apperr.Invalidf("Ange start och end (tecken räknade från 0), eller passage")
	}
	if err != nil {
		return err
	}
	out := make([]redactionJSON, 0, len(rs))
	for _, x := range rs {
		out = append(out, redactionJSON(x))
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"redactions": out})
}

func (a *API) releaseUnredact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil || rid <= 0 {
		return apperr.ErrNotFound
	}
	if err := a.releases().Unredact(r.Context(), id, rid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) releaseDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Outcome   string `json:"outcome"`
		Grounds   string `json:"grounds"`
		Reasoning string `json:"reasoning"`
		// SecrecyReviewed states that the secret-class records released
		// whole were tried for secrecy and none applies.
		SecrecyReviewed bool `json:"secrecy_reviewed"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	req, err := a.releases().Decide(r.Context(), id, release.Decision{Outcome: release.Outcome(in.Outcome), Grounds: in.Grounds, Reasoning: in.Reasoning,
		SecrecyReviewed: in.SecrecyReviewed})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRelease(req))
}

// releaseDecision returns the written decision: JSON by default, the PDF
// or HTML with ?format=pdf|html.
func (a *API) releaseDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	doc, err := a.releases().Decision(r.Context(), id)
	if err != nil {
		return err
	}
	var body []byte
	switch r.URL.Query().Get("format") {
	case "pdf":
		body, err = release.DecisionPDF(doc)
		w.Header().Set("Content-Type", "application/pdf")
	case "html":
		body, err = release.DecisionHTML(doc)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case "":
		return writeJSON(w, http.StatusOK, doc)
	default:
		return apperr.Invalidf("format ska vara pdf eller html")
	}
	if err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

// releaseBundle produces the release ZIP and records that it was released.
func (a *API) releaseBundle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := a.releases().Release(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.Name+`"`)
	w.Header().Set("X-Bundle-SHA256", b.SHA256)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b.Data)
	return err
}
