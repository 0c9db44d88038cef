package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/publish"
)

// channelOption is a channel on the compose form with what was typed for it.
type channelOption struct {
	C        channel.Channel
	Rules    publish.Rules
	Checked  bool
	Variant  string
	Hashtags string
}

type postFormData struct {
	// ID is 0 for a new post.
	ID        int64
	In        publish.Input
	Channels  []channelOption
	Approvers []publish.Person
	Consents  []publish.Consent
	// Image is the image on the form, nil for none.
	Image     *publish.Image
	AltText   string
	NoPerson  bool
	Scheduled string
	Error     string
	Findings  []publish.Finding
}

func (d postFormData) HasConsent(id int64) bool {
	return d.In.Image != nil && containsID(d.In.Image.Consents, id)
}

// postForm renders the compose form around what was typed.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request, status int, d postFormData) error {
	v := ChannelViewer(PrincipalFrom(r.Context()))
	chans, err := s.Publish.Publishable(r.Context(), v)
	if err != nil {
		return err
	}
	for _, c := range chans {
		rules, _ := publish.RulesFor(string(c.Platform))
		d.Channels = append(d.Channels, channelOption{C: c, Rules: rules, Checked: containsID(d.In.Channels, c.ID),
			Variant: d.In.Variants[c.ID], Hashtags: d.In.Hashtags[c.ID]})
	}
	if d.Approvers, err = s.Publish.Approvers(r.Context(), v, chans); err != nil {
		return err
	}
	all, err := s.Publish.Consents(r.Context())
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.State(s.Now()) == publish.ConsentValid || d.HasConsent(c.ID) {
			d.Consents = append(d.Consents, c)
		}
	}
	if d.In.Image != nil {
		d.AltText, d.NoPerson = d.In.Image.AltText, d.In.Image.NoPerson
	}
	if d.In.ScheduledAt != nil {
		d.Scheduled = d.In.ScheduledAt.In(calendar.Stockholm).Format("2006-01-02T15:04")
	}
	s.renderStatus(w, r, status, "publish_form", d)
	return nil
}

func (s *Server) postNewPage(w http.ResponseWriter, r *http.Request) error {
	d := postFormData{In: publish.Input{Variants: map[int64]string{}, Hashtags: map[int64]string{}}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("kanal"), 10, 64); err == nil {
		d.In.Channels = []int64{id}
	}
	return s.postForm(w, r, http.StatusOK, d)
}

func (s *Server) postEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Publish.Get(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id)
	if err != nil {
		return err
	}
	d := postFormData{ID: id, In: inputOf(p)}
	if len(p.Images) > 0 {
		d.Image = &p.Images[0].Image
	}
	return s.postForm(w, r, http.StatusOK, d)
}

// inputOf is a post as the form shows it.
func inputOf(p publish.Post) publish.Input {
	in := publish.Input{Title: p.Title, Body: p.Body, Link: p.Link, ApproverID: p.ApproverID, ScheduledAt: p.ScheduledAt,
		CheckSender: p.CheckSender, CheckGraphicProfile: p.CheckGraphicProfile, Variants: map[int64]string{}, Hashtags: map[int64]string{}}
	for _, t := range p.Targets {
		in.Channels = append(in.Channels, t.ChannelID)
		in.Variants[t.ChannelID], in.Hashtags[t.ChannelID] = t.Variant, t.Hashtags
	}
	if len(p.Images) > 0 {
		img := p.Images[0]
		in.Image = &publish.InputImage{SHA256: img.SHA256, AltText: img.AltText, NoPerson: img.NoPerson}
		for _, c := range img.Consents {
			in.Image.Consents = append(in.Image.Consents, c.ID)
		}
	}
	return in
}

// postCreate saves a new draft, and sends it for approval when asked.
func (s *Server) postCreate(w http.ResponseWriter, r *http.Request) error {
	return s.savePost(w, r, 0)
}

// postUpdate saves changes to a draft.
func (s *Server) postUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.savePost(w, r, id)
}

func (s *Server) savePost(w http.ResponseWriter, r *http.Request, id int64) error {
	v := ChannelViewer(PrincipalFrom(r.Context()))
	in, img, err := s.readPostForm(r)
	d := postFormData{ID: id, In: in, Image: img}
	if err == nil {
		if id == 0 {
			id, err = s.Publish.Create(r.Context(), v, in)
			d.ID = id
		} else {
			err = s.Publish.Update(r.Context(), v, id, in)
		}
	}
	if err == nil && r.PostFormValue("action") == "submit" {
		if err = s.Publish.Submit(r.Context(), v, id); err == nil {
			return redirect(w, r, "/publicera/"+itoa(id)+"?ok=1")
		}
		// Saved, but not sent: show the post with what stops it.
		return s.showPost(w, r, id, statusOf(apperr.KindOf(err)), postPageData{Error: apperr.Message(err), Findings: findingsOf(err)})
	}
	if err == nil {
		return redirect(w, r, "/publicera/"+itoa(id)+"?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.NotFound {
		return err
	}
	d.Error, d.Findings = apperr.Message(err), findingsOf(err)
	return s.postForm(w, r, statusOf(apperr.KindOf(err)), d)
}

// findingsOf returns the findings behind a refusal by the checks.
func findingsOf(err error) []publish.Finding {
	var b *publish.Blocked
	if errors.As(err, &b) {
		return b.Findings
	}
	return nil
}

// readPostForm reads the compose form; an uploaded image is stored first,
// so that it need not be uploaded again if something else is wrong.
func (s *Server) readPostForm(r *http.Request) (publish.Input, *publish.Image, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return publish.Input{}, nil, errBadForm
	}
	f := r.PostForm
	in := publish.Input{Title: f.Get("title"), Body: f.Get("body"), Link: f.Get("link"),
		CheckSender: f.Get("check_sender") != "", CheckGraphicProfile: f.Get("check_graphic_profile") != "",
		Variants: map[int64]string{}, Hashtags: map[int64]string{}}
	var err error
	if in.Channels, err = formIDs(r, "channel"); err != nil {
		return in, nil, err
	}
	for _, c := range in.Channels {
		in.Variants[c], in.Hashtags[c] = f.Get("variant_"+itoa(c)), f.Get("hashtags_"+itoa(c))
	}
	if a := f.Get("approver"); a != "" {
		if in.ApproverID, err = strconv.ParseInt(a, 10, 64); err != nil {
			return in, nil, apperr.Invalidf("Ogiltigt val av godkännare")
		}
	}
	if sched := f.Get("scheduled_at"); sched != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", sched, calendar.Stockholm)
		if err != nil {
			return in, nil, apperr.Invalidf("Ange publiceringstiden som datum och klockslag (ÅÅÅÅ-MM-DD TT:MM).")
		}
		in.ScheduledAt = &t
	}
	consents, err := formIDs(r, "consent")
	if err != nil {
		return in, nil, err
	}
	sha := f.Get("image_sha")
	if f.Get("remove_image") != "" {
		sha = ""
	}
	img, err := s.upload(r)
	if err != nil {
		return in, nil, err
	}
	if img != nil {
		sha = img.SHA256
	}
	if sha != "" {
		in.Image = &publish.InputImage{SHA256: sha, AltText: f.Get("alt_text"), NoPerson: f.Get("rights") == "no_person", Consents: consents}
		if img == nil && publish.ValidSHA(sha) {
			img = &publish.Image{SHA256: sha}
		}
	}
	return in, img, nil
}

// upload stores the form's image, if one was chosen.
func (s *Server) upload(r *http.Request) (*publish.Image, error) {
	file, hdr, err := r.FormFile("image")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, errBadForm
	}
	defer file.Close()
	if hdr.Size == 0 && hdr.Filename == "" {
		return nil, nil
	}
	if hdr.Size > publish.MaxImageBytes {
		return nil, apperr.Invalidf("Bilden är för stor (%s). Den får vara högst %s.", publish.FormatBytes(hdr.Size), publish.FormatBytes(publish.MaxImageBytes))
	}
	data, err := io.ReadAll(io.LimitReader(file, publish.MaxImageBytes+1))
	if err != nil {
		return nil, errBadForm
	}
	img, err := s.Publish.PutImage(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), data)
	if err != nil {
		return nil, err
	}
	return &img, nil
}
