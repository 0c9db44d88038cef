package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/org"
	"tilltal/internal/release"
)

// Who may do what with records requests: the registrar handles them;
// legal reads them, their review and decisions.
var releaseReaders = RolesOf(org.Registrar, org.Legal)

// releases is the records-request store; it needs only the database and
// the clock, so it is built here rather than carried in Deps.
func (s *Server) releases() *release.Store { return release.New(s.DB, s.Now) }

type releaseListData struct {
	Requests    []release.Request
	Departments []org.Department
	Today       string
	Error       string
	CanWrite    bool
}

func (s *Server) releasesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showReleases(w, r, http.StatusOK, "")
}

func (s *Server) showReleases(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	list, err := s.releases().List(r.Context(), "")
	if err != nil {
		return err
	}
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return err
	}
	s.renderStatus(w, r, status, "release_list", releaseListData{Requests: list, Departments: deps, Today: s.Now().Format("2006-01-02"), Error: problem,
		CanWrite: registrar.Allows(PrincipalFrom(r.Context()))})
	return nil
}

func (s *Server) releaseCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	o := release.Open{RequesterName: r.PostFormValue("requester_name"), RequesterContact: r.PostFormValue("requester_contact"),
		Anonymous: r.PostFormValue("anonymous") == "on", Subject: r.PostFormValue("subject"), Register: r.PostFormValue("register") == "on"}
	o.DepartmentID, _ = strconv.ParseInt(r.PostFormValue("department"), 10, 64)
	o.ReceivedAt = s.Now()
	if v := strings.TrimSpace(r.PostFormValue("received")); v != "" {
		t, err := dateParam(v)
		if err != nil {
			return s.showReleases(w, r, http.StatusUnprocessableEntity, apperr.Message(err))
		}
		o.ReceivedAt = t
	}
	req, err := s.releases().Open(r.Context(), o)
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.Conflict) {
		return s.showReleases(w, r, statusOf(k), apperr.Message(err))
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/utlamnande/"+itoa(req.ID)+"?ok=1")
}

// selectedView is a selected record on the request page.
type selectedView struct {
	release.Selected
	Redactions int
}

type releaseData struct {
	Request   release.Request
	Records   []selectedView
	Search    archiveForm
	Results   []recordView
	Searched  bool
	Kinds     []archive.Kind
	Grounds   []release.Ground
	Outcomes  []release.Outcome
	CanWrite  bool
	Decidable bool
	Error     string
}

func (s *Server) releasePage(w http.ResponseWriter, r *http.Request) error {
	return s.showRelease(w, r, http.StatusOK, "")
}

// showRelease renders the request page: the request, its records, a
// search of the archive to select more, and the decision.
func (s *Server) showRelease(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	ctx := r.Context()
	p := PrincipalFrom(ctx)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.releases().Case(ctx, id)
	if err != nil {
		return err
	}
	req, recs, rs := c.Request, c.Records, c.Redactions
	d := releaseData{Request: req, Kinds: []archive.Kind{archive.KindItemVersion, archive.KindReply, archive.KindPost, archive.KindAttachment},
		Grounds: release.Grounds, Outcomes: []release.Outcome{release.Granted, release.PartlyRefused, release.Refused}, Error: problem,
		CanWrite: registrar.Allows(p), Decidable: req.Status == release.Received || req.Status == release.Reviewing}
	for _, x := range recs {
		v := selectedView{Selected: x}
		for _, red := range rs {
			if red.Seq == x.Seq {
				v.Redactions++
			}
		}
		d.Records = append(d.Records, v)
	}
	q := r.URL.Query()
	d.Search = archiveForm{Q: q.Get("q"), Kind: q.Get("kind"), Since: q.Get("since"), Until: q.Get("until"), Author: q.Get("author"), Diary: q.Get("diary")}
	if d.Searched = q.Get("sok") != ""; d.Searched && d.Decidable {
		f, err := archiveFilter(d.Search, "")
		if err != nil {
			return err
		}
		names, _, err := s.channelNames(ctx, p)
		if err != nil {
			return err
		}
		found, err := archive.Search(ctx, s.DB, f)
		if err != nil {
			return err
		}
		for _, rec := range found {
			if rec.Kind == archive.KindItemVersion || rec.Kind == archive.KindReply || rec.Kind == archive.KindPost || rec.Kind == archive.KindAttachment {
				d.Results = append(d.Results, viewRecord(p, rec, names))
			}
		}
	}
	s.renderStatus(w, r, status, "release", d)
	return nil
}

// releaseFail shows a refused change on the page it came from; other
// errors go to the error page.
func (s *Server) releaseFail(w http.ResponseWriter, r *http.Request, err error, show func(http.ResponseWriter, *http.Request, int, string) error) error {
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
		return show(w, r, statusOf(k), apperr.Message(err))
	}
	return err
}

func (s *Server) releaseSelect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	seqs, err := formIDs(r, "seq")
	if err == nil {
		err = s.releases().Select(r.Context(), id, seqs)
	}
	if err != nil {
		return s.releaseFail(w, r, err, s.showRelease)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"?ok=1")
}

func (s *Server) releaseUnselect(w http.ResponseWriter, r *http.Request) error {
	id, seq, err := requestForm(w, r, "seq")
	if err != nil {
		return err
	}
	if err := s.releases().Unselect(r.Context(), id, seq); err != nil {
		return s.releaseFail(w, r, err, s.showRelease)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"?ok=1")
}

// requestForm reads a records request's id and a second id (a record's
// seq, a redaction's id) from the path, and the posted form.
func requestForm(w http.ResponseWriter, r *http.Request, second string) (id, other int64, err error) {
	if id, err = pathID(r, "id"); err != nil {
		return 0, 0, err
	}
	if other, err = pathID(r, second); err != nil {
		return 0, 0, err
	}
	return id, other, parseForm(w, r)
}

func (s *Server) releaseDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	dec := release.Decision{Outcome: release.Outcome(r.PostFormValue("outcome")), Grounds: r.PostFormValue("grounds"), Reasoning: r.PostFormValue("reasoning"),
		SecrecyReviewed: r.PostFormValue("secrecy_reviewed") == "on"}
	if _, err := s.releases().Decide(r.Context(), id, dec); err != nil {
		return s.releaseFail(w, r, err, s.showRelease)
	}
	return redirect(w, r, "/utlamnande/"+itoa(id)+"?ok=1")
}

// releaseDecision serves the written decision as HTML or PDF.
func (s *Server) releaseDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.releases().Decision(r.Context(), id)
	if err != nil {
		return err
	}
	var body []byte
	if strings.HasSuffix(r.URL.Path, ".pdf") {
		body, err = release.DecisionPDF(doc)
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="beslut-`+itoa(id)+`.pdf"`)
	} else {
		body, err = release.DecisionHTML(doc)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The decision is the standalone page the requester gets, with its
		// style inline; it runs no script and loads nothing.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(body)
	return err
}

// releaseBundle produces the release and sends it; the store records it.
func (s *Server) releaseBundle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.releases().Release(r.Context(), id)
	if err != nil {
		return s.releaseFail(w, r, err, s.showRelease)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.Name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b.Data)
	return err
}
