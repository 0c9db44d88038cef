package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/org"
)

// peopleForm is the people fields as typed.
type peopleForm struct {
	Owner, Deputy, Editors string
}

func peopleFormOf(p channel.People) peopleForm {
	return peopleForm{Owner: p.Owner, Deputy: p.Deputy, Editors: strings.Join(p.Editors, "\n")}
}

func (f peopleForm) people() channel.People {
	editors := strings.FieldsFunc(f.Editors, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	return channel.People{Owner: f.Owner, Deputy: f.Deputy, Editors: editors}
}

type channelFormData struct {
	// C is the channel being changed; zero for a new request.
	C            channel.Channel
	Details      channel.Details
	People       peopleForm
	Shifts       []shiftRow
	ShiftRows    []numbered[shiftRow]
	Days         []struct{ Value, Key string }
	Departments  []org.Department
	Platforms    []channel.Platform
	Communicator bool
	Error        string
}

func (s *Server) channelForm(w http.ResponseWriter, r *http.Request, status int, name string, d channelFormData) error {
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return err
	}
	d.Departments, d.Platforms, d.Days, d.ShiftRows = deps, channel.Platforms, dayOptions, number(d.Shifts)
	d.Communicator = PrincipalFrom(r.Context()).Has(org.Communicator)
	s.renderStatus(w, r, status, name, d)
	return nil
}

// channelNewPage is the request form: any signed-in person may ask for a
// new account; the communicators review it.
func (s *Server) channelNewPage(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	d := channelFormData{Details: channel.Details{Platform: channel.Facebook}, Shifts: make([]shiftRow, 8)}
	if len(p.User.Departments) > 0 {
		d.Details.DepartmentID = p.User.Departments[0]
	}
	return s.channelForm(w, r, http.StatusOK, "channel_form", d)
}

func formDetails(r *http.Request) channel.Details {
	dep, _ := strconv.ParseInt(r.PostFormValue("department"), 10, 64)
	return channel.Details{DepartmentID: dep, Platform: channel.Platform(r.PostFormValue("platform")), ExternalID: r.PostFormValue("external_id"),
		Handle: r.PostFormValue("handle"), URL: r.PostFormValue("url"), Name: r.PostFormValue("name"), Purpose: r.PostFormValue("purpose"),
		Audience: r.PostFormValue("audience"), Upkeep: r.PostFormValue("upkeep"), SenderRules: r.PostFormValue("sender_rules"),
		GraphicProfileURL: r.PostFormValue("graphic_profile_url"), CommentNotice: r.PostFormValue("comment_notice"),
		RetentionDecision: r.PostFormValue("retention_decision")}
}

func formPeople(r *http.Request) peopleForm {
	return peopleForm{Owner: r.PostFormValue("owner"), Deputy: r.PostFormValue("deputy"), Editors: r.PostFormValue("editors")}
}

// channelRequest records a request and shows it.
func (s *Server) channelRequest(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	d := channelFormData{Details: formDetails(r), People: formPeople(r), Shifts: formShiftRows(r)}
	rota, err := rotaFrom(d.Shifts, nil, nil)
	if err == nil {
		n := channel.NewChannel{Details: d.Details, People: d.People.people(), Rota: rota}
		var c channel.Channel
		c, err = s.Channels.Request(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), n)
		if err == nil {
			return redirect(w, r, "/admin/kanaler/"+itoa(c.ID)+"?ok=1")
		}
	}
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	d.Error = apperr.Message(err)
	d.Shifts = append(d.Shifts, make([]shiftRow, blankRows)...)
	return s.channelForm(w, r, statusOf(apperr.KindOf(err)), "channel_form", d)
}

// channelEditPage is the form for a channel's details and people.
func (s *Server) channelEditPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Channels.Get(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id)
	if err != nil {
		return err
	}
	if !ChannelViewer(PrincipalFrom(r.Context())).CanManage(c) {
		return apperr.Forbiddenf("Bara kommunikatören och kanalens kontoansvarig kan ändra kanalen")
	}
	d := channelFormData{C: c, Details: channel.DetailsOf(c), People: peopleFormOf(channel.PeopleOf(c))}
	d.Details.ExternalID = c.ShownExternalID()
	return s.channelForm(w, r, http.StatusOK, "channel_form", d)
}

// channelUpdate saves a channel's details.
func (s *Server) channelUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.channelEditPost(w, r, func(id int64, d *channelFormData) error {
		d.Details = formDetails(r)
		return s.Channels.Update(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, d.Details)
	})
}

// channelMembers saves a channel's people.
func (s *Server) channelMembers(w http.ResponseWriter, r *http.Request) error {
	return s.channelEditPost(w, r, func(id int64, d *channelFormData) error {
		d.People = formPeople(r)
		return s.Channels.SetMembers(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, d.People.people())
	})
}

// channelEditPost runs one of the edit page's forms: on success back to the
// channel, on a refusal the edit page again with what was typed.
func (s *Server) channelEditPost(w http.ResponseWriter, r *http.Request, save func(id int64, d *channelFormData) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	c, err := s.Channels.Get(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id)
	if err != nil {
		return err
	}
	d := channelFormData{C: c, Details: channel.DetailsOf(c), People: peopleFormOf(channel.PeopleOf(c))}
	d.Details.ExternalID = c.ShownExternalID()
	err = save(id, &d)
	if err == nil {
		return redirect(w, r, "/admin/kanaler/"+itoa(id)+"?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.NotFound || k == apperr.Forbidden || k == apperr.Internal {
		return err
	}
	msg, rules, _ := formError(err)
	for _, p := range rules {
		msg += " " + p.Message
	}
	d.Error = msg
	return s.channelForm(w, r, statusOf(apperr.KindOf(err)), "channel_form", d)
}
