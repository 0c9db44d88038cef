package api

import (
	"net/http"
	"time"

	"tilltal/internal/org"
	"tilltal/internal/report"
	"tilltal/internal/web"
)

// reportReaders may read reports, as on the report pages.
var reportReaders = web.RolesOf(org.Communicator, org.Registrar, org.Owner)

type reportRef struct {
	Name string `json:"name"`
	Href string `json:"href"`
}

// reports lists the reports.
func (a *API) reports(w http.ResponseWriter, r *http.Request) error {
	out := []reportRef{}
	for _, n := range report.Names {
		out = append(out, reportRef{Name: n, Href: "/api/v1/reports/" + n})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}

type periodJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type columnJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
}

// cellJSON is a figure: its value (null when there is none), its text as
// the page shows it, and the page of items behind it.
type cellJSON struct {
	Value any    `json:"value"`
	Text  string `json:"text"`
	Link  string `json:"link,omitempty"`
}

type tableJSON struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	Columns []columnJSON `json:"columns"`
	Rows    [][]cellJSON `json:"rows"`
}

type reportJSON struct {
	Name         string      `json:"name"`
	Period       periodJSON  `json:"period"`
	Previous     periodJSON  `json:"previous"`
	DepartmentID int64       `json:"department_id,omitempty"`
	ChannelID    int64       `json:"channel_id,omitempty"`
	UpdatedAt    *time.Time  `json:"updated_at"`
	Notes        []string    `json:"notes"`
	Tables       []tableJSON `json:"tables"`
}

var kindNames = map[report.Kind]string{report.Text: "text", report.Count: "count", report.Percent: "percent",
	report.Minutes: "minutes", report.Hours: "hours", report.Points: "points", report.Change: "change_percent"}

// report computes one report for the period and filters of the query
// (from, to, department, channel), in Swedish.
func (a *API) report(w http.ResponseWriter, r *http.Request) error {
	f, err := web.ReportFilter(r, a.Reports.Now())
	if err != nil {
		return err
	}
	rep, err := a.Reports.Build(r.Context(), r.PathValue("name"), f)
	if err != nil {
		return err
	}
	tr := web.Localizer{Lang: "sv"}.T
	out := reportJSON{Name: rep.Name, Period: periodJSON{rep.Filter.From.String(), rep.Filter.To.String()},
		Previous: periodJSON{rep.Previous.From.String(), rep.Previous.To.String()}, DepartmentID: f.DepartmentID, ChannelID: f.ChannelID,
		Notes: []string{}, Tables: []tableJSON{}}
	if !rep.UpdatedAt.IsZero() {
		out.UpdatedAt = &rep.UpdatedAt
	}
	for _, n := range rep.Notes {
		out.Notes = append(out.Notes, tr(n))
	}
	for _, t := range rep.Tables {
		tj := tableJSON{ID: t.ID, Title: tr(t.Key), Rows: [][]cellJSON{}}
		for _, c := range t.Columns {
			tj.Columns = append(tj.Columns, columnJSON{ID: c.ID, Title: c.Heading(tr), Kind: kindNames[c.Kind]})
		}
		for _, row := range t.Rows {
			var cells []cellJSON
			for _, c := range row {
				cj := cellJSON{Text: c.Format("sv", tr), Link: c.Link}
				switch {
				case c.Kind == report.Text:
					cj.Value = cj.Text
				case !c.Null:
					cj.Value = c.Value()
				}
				cells = append(cells, cj)
			}
			tj.Rows = append(tj.Rows, cells)
		}
		out.Tables = append(out.Tables, tj)
	}
	return writeJSON(w, http.StatusOK, out)
}
