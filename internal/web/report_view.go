package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/org"
	"tilltal/internal/report"
	"tilltal/internal/report/chart"
)

// reportData is what the report template gets.
type reportData struct {
	Name, Title string
	Tabs        []navItem
	Form        reportForm
	Departments []org.Department
	Channels    []channel.Channel
	Quick       []navItem
	Sections    []reportSection
	Notes       []string
	Period      string
	Previous    string
	UpdatedAt   string
	CSV, XLSX   string
	PrintHref   string
	Print       bool
	CanRebuild  bool
}

// reportSection is one table with the charts drawn from it.
type reportSection struct {
	ID, Heading string
	Charts      []template.HTML
	Head        []reportHead
	Rows        [][]reportCell
	CSV, XLSX   string
}

type reportHead struct {
	Text    string
	Numeric bool
}

type reportCell struct {
	Text, Link      string
	Numeric, Header bool
}

func (s *Server) reportView(r *http.Request, rep report.Report, form reportForm, print bool) (reportData, error) {
	l := Localizer{Lang: lang(r)}
	p := PrincipalFrom(r.Context())
	d := reportData{Name: rep.Name, Title: l.T("report.name." + rep.Name), Form: form, Print: print,
		Period:   l.Tf("report.period_text", rep.Filter.From.String(), rep.Filter.To.String()),
		Previous: l.Tf("report.previous_text", rep.Previous.From.String(), rep.Previous.To.String()),
		CSV:      reportHref(rep.Name, form, "/csv"), XLSX: reportHref(rep.Name, form, "/xlsx"), PrintHref: reportHref(rep.Name, form, "/utskrift"),
		CanRebuild: p != nil && p.Has(org.Communicator)}
	if !rep.UpdatedAt.IsZero() {
		d.UpdatedAt = calendar.FormatDateTime(rep.UpdatedAt)
	}
	for _, n := range report.Names {
		d.Tabs = append(d.Tabs, navItem{Href: reportHref(n, form, ""), Key: "report.name." + n, Current: n == rep.Name})
	}
	d.Quick = quickPeriods(rep.Name, form, s.Now())
	for _, n := range rep.Notes {
		d.Notes = append(d.Notes, l.T(n))
	}
	for _, t := range rep.Tables {
		d.Sections = append(d.Sections, tableSection(l, rep, t, form))
	}
	if print {
		return d, nil
	}
	var err error
	if d.Departments, err = s.Org.Departments(r.Context(), p.VisibleDepartments()); err != nil {
		return d, err
	}
	chans, err := s.Channels.List(r.Context(), ChannelViewer(p), channel.Filter{})
	if err != nil {
		return d, err
	}
	for _, c := range chans {
		if p.CanSeeChannel(c.ID) {
			d.Channels = append(d.Channels, c)
		}
	}
	return d, nil
}

func tableSection(l Localizer, rep report.Report, t report.Table, form reportForm) reportSection {
	sec := reportSection{ID: t.ID, Heading: l.T(t.Key),
		CSV:  reportHref(rep.Name, form, "/csv") + "&tabell=" + t.ID,
		XLSX: reportHref(rep.Name, form, "/xlsx") + "&tabell=" + t.ID}
	for _, c := range t.Columns {
		sec.Head = append(sec.Head, reportHead{Text: c.Heading(l.T), Numeric: c.Numeric()})
	}
	for _, row := range t.Rows {
		var cells []reportCell
		for j, c := range row {
			cells = append(cells, reportCell{Text: c.Format(l.Lang, l.T), Link: c.Link, Numeric: c.Kind != report.Text || t.Columns[j].Numeric(), Header: j == 0})
		}
		sec.Rows = append(sec.Rows, cells)
	}
	for i, ch := range rep.Charts {
		if ch.Table == t.ID && len(t.Rows) > 0 {
			sec.Charts = append(sec.Charts, drawChart(l, ch, t, fmt.Sprintf("chart-%s-%d", t.ID, i)))
		}
	}
	return sec
}

// drawChart draws a chart from its table's figures.
func drawChart(l Localizer, ch report.Chart, t report.Table, id string) template.HTML {
	rows := ch.Rows
	if rows == nil {
		for i := range t.Rows {
			rows = append(rows, i)
		}
	}
	d := chart.Data{ID: id, Title: l.T(ch.Key), Desc: l.Tf("report.chart_desc", l.T(t.Key))}
	for _, i := range rows {
		d.Labels = append(d.Labels, t.Rows[i][0].Format(l.Lang, l.T))
	}
	kind := report.Count
	for _, c := range ch.Series {
		se := chart.Series{Name: t.Columns[c].Heading(l.T)}
		for _, i := range rows {
			cell := t.Rows[i][c]
			v := math.NaN()
			if !cell.Null {
				v, kind = cell.Value(), cell.Kind
			}
			se.Values = append(se.Values, v)
		}
		d.Series = append(d.Series, se)
	}
	d.Format = func(v float64) string {
		return report.Cell{Kind: kind, Num: v}.Format(l.Lang, l.T) + l.T(fmt.Sprintf("report.unit.%d", kind))
	}
	switch ch.Kind {
	case report.Columns:
		return chart.Columns(d)
	case report.Heat:
		return chart.Heat(d, heatLegend(l))
	}
	return chart.Bars(d)
}

// heatLegend names the heat map's colours from chart.HeatScale.
func heatLegend(l Localizer) []string {
	var out []string
	prev := 0.0
	for i, b := range chart.HeatScale {
		if i == 0 {
			out = append(out, l.Tf("report.heat.upto", b))
		} else {
			out = append(out, l.Tf("report.heat.between", prev+1, b))
		}
		prev = b
	}
	return append(out, l.Tf("report.heat.over", prev), l.T("report.heat.none"))
}

// quickPeriods are links to common periods of the same report, the
// chosen one marked.
func quickPeriods(name string, form reportForm, now time.Time) []navItem {
	today := calendar.DateOf(now)
	lastFrom, lastTo := report.LastWeek(now)
	first := calendar.NewDate(today.Year, today.Month, 1)
	periods := []struct {
		key      string
		from, to calendar.Date
	}{
		{"report.quick.7", today.AddDays(-6), today},
		{"report.quick.30", today.AddDays(-29), today},
		{"report.quick.last_week", lastFrom, lastTo},
		{"report.quick.last_month", calendar.NewDate(today.Year, today.Month-1, 1), first.AddDays(-1)},
		{"report.quick.year", calendar.NewDate(today.Year, 1, 1), today},
		{"report.quick.12", calendar.NewDate(today.Year-1, today.Month, today.Day).AddDays(1), today},
	}
	var out []navItem
	for _, p := range periods {
		f := form
		f.From, f.To = p.from.String(), p.to.String()
		out = append(out, navItem{Href: reportHref(name, f, ""), Key: p.key, Current: f.From == form.From && f.To == form.To})
	}
	return out
}
