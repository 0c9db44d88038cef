package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
)

type incidentRulesData struct {
	Channel       channel.Channel
	Rules         []incident.Rule
	TargetMinutes int
	CanManage     bool
	Error         string
}

// channelRulesPage shows a channel's rules for criminal content.
func (s *Server) channelRulesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showRules(w, r, http.StatusOK, "", nil, 0)
}

func (s *Server) showRules(w http.ResponseWriter, r *http.Request, status int, problem string, rules []incident.Rule, minutes int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := ChannelViewer(PrincipalFrom(r.Context()))
	c, err := s.Channels.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	if rules == nil {
		if rules, err = s.Incidents.Rules(r.Context(), id); err != nil {
			return err
		}
		target, err := s.Incidents.RemovalTarget(r.Context(), id)
		if err != nil {
			return err
		}
		minutes = int(target / time.Minute)
	}
	s.renderStatus(w, r, status, "incident_rules", incidentRulesData{Channel: c, Rules: rules, TargetMinutes: minutes, CanManage: v.CanManage(c), Error: problem})
	return nil
}

// channelRulesSave saves the rules, one row of the form per category.
func (s *Server) channelRulesSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	rules, minutes, err := rulesForm(r)
	if err == nil {
		err = s.Incidents.SetRules(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, rules, time.Duration(minutes)*time.Minute)
	}
	if apperr.KindOf(err) == apperr.Invalid {
		return s.showRules(w, r, http.StatusUnprocessableEntity, apperr.Message(err), rules, minutes)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/kanaler/"+itoa(id)+"/regler?ok=1")
}

func rulesForm(r *http.Request) ([]incident.Rule, int, error) {
	minutes, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("target")))
	if err != nil {
		return nil, 0, apperr.Invalidf("Ange målet för borttagning i minuter")
	}
	var out []incident.Rule
	for _, c := range score.Categories() {
		key := c.String()
		action, err := incident.ParseAction(r.PostFormValue("action_" + key))
		if err != nil {
			return nil, minutes, err
		}
		min, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(r.PostFormValue("score_"+key)), ",", ".", 1), 64)
		if err != nil {
			return nil, minutes, apperr.Invalidf("Gränsen för %s ska vara ett tal mellan 0,05 och 1", c.Swedish())
		}
		out = append(out, incident.Rule{Category: c, Action: action, MinScore: min, OpenCase: r.PostFormValue("case_"+key) == "on"})
	}
	return out, minutes, nil
}
