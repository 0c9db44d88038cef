package web

import (
	"net/http"
	"strconv"

	"tilltal/internal/apperr"
	"tilltal/internal/publish"
)

type consentRow struct {
	publish.Consent
	State publish.ConsentState
	Posts []publish.PostRef
}

type consentsData struct {
	Consents []consentRow
	New      publish.NewConsent
	Error    string
	// Withdrawn is the consent just withdrawn, with the posts it affects.
	Withdrawn *consentRow
}

// consentsPage is the consent register (samtyckesregister).
func (s *Server) consentsPage(w http.ResponseWriter, r *http.Request) error {
	d := consentsData{}
	if id, err := strconv.ParseInt(r.URL.Query().Get("aterkallat"), 10, 64); err == nil {
		c, err := s.Publish.Consent(r.Context(), id)
		if err != nil {
			return err
		}
		posts, err := s.Publish.PostsUsingConsent(r.Context(), id)
		if err != nil {
			return err
		}
		d.Withdrawn = &consentRow{Consent: c, State: c.State(s.Now()), Posts: posts}
	}
	return s.showConsents(w, r, http.StatusOK, d)
}

func (s *Server) showConsents(w http.ResponseWriter, r *http.Request, status int, d consentsData) error {
	list, err := s.Publish.Consents(r.Context())
	if err != nil {
		return err
	}
	for _, c := range list {
		posts, err := s.Publish.PostsUsingConsent(r.Context(), c.ID)
		if err != nil {
			return err
		}
		d.Consents = append(d.Consents, consentRow{Consent: c, State: c.State(s.Now()), Posts: posts})
	}
	s.renderStatus(w, r, status, "consents", d)
	return nil
}

// consentCreate registers a consent.
func (s *Server) consentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	n := publish.NewConsent{Person: r.PostFormValue("person"), Purpose: r.PostFormValue("purpose"), SignedBy: r.PostFormValue("signed_by"),
		SignedOn: r.PostFormValue("signed_on"), LastDay: r.PostFormValue("last_day"), Reference: r.PostFormValue("reference")}
	_, err := s.Publish.AddConsent(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), n)
	if err == nil {
		return redirect(w, r, "/samtycken?ok=1")
	}
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	return s.showConsents(w, r, statusOf(apperr.KindOf(err)), consentsData{New: n, Error: apperr.Message(err)})
}

// consentWithdraw withdraws a consent in one step and shows every post
// that uses its images.
func (s *Server) consentWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	_, err = s.Publish.Withdraw(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, r.PostFormValue("reason"))
	if err == nil {
		return redirect(w, r, "/samtycken?aterkallat="+itoa(id))
	}
	if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.NotFound {
		return err
	}
	return s.showConsents(w, r, statusOf(apperr.KindOf(err)), consentsData{Error: apperr.Message(err)})
}

type publishRulesData struct {
	Channels []publishRuleRow
}

type publishRuleRow struct {
	ID       int64
	Name     string
	Platform string
	Direct   bool
}

// publishRulesPage lists the channels a person manages with their rule for
// publishing: approval first, or editors publish directly.
func (s *Server) publishRulesPage(w http.ResponseWriter, r *http.Request) error {
	v := ChannelViewer(PrincipalFrom(r.Context()))
	chans, err := s.Publish.Publishable(r.Context(), v)
	if err != nil {
		return err
	}
	direct, err := s.Publish.DirectPublish(r.Context())
	if err != nil {
		return err
	}
	var d publishRulesData
	for _, c := range chans {
		if v.CanManage(c) {
			d.Channels = append(d.Channels, publishRuleRow{ID: c.ID, Name: c.Name, Platform: string(c.Platform), Direct: direct[c.ID]})
		}
	}
	return s.render(w, r, "publish_rules", d)
}

// publishRuleSave sets a channel's rule.
func (s *Server) publishRuleSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.Publish.SetDirectPublish(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, r.PostFormValue("direct") == "1"); err != nil {
		return err
	}
	return redirect(w, r, "/publiceringsregler?ok=1")
}
