package web

import (
	"net/http"
	"strconv"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/diary"
	"tilltal/internal/org"
)

// The diary is kept by registrars; communicators and legal read and add.
var diaryKeepers = RolesOf(org.Registrar, org.Communicator, org.Legal)

type diaryData struct {
	Entries     []diary.Entry
	Departments []org.Department
	Year        int
	Q           string
	Error       string
	Public      bool
}

func (s *Server) diaryFilter(r *http.Request) (diary.Filter, int) {
	year, err := strconv.Atoi(r.URL.Query().Get("ar"))
	if err != nil || year < 1900 || year > 3000 {
		year = s.Now().In(calendar.Stockholm).Year()
	}
	return diary.Filter{Year: year, Query: r.URL.Query().Get("q"), Limit: 1000}, year
}

func (s *Server) diaryPage(w http.ResponseWriter, r *http.Request) error {
	return s.showDiary(w, r, http.StatusOK, "")
}

func (s *Server) showDiary(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	f, year := s.diaryFilter(r)
	list, err := s.Diary.List(r.Context(), f)
	if err != nil {
		return err
	}
	deps, err := s.Org.Departments(r.Context(), nil)
	if err != nil {
		return err
	}
	s.renderStatus(w, r, status, "diary", diaryData{Entries: list, Departments: deps, Year: year, Q: f.Query, Error: problem})
	return nil
}

// publicDiaryPage is the diary as anyone may see it: secret entries keep
// their number, date and department, nothing more.
func (s *Server) publicDiaryPage(w http.ResponseWriter, r *http.Request) error {
	f, year := s.diaryFilter(r)
	f.Query = "" // searching descriptions is for staff
	list, err := s.Diary.List(r.Context(), f)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked()
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return s.render(w, r, "diary", diaryData{Entries: list, Year: year, Public: true})
}

func (s *Server) diaryRegister(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	n := diary.New{Direction: diary.Direction(r.PostFormValue("direction")), Sender: r.PostFormValue("sender"), Description: r.PostFormValue("description"),
		Secret: r.PostFormValue("secret") == "on", SecrecyGround: r.PostFormValue("ground")}
	n.DepartmentID, _ = strconv.ParseInt(r.PostFormValue("department"), 10, 64)
	n.ReceivedAt = s.Now()
	if v := strings.TrimSpace(r.PostFormValue("received")); v != "" {
		t, err := dateParam(v)
		if err != nil {
			return s.showDiary(w, r, http.StatusUnprocessableEntity, apperr.Message(err))
		}
		n.ReceivedAt = t
	}
	if _, err := s.Diary.Register(r.Context(), n); err != nil {
		if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
			return s.showDiary(w, r, statusOf(k), apperr.Message(err))
		}
		return err
	}
	return redirect(w, r, "/diarium?ok=1")
}

// diaryExport writes the year's entries as CSV or JSON for the
// municipality's case management system.
func (s *Server) diaryExport(w http.ResponseWriter, r *http.Request) error {
	f, year := s.diaryFilter(r)
	f.Limit = 10000
	list, err := s.Diary.List(r.Context(), f)
	if err != nil {
		return err
	}
	name := "diarium-" + strconv.Itoa(year)
	if r.PathValue("format") == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		return diary.WriteJSON(w, list)
	}
	if r.PathValue("format") != "csv" {
		return apperr.ErrNotFound
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	return diary.WriteCSV(w, list)
}

// itemRegister registers an inbox item in the diary, once.
func (s *Server) itemRegister(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if _, err := s.Diary.ForObject(r.Context(), "item", itoa(it.ID)); err == nil {
		return apperr.Conflictf("Inlägget är redan diariefört")
	}
	desc := strings.TrimSpace(r.PostFormValue("description"))
	if desc == "" {
		desc = "Inlägg i " + it.ChannelName + ": " + truncateText(it.Body, 120)
	}
	n := diary.New{ReceivedAt: it.PostedAt, Direction: diary.Incoming, Sender: it.AuthorName, Description: desc, DepartmentID: it.DepartmentID,
		Secret: r.PostFormValue("secret") == "on", SecrecyGround: r.PostFormValue("ground"), ObjectType: "item", ObjectID: itoa(it.ID), Items: []int64{it.ID}}
	if it.FromUs {
		n.Direction = diary.Outgoing
	}
	if _, err := s.Diary.Register(r.Context(), n); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
