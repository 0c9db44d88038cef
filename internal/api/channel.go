package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/web"
)

func viewer(r *http.Request) channel.Viewer { return web.ChannelViewer(web.PrincipalFrom(r.Context())) }

type memberJSON struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Active bool   `json:"active"`
}

type checklistJSON struct {
	Sender         bool `json:"sender"`
	GraphicProfile bool `json:"graphic_profile"`
	NamePicture    bool `json:"name_picture"`
}

type policyJSON struct {
	Weekday string `json:"weekday"`
	Weekend string `json:"weekend"`
	Holiday string `json:"holiday"`
}

type channelJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	Platform          string        `json:"platform"`
	ExternalID        *string       `json:"external_id"`
	Handle            string        `json:"handle"`
	URL               string        `json:"url"`
	Purpose           string        `json:"purpose"`
	Audience          string        `json:"audience"`
	Upkeep            string        `json:"upkeep"`
	SenderRules       string        `json:"sender_rules"`
	GraphicProfileURL string        `json:"graphic_profile_url"`
	CommentNotice     string        `json:"comment_notice"`
	RetentionDecision string        `json:"retention_decision"`
	Department        deptRef       `json:"department"`
	Status            string        `json:"status"`
	StatusReason      string        `json:"status_reason"`
	Policy            policyJSON    `json:"policy"`
	Checklist         checklistJSON `json:"checklist"`
	Members           []memberJSON  `json:"members"`
	RequestedBy       *int64        `json:"requested_by"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	ActivatedAt       *time.Time    `json:"activated_at"`
	ClosedAt          *time.Time    `json:"closed_at"`
}

type deptRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

func window(w calendar.Window) string {
	if !w.Required() {
		return ""
	}
	return w.Start.String() + "-" + w.End.String()
}

func toChannel(c channel.Channel) channelJSON {
	j := channelJSON{ID: c.ID, Name: c.Name, Platform: string(c.Platform), Handle: c.Handle, URL: c.URL, Purpose: c.Purpose,
		Audience: c.Audience, Upkeep: c.Upkeep, SenderRules: c.SenderRules, GraphicProfileURL: c.GraphicProfileURL,
		CommentNotice: c.CommentNotice, RetentionDecision: c.RetentionDecision,
		Department: deptRef{c.DepartmentID, c.DepartmentName, c.DepartmentCode}, Status: string(c.Status), StatusReason: c.StatusReason,
		Policy:    policyJSON{window(c.Policy.Weekday), window(c.Policy.Weekend), window(c.Policy.Holiday)},
		Checklist: checklistJSON{c.Checklist.Sender, c.Checklist.GraphicProfile, c.Checklist.NamePicture},
		Members:   []memberJSON{}, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ActivatedAt: c.ActivatedAt, ClosedAt: c.ClosedAt}
	if id := c.ShownExternalID(); id != "" {
		j.ExternalID = &id
	}
	if c.RequestedBy != 0 {
		j.RequestedBy = &c.RequestedBy
	}
	for _, m := range c.Members {
		j.Members = append(j.Members, memberJSON{m.UserID, m.Name, m.Email, string(m.Role), m.Active})
	}
	return j
}

func (a *API) channels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f channel.Filter
	if v := q.Get("status"); v != "" {
		st, err := channel.ParseStatus(v)
		if err != nil {
			return err
		}
		f.Status = st
	}
	if v := q.Get("platform"); v != "" {
		p, err := channel.ParsePlatform(v)
		if err != nil {
			return err
		}
		f.Platform = p
	}
	if v := q.Get("department"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.Invalidf("department måste vara ett id")
		}
		f.DepartmentID = id
	}
	list, err := a.Channels.List(r.Context(), viewer(r), f)
	if err != nil {
		return err
	}
	out := []channelJSON{}
	for _, c := range list {
		out = append(out, toChannel(c))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"channels": out})
}

func (a *API) channel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := a.Channels.Get(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toChannel(c))
}

// detailsJSON is the writable part of a channel; absent fields keep their
// value on PATCH.
type detailsJSON struct {
	DepartmentID      *int64  `json:"department_id"`
	Platform          *string `json:"platform"`
	ExternalID        *string `json:"external_id"`
	Handle            *string `json:"handle"`
	URL               *string `json:"url"`
	Name              *string `json:"name"`
	Purpose           *string `json:"purpose"`
	Audience          *string `json:"audience"`
	Upkeep            *string `json:"upkeep"`
	SenderRules       *string `json:"sender_rules"`
	GraphicProfileURL *string `json:"graphic_profile_url"`
	CommentNotice     *string `json:"comment_notice"`
	RetentionDecision *string `json:"retention_decision"`
}

func (in detailsJSON) apply(d *channel.Details) {
	if in.DepartmentID != nil {
		d.DepartmentID = *in.DepartmentID
	}
	if in.Platform != nil {
		d.Platform = channel.Platform(*in.Platform)
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{
		{in.ExternalID, &d.ExternalID}, {in.Handle, &d.Handle}, {in.URL, &d.URL}, {in.Name, &d.Name}, {in.Purpose, &d.Purpose},
		{in.Audience, &d.Audience}, {in.Upkeep, &d.Upkeep}, {in.SenderRules, &d.SenderRules}, {in.GraphicProfileURL, &d.GraphicProfileURL},
		{in.CommentNotice, &d.CommentNotice}, {in.RetentionDecision, &d.RetentionDecision},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
}

type peopleJSON struct {
	Owner   string   `json:"owner"`
	Deputy  string   `json:"deputy"`
	Editors []string `json:"editors"`
}

func (a *API) requestChannel(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		detailsJSON
		peopleJSON
		Rota *rotaJSON `json:"rota"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	var n channel.NewChannel
	in.detailsJSON.apply(&n.Details)
	n.People = channel.People(in.peopleJSON)
	if in.Rota != nil {
		rota, err := in.Rota.rota()
		if err != nil {
			return err
		}
		n.Rota = rota
	}
	c, err := a.Channels.Request(r.Context(), viewer(r), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toChannel(c))
}

func (a *API) updateChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in detailsJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.Channels.Get(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	d := channel.DetailsOf(c)
	d.ExternalID = c.ShownExternalID()
	in.apply(&d)
	if err := a.Channels.Update(r.Context(), viewer(r), id, d); err != nil {
		return err
	}
	return a.channel(w, r)
}

func (a *API) setChannelMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in peopleJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.Channels.SetMembers(r.Context(), viewer(r), id, channel.People(in)); err != nil {
		return ruleError(w, err)
	}
	return a.channel(w, r)
}

func (a *API) channelStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status    string         `json:"status"`
		Reason    string         `json:"reason"`
		Checklist *checklistJSON `json:"checklist"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	ch := channel.Change{Reason: in.Reason}
	if in.Status != "" {
		st, err := channel.ParseStatus(in.Status)
		if err != nil {
			return err
		}
		ch.To = st
	}
	if in.Checklist != nil {
		ch.Checklist = &channel.Checklist{Sender: in.Checklist.Sender, GraphicProfile: in.Checklist.GraphicProfile, NamePicture: in.Checklist.NamePicture}
	}
	if err := a.Channels.Transition(r.Context(), viewer(r), id, ch); err != nil {
		return ruleError(w, err)
	}
	return a.channel(w, r)
}

// ruleError writes a refusal under the registry's rules with each rule
// broken, so that a script can tell them apart; other errors go the usual
// way.
func ruleError(w http.ResponseWriter, err error) error {
	var re *channel.RuleError
	if !errors.As(err, &re) {
		return err
	}
	status := web.StatusOf(err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return writeBody(w, map[string]any{"error": map[string]any{"code": http.StatusText(status), "message": apperr.Message(err), "problems": re.Problems}})
}

func (a *API) setChannelPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in policyJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	var p calendar.Policy
	for _, f := range []struct {
		s   string
		out *calendar.Window
	}{{in.Weekday, &p.Weekday}, {in.Weekend, &p.Weekend}, {in.Holiday, &p.Holiday}} {
		if f.s == "" {
			continue
		}
		start, end, ok := strings.Cut(f.s, "-")
		if !ok {
			return apperr.Invalidf("Bevakningstiden anges som \"08:00-22:00\" eller \"\" (krävs inte)")
		}
		if *f.out, err = calendar.ParseWindow(start, end); err != nil {
			return err
		}
	}
	if err := a.Channels.SetPolicy(r.Context(), viewer(r), id, p); err != nil {
		return err
	}
	return a.channel(w, r)
}

func (a *API) channelCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	weeks := 4
	if v := r.URL.Query().Get("weeks"); v != "" {
		if weeks, err = strconv.Atoi(v); err != nil || weeks < 1 || weeks > 26 {
			return apperr.Invalidf("weeks måste vara ett heltal från 1 till 26")
		}
	}
	now := a.Channels.Now().UTC()
	to := now.In(calendar.Stockholm).AddDate(0, 0, 7*weeks)
	gaps, err := a.Channels.Coverage(r.Context(), viewer(r), id, now, to)
	if err != nil {
		return err
	}
	problems, err := a.Channels.Problems(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	type gapJSON struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
		Kind  string    `json:"kind"`
		Text  string    `json:"text"`
	}
	out := []gapJSON{}
	for _, g := range gaps {
		out = append(out, gapJSON{g.Start.UTC(), g.End.UTC(), g.Kind.String(), channel.FormatGap(g)})
	}
	if problems == nil {
		problems = []channel.Problem{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": now, "to": to.UTC(), "gaps": out, "problems": problems})
}

func (a *API) channelHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	events, err := a.Channels.History(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	type eventJSON struct {
		ID         int64     `json:"id"`
		At         time.Time `json:"at"`
		Actor      string    `json:"actor"`
		Kind       string    `json:"kind"`
		FromStatus string    `json:"from_status,omitempty"`
		ToStatus   string    `json:"to_status,omitempty"`
		Summary    string    `json:"summary"`
		Public     bool      `json:"public"`
	}
	out := []eventJSON{}
	for _, e := range events {
		out = append(out, eventJSON{e.ID, e.At, e.Actor, e.Kind, string(e.FromStatus), string(e.ToStatus), e.Summary, e.Public})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": out})
}
