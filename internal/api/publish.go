package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/org"
	"tilltal/internal/publish"
	"tilltal/internal/web"
)

// Who may read and who may write posts, as on the web.
var (
	publishReaders = web.RolesOf(org.Communicator, org.Owner, org.Editor, org.Registrar, org.Legal)
	publishers     = web.RolesOf(org.Communicator, org.Owner, org.Editor)
)

// publishRoutes are the publishing part of the route table.
func (a *API) publishRoutes() []web.Mount {
	return []web.Mount{
		{Pattern: "GET /api/v1/posts", Access: publishReaders, Handler: handler(a.posts)},
		{Pattern: "POST /api/v1/posts", Access: publishers, Handler: handler(a.createPost)},
		{Pattern: "GET /api/v1/posts/{id}", Access: publishReaders, Handler: handler(a.post)},
		{Pattern: "PUT /api/v1/posts/{id}", Access: publishers, Handler: handler(a.updatePost)},
		{Pattern: "POST /api/v1/posts/{id}/submit", Access: publishers, Handler: a.postAction("submit")},
		{Pattern: "POST /api/v1/posts/{id}/decision", Access: publishers, Handler: a.postAction("decision")},
		{Pattern: "POST /api/v1/posts/{id}/publish-now", Access: publishers, Handler: a.postAction("now")},
		{Pattern: "POST /api/v1/posts/{id}/cancel", Access: publishers, Handler: a.postAction("cancel")},
		{Pattern: "POST /api/v1/images", Access: publishers, Handler: handler(a.uploadImage)},
		{Pattern: "GET /api/v1/consents", Access: publishers, Handler: handler(a.consents)},
		{Pattern: "POST /api/v1/consents", Access: publishers, Handler: handler(a.addConsent)},
		{Pattern: "POST /api/v1/consents/{id}/withdraw", Access: publishers, Handler: handler(a.withdrawConsent)},
	}
}

type targetJSON struct {
	ID          int64      `json:"id"`
	ChannelID   int64      `json:"channel_id"`
	ChannelName string     `json:"channel_name"`
	Platform    string     `json:"platform"`
	Variant     string     `json:"variant"`
	Hashtags    string     `json:"hashtags"`
	Text        string     `json:"text"`
	Status      string     `json:"status"`
	ExternalID  string     `json:"external_id"`
	ItemID      *int64     `json:"item_id"`
	Error       string     `json:"error"`
	PublishedAt *time.Time `json:"published_at"`
}

type imageJSON struct {
	SHA256   string  `json:"sha256"`
	Format   string  `json:"format"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	Size     int64   `json:"size"`
	AltText  string  `json:"alt_text,omitempty"`
	NoPerson bool    `json:"no_person"`
	Consents []int64 `json:"consents"`
}

type postJSON struct {
	ID                  int64             `json:"id"`
	Title               string            `json:"title"`
	Body                string            `json:"body"`
	Link                string            `json:"link"`
	Status              string            `json:"status"`
	AuthorID            int64             `json:"author_id"`
	ApproverID          *int64            `json:"approver_id"`
	ScheduledAt         *time.Time        `json:"scheduled_at"`
	CheckSender         bool              `json:"check_sender"`
	CheckGraphicProfile bool              `json:"check_graphic_profile"`
	DecisionComment     string            `json:"decision_comment"`
	Direct              bool              `json:"direct"`
	Targets             []targetJSON      `json:"targets"`
	Images              []imageJSON       `json:"images"`
	Flags               []string          `json:"flags"`
	Findings            []publish.Finding `json:"findings,omitempty"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func imageOf(img publish.Image, alt string) imageJSON {
	out := imageJSON{SHA256: img.SHA256, Format: img.Format, Width: img.Width, Height: img.Height, Size: img.Size, AltText: alt, NoPerson: img.NoPerson, Consents: []int64{}}
	for _, c := range img.Consents {
		out.Consents = append(out.Consents, c.ID)
	}
	return out
}

func postOf(p publish.Post) postJSON {
	out := postJSON{ID: p.ID, Title: p.Title, Body: p.Body, Link: p.Link, Status: string(p.Status), AuthorID: p.AuthorID, ApproverID: optID(p.ApproverID),
		ScheduledAt: p.ScheduledAt, CheckSender: p.CheckSender, CheckGraphicProfile: p.CheckGraphicProfile, DecisionComment: p.DecisionComment,
		Direct: p.Direct, Targets: []targetJSON{}, Images: []imageJSON{}, Flags: []string{}, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, t := range p.Targets {
		out.Targets = append(out.Targets, targetJSON{ID: t.ID, ChannelID: t.ChannelID, ChannelName: t.ChannelName, Platform: t.Platform, Variant: t.Variant,
			Hashtags: t.Hashtags, Text: publish.TextFor(p.Body, t), Status: string(t.Status), ExternalID: t.ExternalID, ItemID: optID(t.ItemID),
			Error: t.Error, PublishedAt: t.PublishedAt})
	}
	for _, img := range p.Images {
		out.Images = append(out.Images, imageOf(img.Image, img.AltText))
	}
	for _, f := range p.Flags {
		if f.ResolvedAt == nil {
			out.Flags = append(out.Flags, f.Reason)
		}
	}
	return out
}

// posts lists posts: ?from=&to= (RFC 3339), department, channel, status.
func (a *API) posts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := publish.Filter{Status: publish.Status(q.Get("status"))}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return apperr.Invalidf("%s ska vara en tidpunkt i RFC 3339-format", p.name)
			}
			*p.t = t
		}
	}
	var err error
	if s := q.Get("department"); s != "" {
		if f.DepartmentID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return apperr.Invalidf("Ogiltig verksamhet")
		}
	}
	if s := q.Get("channel"); s != "" {
		if f.ChannelID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return apperr.Invalidf("Ogiltig kanal")
		}
	}
	list, err := a.Publish.List(r.Context(), viewer(r), f)
	if err != nil {
		return err
	}
	out := []postJSON{}
	for _, l := range list {
		out = append(out, postOf(l.Post))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"posts": out})
}

func (a *API) post(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.writePost(w, r, http.StatusOK, id)
}

func (a *API) writePost(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	p, err := a.Publish.Get(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	out := postOf(p)
	if out.Findings, err = a.Publish.Check(r.Context(), viewer(r), id); err != nil {
		return err
	}
	return writeJSON(w, status, out)
}

type postInput struct {
	Title    string `json:"title"`
	Body     string `json:"body"`
	Link     string `json:"link"`
	Channels []struct {
		ID       int64  `json:"id"`
		Variant  string `json:"variant"`
		Hashtags string `json:"hashtags"`
	} `json:"channels"`
	ApproverID          int64      `json:"approver_id"`
	ScheduledAt         *time.Time `json:"scheduled_at"`
	CheckSender         bool       `json:"check_sender"`
	CheckGraphicProfile bool       `json:"check_graphic_profile"`
	Image               *struct {
		SHA256   string  `json:"sha256"`
		AltText  string  `json:"alt_text"`
		NoPerson bool    `json:"no_person"`
		Consents []int64 `json:"consents"`
	} `json:"image"`
}

func (in postInput) input() publish.Input {
	out := publish.Input{Title: in.Title, Body: in.Body, Link: in.Link, ApproverID: in.ApproverID, ScheduledAt: in.ScheduledAt,
		CheckSender: in.CheckSender, CheckGraphicProfile: in.CheckGraphicProfile, Variants: map[int64]string{}, Hashtags: map[int64]string{}}
	for _, c := range in.Channels {
		out.Channels = append(out.Channels, c.ID)
		out.Variants[c.ID], out.Hashtags[c.ID] = c.Variant, c.Hashtags
	}
	if in.Image != nil {
		out.Image = &publish.InputImage{SHA256: in.Image.SHA256, AltText: in.Image.AltText, NoPerson: in.Image.NoPerson, Consents: in.Image.Consents}
	}
	return out
}

func (a *API) createPost(w http.ResponseWriter, r *http.Request) error {
	var in postInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	id, err := a.Publish.Create(r.Context(), viewer(r), in.input())
	if err != nil {
		return err
	}
	return a.writePost(w, r, http.StatusCreated, id)
}

func (a *API) updatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in postInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.Publish.Update(r.Context(), viewer(r), id, in.input()); err != nil {
		return err
	}
	return a.writePost(w, r, http.StatusOK, id)
}

// postAction runs submit, decision, publish-now or cancel; a refusal by
// the checks is a 422 with the findings.
func (a *API) postAction(what string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		v := viewer(r)
		switch what {
		case "submit":
			err = a.Publish.Submit(r.Context(), v, id)
		case "decision":
			var in struct {
				Decision string `json:"decision"`
				Comment  string `json:"comment"`
			}
			if err := readJSON(w, r, &in); err != nil {
				return err
			}
			err = a.Publish.Decide(r.Context(), v, id, publish.Decision(in.Decision), in.Comment)
		case "now":
			err = a.Publish.PublishNow(r.Context(), v, id)
		case "cancel":
			err = a.Publish.Cancel(r.Context(), v, id)
		}
		var blocked *publish.Blocked
		if errors.As(err, &blocked) {
			return writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"error":    map[string]any{"code": "Unprocessable Entity", "message": apperr.Message(err)},
				"findings": blocked.Findings})
		}
		if err != nil {
			return err
		}
		return a.writePost(w, r, http.StatusOK, id)
	}
}

// uploadImage stores the request body as an image.
func (a *API) uploadImage(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, publish.MaxImageBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Invalidf("Bilden är för stor. Den får vara högst %s.", publish.FormatBytes(publish.MaxImageBytes))
	}
	if err != nil {
		return apperr.Invalidf("Bilden kunde inte läsas")
	}
	img, err := a.Publish.PutImage(r.Context(), viewer(r), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, imageOf(img, ""))
}

type consentJSON struct {
	ID        int64      `json:"id"`
	Person    string     `json:"person"`
	Purpose   string     `json:"purpose"`
	LastDay   string     `json:"last_day"`
	SignedBy  string     `json:"signed_by"`
	SignedOn  string     `json:"signed_on"`
	Reference string     `json:"reference"`
	State     string     `json:"state"`
	Withdrawn *time.Time `json:"withdrawn_at"`
	Images    []string   `json:"images"`
}

func consentOf(c publish.Consent, now time.Time) consentJSON {
	out := consentJSON{ID: c.ID, Person: c.Person, Purpose: c.Purpose, LastDay: c.LastDay().String(), SignedBy: c.SignedBy, SignedOn: c.SignedOn,
		Reference: c.Reference, State: string(c.State(now)), Withdrawn: c.WithdrawnAt, Images: c.Images}
	if out.Images == nil {
		out.Images = []string{}
	}
	return out
}

func (a *API) consents(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Publish.Consents(r.Context())
	if err != nil {
		return err
	}
	out := []consentJSON{}
	for _, c := range list {
		out = append(out, consentOf(c, a.Publish.Now()))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"consents": out})
}

func (a *API) addConsent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Person    string `json:"person"`
		Purpose   string `json:"purpose"`
		LastDay   string `json:"last_day"`
		SignedBy  string `json:"signed_by"`
		SignedOn  string `json:"signed_on"`
		Reference string `json:"reference"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	id, err := a.Publish.AddConsent(r.Context(), viewer(r), publish.NewConsent{Person: in.Person, Purpose: in.Purpose, LastDay: in.LastDay,
		SignedBy: in.SignedBy, SignedOn: in.SignedOn, Reference: in.Reference})
	if err != nil {
		return err
	}
	c, err := a.Publish.Consent(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, consentOf(c, a.Publish.Now()))
}

// withdrawConsent withdraws a consent and returns the posts it affects.
func (a *API) withdrawConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	refs, err := a.Publish.Withdraw(r.Context(), viewer(r), id, in.Reason)
	if err != nil {
		return err
	}
	type ref struct {
		ID        int64  `json:"id"`
		Title     string `json:"title"`
		Status    string `json:"status"`
		Published bool   `json:"published"`
	}
	out := []ref{}
	for _, p := range refs {
		out = append(out, ref{ID: p.ID, Title: p.Title, Status: string(p.Status), Published: p.Published})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"posts": out})
}
