package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/org"
	"tilltal/internal/report"
)

// reportReaders may read reports: communicators and registrars see every
// channel, owners their own (the filter is scoped below).
var reportReaders = RolesOf(org.Communicator, org.Registrar, org.Owner)

// reportForm is the report's filter as typed, echoed into the form.
type reportForm struct {
	From, To, Department, Channel string
}

// ReportFilter reads a report's period and filters from a query, scoped
// to what the person may see; without dates it is the 30 days up to now.
// The API reads its filter the same way.
func ReportFilter(r *http.Request, now time.Time) (report.Filter, error) {
	f, _, err := reportFilter(r, now)
	return f, err
}

func reportFilter(r *http.Request, now time.Time) (report.Filter, reportForm, error) {
	q := r.URL.Query()
	form := reportForm{From: q.Get("from"), To: q.Get("to"), Department: q.Get("department"), Channel: q.Get("channel")}
	p := PrincipalFrom(r.Context())
	f := report.Filter{Channels: p.VisibleChannels()}
	f.From, f.To = report.DefaultPeriod(now)
	var err error
	if form.From != "" {
		if f.From, err = calendar.ParseDate(form.From); err != nil {
			return f, form, apperr.Invalidf("Från-datumet ska skrivas ÅÅÅÅ-MM-DD")
		}
	}
	if form.To != "" {
		if f.To, err = calendar.ParseDate(form.To); err != nil {
			return f, form, apperr.Invalidf("Till-datumet ska skrivas ÅÅÅÅ-MM-DD")
		}
	}
	form.From, form.To = f.From.String(), f.To.String()
	if form.Department != "" {
		if f.DepartmentID, err = strconv.ParseInt(form.Department, 10, 64); err != nil || !p.CanSeeDepartment(f.DepartmentID) {
			return f, form, apperr.NotFoundf("Verksamheten finns inte")
		}
	}
	if form.Channel != "" {
		if f.ChannelID, err = strconv.ParseInt(form.Channel, 10, 64); err != nil || !p.CanSeeChannel(f.ChannelID) {
			return f, form, apperr.NotFoundf("Kanalen finns inte")
		}
	}
	return f, form, f.Validate()
}

// reportName is the report the path names; the dashboard without one.
func reportName(r *http.Request) string {
	if n := r.PathValue("name"); n != "" {
		return n
	}
	return "oversikt"
}

// buildReport reads the filter and computes the request's report.
func (s *Server) buildReport(r *http.Request) (report.Report, reportForm, error) {
	f, form, err := reportFilter(r, s.Now())
	if err != nil {
		return report.Report{}, form, err
	}
	rep, err := s.Reports.Build(r.Context(), reportName(r), f)
	return rep, form, err
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	rep, form, err := s.buildReport(r)
	if err != nil {
		return err
	}
	v, err := s.reportView(r, rep, form, false)
	if err != nil {
		return err
	}
	return s.render(w, r, "report", v)
}

// reportPrint is the report alone, for paper: no menu, no filter form.
func (s *Server) reportPrint(w http.ResponseWriter, r *http.Request) error {
	rep, form, err := s.buildReport(r)
	if err != nil {
		return err
	}
	v, err := s.reportView(r, rep, form, true)
	if err != nil {
		return err
	}
	t := s.pages["report"]
	var buf bytes.Buffer
	// Without a principal the layout leaves out the menu and sign-out.
	if err := t.Execute(&buf, page{L: Localizer{Lang: lang(r)}, Path: r.URL.Path, D: v}); err != nil {
		return fmt.Errorf("web: report print: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// reportExport writes the report's tables as CSV or XLSX; ?tabell=ID
// picks one table.
func (s *Server) reportExport(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		rep, _, err := s.buildReport(r)
		if err != nil {
			return err
		}
		tables := rep.Tables
		if id := r.URL.Query().Get("tabell"); id != "" {
			t := rep.Table(id)
			if t == nil {
				return apperr.NotFoundf("Tabellen finns inte")
			}
			tables = []report.Table{*t}
		}
		l := Localizer{Lang: lang(r)}
		e := report.Export{Lang: l.Lang, T: l.T, Title: l.T("report.name." + rep.Name), BaseURL: s.Config.BaseURL,
			Period: l.Tf("report.period_text", rep.Filter.From.String(), rep.Filter.To.String())}
		name := "tilltal-" + rep.Name + "-" + rep.Filter.From.String() + "-" + rep.Filter.To.String()
		if len(tables) == 1 && len(rep.Tables) > 1 {
			name += "-" + tables[0].ID
		}
		w.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			return report.WriteCSV(w, tables, e)
		}
		var buf bytes.Buffer
		if err := report.WriteXLSX(&buf, tables, e); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		_, err = w.Write(buf.Bytes())
		return err
	}
}

// reportRebuild asks for report_days to be rebuilt from every item.
func (s *Server) reportRebuild(w http.ResponseWriter, r *http.Request) error {
	if err := s.Reports.RequestRebuild(r.Context()); err != nil {
		return err
	}
	return redirect(w, r, "/rapporter?ok=1")
}

// reportQuery is the query string of a report address for a form.
func reportQuery(form reportForm) string {
	v := url.Values{}
	v.Set("from", form.From)
	v.Set("to", form.To)
	if form.Department != "" {
		v.Set("department", form.Department)
	}
	if form.Channel != "" {
		v.Set("channel", form.Channel)
	}
	return v.Encode()
}

// reportHref is a report page's address for a form.
func reportHref(name string, form reportForm, suffix string) string {
	p := "/rapporter"
	if name != "oversikt" || suffix != "" {
		p += "/" + name
	}
	return p + suffix + "?" + reportQuery(form)
}
