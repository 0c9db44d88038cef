package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/org"
	"tilltal/internal/snapshot"
)

type gapView struct {
	Text string
	Kind string
}

type channelData struct {
	C        channel.Channel
	Problems []channel.Problem
	Gaps     []gapView
	History  []channel.Event
	Next     []channel.Status
	// CanManage: may change details, people and rota.
	CanManage    bool
	Communicator bool
	Error        string
	Rules        []channel.Problem
	Reason       string
	ReplyRules   channel.ReplyRules
	Snapshots    []snapshot.Snapshot
	// CanSnapshot: may take a snapshot now.
	CanSnapshot bool
}

// channelPage shows one channel to those who may see it; to anyone else
// it does not exist.
func (s *Server) channelPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.showChannel(w, r, id, http.StatusOK, channelData{})
}

func (s *Server) showChannel(w http.ResponseWriter, r *http.Request, id int64, status int, d channelData) error {
	p := PrincipalFrom(r.Context())
	v := ChannelViewer(p)
	c, err := s.Channels.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	d.C, d.CanManage, d.Communicator, d.Next = c, v.CanManage(c), p.Has(org.Communicator), channel.Next(c.Status)
	if d.Problems, err = s.Channels.Problems(r.Context(), v, id); err != nil {
		return err
	}
	now := s.Now()
	gaps, err := s.Channels.Coverage(r.Context(), v, id, now, channel.Horizon(now))
	if err != nil {
		return err
	}
	for _, g := range gaps {
		d.Gaps = append(d.Gaps, gapView{Text: channel.FormatGap(g), Kind: g.Kind.String()})
	}
	if d.History, err = s.Channels.History(r.Context(), v, id); err != nil {
		return err
	}
	if d.ReplyRules, err = s.Channels.ReplyRulesOf(r.Context(), id); err != nil {
		return err
	}
	if err := s.channelSnapshots(r, id, &d); err != nil {
		return err
	}
	s.renderStatus(w, r, status, "channel", d)
	return nil
}

// channelReview saves the communicator's checklist and, when asked,
// approves the channel or sends the request back.
func (s *Server) channelReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := ChannelViewer(PrincipalFrom(r.Context()))
	cl := channel.Checklist{Sender: r.PostFormValue("check_sender") != "", GraphicProfile: r.PostFormValue("check_graphic_profile") != "",
		NamePicture: r.PostFormValue("check_name_picture") != ""}
	reason := r.PostFormValue("reason")
	err = s.Channels.SetChecklist(r.Context(), v, id, cl)
	if err == nil {
		switch r.PostFormValue("action") {
		case "approve":
			err = s.Channels.Transition(r.Context(), v, id, channel.Change{To: channel.Active})
		case "sendback":
			err = s.Channels.Transition(r.Context(), v, id, channel.Change{To: channel.Requested, Reason: reason})
		case "review":
			err = s.Channels.Transition(r.Context(), v, id, channel.Change{To: channel.UnderReview})
		}
	}
	return s.afterChannelPost(w, r, id, err, reason)
}

// channelStatus moves a channel to another status (pause, resume, close).
func (s *Server) channelStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	to, err := channel.ParseStatus(r.PostFormValue("to"))
	reason := r.PostFormValue("reason")
	if err == nil {
		err = s.Channels.Transition(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, channel.Change{To: to, Reason: reason})
	}
	return s.afterChannelPost(w, r, id, err, reason)
}

// afterChannelPost redirects after a successful form on the channel page,
// or shows the page again with the error and the rules broken.
func (s *Server) afterChannelPost(w http.ResponseWriter, r *http.Request, id int64, err error, reason string) error {
	if err == nil {
		return redirect(w, r, "/admin/kanaler/"+itoa(id)+"?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.NotFound || k == apperr.Forbidden {
		return err
	}
	msg, rules, internal := formError(err)
	if internal != nil {
		return internal
	}
	return s.showChannel(w, r, id, statusOf(apperr.KindOf(err)), channelData{Error: msg, Rules: rules, Reason: reason})
}

// channelReplyRules saves the rules the reply check holds the channel's
// replies to: sign-offs, the readability limit and texts never flagged.
func (s *Server) channelReplyRules(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	rules := channel.ReplyRules{SignOffs: strings.Split(r.PostFormValue("sign_offs"), "\n"), Allow: strings.Split(r.PostFormValue("allow"), "\n")}
	if v := strings.TrimSpace(r.PostFormValue("lix_limit")); v != "" {
		if rules.LIXLimit, err = strconv.Atoi(v); err != nil {
			return apperr.Invalidf("Ange gränsen för läsbarhet (LIX) som ett heltal")
		}
	}
	if err := s.Channels.SetReplyRules(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, rules); err != nil {
		return err
	}
	return redirect(w, r, "/admin/kanaler/"+itoa(id)+"#svarsregler")
}
