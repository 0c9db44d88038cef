package web

import (
	"errors"
	"net/http"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
	"tilltal/internal/channel"
	"tilltal/internal/org"
)

// ChannelViewer is what the channel registry needs to know about the
// signed-in person; the API uses it too.
func ChannelViewer(p *auth.Principal) channel.Viewer {
	if p == nil {
		return channel.Viewer{}
	}
	return channel.Viewer{UserID: p.User.ID, All: p.SeesAll(), Communicator: p.Has(org.Communicator)}
}

type channelsData struct {
	Channels     []channel.Channel
	Statuses     []channel.Status
	Status       string
	Communicator bool
}

// channelsPage lists the channels the person may see: all for those who
// see all, otherwise those they work on or asked for.
func (s *Server) channelsPage(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	f := channel.Filter{}
	status := r.URL.Query().Get("status")
	if st, err := channel.ParseStatus(status); err == nil {
		f.Status = st
	} else {
		status = ""
	}
	list, err := s.Channels.List(r.Context(), ChannelViewer(p), f)
	if err != nil {
		return err
	}
	return s.render(w, r, "channels", channelsData{Channels: list, Statuses: channel.Statuses, Status: status, Communicator: p.Has(org.Communicator)})
}

// formError turns a domain error into what a form shows: its message and,
// for a refusal under the registry's rules, each rule broken. Internal
// errors are returned to be handled as such.
func formError(err error) (msg string, rules []channel.Problem, internal error) {
	if apperr.KindOf(err) == apperr.Internal {
		return "", nil, err
	}
	var re *channel.RuleError
	if errors.As(err, &re) {
		return re.Lead, re.Problems, nil
	}
	return apperr.Message(err), nil, nil
}
