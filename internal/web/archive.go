package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/archive"
	"tilltal/internal/auth"
	"tilltal/internal/channel"
	"tilltal/internal/org"
)

// Who may do what in the archive: registrars, legal and communicators
// search and read it; the registrar decides registration classes and
// retention rules; the registrar and legal place legal holds. Secret
// records' text and authors are shown only to the registrar and legal.
var (
	archiveReaders = RolesOf(org.Registrar, org.Legal, org.Communicator)
	registrar      = RolesOf(org.Registrar)
	holdKeepers    = RolesOf(org.Registrar, org.Legal)
)

// seesSecrets reports whether p may read secret records in full.
func seesSecrets(p *auth.Principal) bool { return p.HasAny(org.Registrar, org.Legal) }

// recordView is a record as a person may see it.
type recordView struct {
	archive.Record
	ChannelName string
	Text        string
	Author      string
	// Masked is true when the text and author are withheld as secret.
	Masked bool
}

func viewRecord(p *auth.Principal, r archive.Record, channels map[int64]string) recordView {
	v := recordView{Record: r, ChannelName: channels[r.ChannelID], Text: r.Text(), Author: r.AuthorName}
	if r.Secret && !seesSecrets(p) {
		v.Masked, v.Text, v.Author = true, "", ""
		v.Content = nil
	}
	return v
}

// channelNames maps channel ids to names for the archive's lists.
func (s *Server) channelNames(ctx context.Context, p *auth.Principal) (map[int64]string, []channel.Channel, error) {
	list, err := s.Channels.List(ctx, ChannelViewer(p), channel.Filter{})
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	for _, c := range list {
		names[c.ID] = c.Name
	}
	return names, list, nil
}

// archiveForm is the search form as typed.
type archiveForm struct {
	Q, Kind, Channel, Department, Platform, Author, Since, Until, Diary string
}

type archiveData struct {
	Form        archiveForm
	Records     []recordView
	Kinds       []archive.Kind
	Channels    []channel.Channel
	Departments []org.Department
	Next        string
	Searched    bool
	// CanExport shows the way to the e-archive export (the registrar's).
	CanExport bool
}

func (s *Server) archivePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	q := r.URL.Query()
	form := archiveForm{Q: q.Get("q"), Kind: q.Get("kind"), Channel: q.Get("channel"), Department: q.Get("department"), Platform: q.Get("platform"),
		Author: q.Get("author"), Since: q.Get("since"), Until: q.Get("until"), Diary: q.Get("diary")}
	f, err := archiveFilter(form, q.Get("after"))
	if err != nil {
		return err
	}
	f.PublicTextOnly = !seesSecrets(p)
	names, channels, err := s.channelNames(ctx, p)
	if err != nil {
		return err
	}
	deps, err := s.Org.Departments(ctx, nil)
	if err != nil {
		return err
	}
	recs, err := archive.Search(ctx, s.DB, f)
	if err != nil {
		return err
	}
	d := archiveData{Form: form, Kinds: archive.Kinds, Channels: channels, Departments: deps, Searched: len(q) > 0, CanExport: registrar.Allows(p)}
	for _, rec := range recs {
		d.Records = append(d.Records, viewRecord(p, rec, names))
	}
	if len(recs) == f.Limit {
		v := r.URL.Query()
		v.Set("after", archive.CursorOf(recs[len(recs)-1]).String())
		d.Next = "/arkiv?" + v.Encode()
	}
	return s.render(w, r, "archive", d)
}

// archiveFilter reads the search form; dates are whole days in Stockholm.
func archiveFilter(form archiveForm, after string) (archive.Filter, error) {
	f := archive.Filter{Query: form.Q, Platform: form.Platform, Author: form.Author, DiaryNumber: strings.TrimSpace(form.Diary), Limit: 50}
	if form.Kind != "" {
		f.Kind = archive.Kind(form.Kind)
		if !f.Kind.Valid() {
			return f, errBadForm
		}
	}
	f.ChannelID, _ = strconv.ParseInt(form.Channel, 10, 64)
	f.DepartmentID, _ = strconv.ParseInt(form.Department, 10, 64)
	var err error
	if f.Since, f.Until, err = dateRange(form.Since, form.Until); err != nil {
		return f, err
	}
	if f.After, err = archive.ParseCursor(after); err != nil {
		return f, err
	}
	return f, nil
}
