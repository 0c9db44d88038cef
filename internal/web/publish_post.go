package web

import (
	"net/http"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/publish"
)

// targetView is the post as one channel will show it.
type targetView struct {
	publish.Target
	Rules  publish.Rules
	Text   string
	Length int
}

type postPageData struct {
	P        publish.Post
	Targets  []targetView
	Findings []publish.Finding
	History  []publish.Event
	// What the person may do now.
	CanEdit, CanDecide, CanReschedule bool
	Error                             string
	Comment                           string
	Published                         bool
}

// postPage shows a post: its text per channel, the checks, where it stands
// on each channel, and the approval.
func (s *Server) postPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.showPost(w, r, id, http.StatusOK, postPageData{})
}

func (s *Server) showPost(w http.ResponseWriter, r *http.Request, id int64, status int, d postPageData) error {
	pr := PrincipalFrom(r.Context())
	v := ChannelViewer(pr)
	p, err := s.Publish.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	d.P = p
	for _, t := range p.Targets {
		rules, _ := publish.RulesFor(t.Platform)
		text := publish.TextFor(p.Body, t)
		d.Targets = append(d.Targets, targetView{Target: t, Rules: rules, Text: text, Length: utf8.RuneCountInString(text)})
		d.Published = d.Published || t.Status == publish.TargetPublished
	}
	if d.Findings == nil && (p.Status.Editable() || p.Status == publish.Pending) {
		if d.Findings, err = s.Publish.Check(r.Context(), v, id); err != nil {
			return err
		}
	}
	if d.History, err = s.Publish.History(r.Context(), v, id); err != nil {
		return err
	}
	writer := publishers.Allows(pr)
	d.CanEdit = writer && p.Status.Editable() && (p.AuthorID == v.UserID || v.Communicator)
	d.CanDecide = writer && s.Publish.MayApprove(r.Context(), v, p)
	d.CanReschedule = writer && p.Status == publish.Approved && (v.Communicator || p.AuthorID == v.UserID || p.DecidedBy == v.UserID || d.CanDecide)
	s.renderStatus(w, r, status, "publish_post", d)
	return nil
}

// postSubmit sends a draft for approval.
func (s *Server) postSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.postAction(w, r, func(v channel.Viewer, id int64) error { return s.Publish.Submit(r.Context(), v, id) })
}

// postDecide approves, asks for changes or rejects.
func (s *Server) postDecide(w http.ResponseWriter, r *http.Request) error {
	return s.postAction(w, r, func(v channel.Viewer, id int64) error {
		return s.Publish.Decide(r.Context(), v, id, publish.Decision(r.PostFormValue("decision")), r.PostFormValue("comment"))
	})
}

// postPublishNow publishes an approved post at once.
func (s *Server) postPublishNow(w http.ResponseWriter, r *http.Request) error {
	return s.postAction(w, r, func(v channel.Viewer, id int64) error { return s.Publish.PublishNow(r.Context(), v, id) })
}

// postCancel stops a post before it is published.
func (s *Server) postCancel(w http.ResponseWriter, r *http.Request) error {
	return s.postAction(w, r, func(v channel.Viewer, id int64) error { return s.Publish.Cancel(r.Context(), v, id) })
}

// postAction runs a form's action on a post and shows the post again,
// with the reason when it was refused.
func (s *Server) postAction(w http.ResponseWriter, r *http.Request, act func(v channel.Viewer, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	err = act(ChannelViewer(PrincipalFrom(r.Context())), id)
	if err == nil {
		return redirect(w, r, "/publicera/"+itoa(id)+"?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.NotFound {
		return err
	}
	return s.showPost(w, r, id, statusOf(apperr.KindOf(err)), postPageData{Error: apperr.Message(err), Findings: findingsOf(err), Comment: r.PostFormValue("comment")})
}
