package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/channel"
	"tilltal/internal/org"
)

type retentionData struct {
	Rules      []archive.RetentionRule
	Triage     []archive.TriageRule
	Holds      []archive.Hold
	Cullings   []archive.Culling
	Channels   []channel.Channel
	Names      map[int64]string
	Kinds      []archive.Kind
	Classes    []archive.Class
	CanRule    bool
	CanHold    bool
	HoldScope  string
	HoldTarget string
	RuleForm   ruleForm
	RuleError  string
	HoldError  string
}

type ruleForm struct {
	Name, Kind, Channel, Class, Months, Decision string
}

func (s *Server) retentionPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return s.renderRetention(w, r, http.StatusOK, retentionData{HoldScope: q.Get("omfattning"), HoldTarget: q.Get("nummer")})
}

// renderRetention shows the rules, holds and culling log, with d's form
// values and errors.
func (s *Server) renderRetention(w http.ResponseWriter, r *http.Request, status int, d retentionData) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	var err error
	if d.Rules, err = s.Archive.RetentionRules(ctx); err != nil {
		return err
	}
	if d.Triage, err = s.Archive.TriageRules(ctx); err != nil {
		return err
	}
	if d.Holds, err = s.Archive.Holds(ctx, false); err != nil {
		return err
	}
	if d.Cullings, err = s.Archive.Cullings(ctx, 50); err != nil {
		return err
	}
	if d.Names, d.Channels, err = s.channelNames(ctx, p); err != nil {
		return err
	}
	d.Kinds, d.Classes = cullableKinds(), []archive.Class{archive.ClassMinor, archive.ClassOrdered}
	d.CanRule, d.CanHold = p.Has(org.Registrar), holdKeepers.Allows(p)
	s.renderStatus(w, r, status, "archive_retention", d)
	return nil
}

func cullableKinds() []archive.Kind {
	var out []archive.Kind
	for _, k := range archive.Kinds {
		if k.Cullable() {
			out = append(out, k)
		}
	}
	return out
}

// retentionRuleAdd adds a rule; a refusal (a legal hold in the way) is
// shown on the page with the form as typed.
func (s *Server) retentionRuleAdd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := ruleForm{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Channel: r.PostFormValue("channel"), Class: r.PostFormValue("class"),
		Months: r.PostFormValue("months"), Decision: r.PostFormValue("decision")}
	rule := archive.RetentionRule{Name: form.Name, RecordKind: archive.Kind(form.Kind), Class: archive.Class(form.Class), Decision: form.Decision}
	rule.ChannelID, _ = strconv.ParseInt(form.Channel, 10, 64)
	rule.KeepMonths, _ = strconv.Atoi(strings.TrimSpace(form.Months))
	if _, err := s.Archive.AddRetentionRule(r.Context(), rule); err != nil {
		if k := apperr.KindOf(err); k != apperr.Internal {
			return s.renderRetention(w, r, statusOf(k), retentionData{RuleForm: form, RuleError: apperr.Message(err)})
		}
		return err
	}
	return redirect(w, r, "/arkiv/gallring?ok=1")
}

func (s *Server) retentionRuleEnd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.Archive.EndRetentionRule(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/arkiv/gallring?ok=1")
}

// holdPlace places a legal hold on a channel, thread or record.
func (s *Server) holdPlace(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	scope, target := r.PostFormValue("scope"), strings.TrimSpace(r.PostFormValue("target"))
	id, _ := strconv.ParseInt(target, 10, 64)
	if _, err := s.Archive.PlaceHold(r.Context(), scope, id, r.PostFormValue("reason")); err != nil {
		if k := apperr.KindOf(err); k != apperr.Internal {
			return s.renderRetention(w, r, statusOf(k), retentionData{HoldScope: scope, HoldTarget: target, HoldError: apperr.Message(err)})
		}
		return err
	}
	return redirect(w, r, "/arkiv/gallring?ok=1#bevarande")
}

func (s *Server) holdRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.Archive.ReleaseHold(r.Context(), id, r.PostFormValue("reason")); err != nil {
		return err
	}
	return redirect(w, r, "/arkiv/gallring?ok=1#bevarande")
}
