package report

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/calendar"
)

func (b builder) response(ctx context.Context) error {
	now, before, err := b.figures(ctx)
	if err != nil {
		return err
	}
	f, prev := b.r.Filter, b.r.Previous
	channels := b.responseTable("response_channels", "report.table.response_channels", "report.col.channel")
	for _, id := range b.n.channelsIn(now.Channels, before.Channels) {
		channels.Rows = append(channels.Rows, responseRow(label(b.n.channels[id].name), statOf(now.Channels, id), statOf(before.Channels, id),
			f, prev, "channel", id64(id)))
	}
	channels.Rows = append(channels.Rows, responseRow(labelKey("report.all"), now.Total, before.Total, f, prev))
	depts := b.responseTable("response_departments", "report.table.response_departments", "report.col.department")
	for _, id := range b.n.departmentsIn(now.Departments, before.Departments) {
		depts.Rows = append(depts.Rows, responseRow(label(b.n.departments[id]), statOf(now.Departments, id), statOf(before.Departments, id),
			f, prev, "department", id64(id)))
	}
	periods := b.responseTable("response_periods", "report.table.response_periods", "report.col.time_of_arrival")
	for _, p := range calendar.Periods {
		periods.Rows = append(periods.Rows, responseRow(labelKey("report.period."+PeriodName(p)), now.Periods[p], before.Periods[p],
			f, prev, "period", PeriodName(p)))
	}
	b.r.Tables = append(b.r.Tables, channels, depts, periods, waitedTable(now), heatTable(now, f))
	b.r.Charts = append(b.r.Charts,
		Chart{Kind: Bars, Key: "report.chart.response_channels", Table: "response_channels", Series: []int{3, 4}},
		Chart{Kind: Bars, Key: "report.chart.response_periods", Table: "response_periods", Series: []int{3, 4}},
		Chart{Kind: Heat, Key: "report.chart.response_heat", Table: "response_heat", Series: seriesRange(1, 25)})
	b.r.Notes = append(b.r.Notes, "report.note.percentiles", "report.note.arrival")
	return nil
}

func (b builder) responseTable(id, key, first string) Table {
	return Table{ID: id, Key: key, Columns: []Column{
		{ID: "name", Key: first},
		{ID: "incoming", Key: "report.col.incoming", Kind: Count},
		{ID: "answered", Key: "report.col.answered", Kind: Count},
		{ID: "median_minutes", Key: "report.col.median", Kind: Minutes},
		{ID: "p90_minutes", Key: "report.col.p90", Kind: Minutes},
		{ID: "previous_median_minutes", Key: "report.col.previous_median", Kind: Minutes},
		{ID: "previous_p90_minutes", Key: "report.col.previous_p90", Kind: Minutes},
	}}
}

// responseRow is a group's response figures; pairs narrow the drill-down.
func responseRow(name Cell, s, p Stat, f, prev Filter, pairs ...string) []Cell {
	answered := append(pairs[:len(pairs):len(pairs)], "answered", "yes")
	return []Cell{name,
		countLink(s.Incoming, InboxLink(f, pairs...)),
		countLink(s.Answered, InboxLink(f, answered...)),
		linked(minutes(s.Median, s.HasWait()), InboxLink(f, answered...)),
		linked(minutes(s.P90, s.HasWait()), InboxLink(f, answered...)),
		linked(minutes(p.Median, p.HasWait()), InboxLink(prev, answered...)),
		linked(minutes(p.P90, p.HasWait()), InboxLink(prev, answered...)),
	}
}

// linked gives a figure a drill-down link unless it has no value.
func linked(c Cell, link string) Cell {
	if !c.Null {
		c.Link = link
	}
	return c
}

// waitedTable splits the answered items' waiting by the kind of time it
// passed in: how much of the waiting fell in evenings and weekends.
func waitedTable(g Figures) Table {
	t := Table{ID: "response_waited", Key: "report.table.response_waited", Columns: []Column{
		{ID: "time", Key: "report.col.time_of_waiting"}, {ID: "hours", Key: "report.col.hours_waited", Kind: Hours},
		{ID: "share_percent", Key: "report.col.share", Kind: Percent}}}
	var total time.Duration
	for _, d := range g.Waited {
		total += d
	}
	for _, p := range calendar.Periods {
		share := Null
		if total > 0 {
			share = Cell{Kind: Percent, Num: 100 * float64(g.Waited[p]) / float64(total)}
		}
		t.Rows = append(t.Rows, []Cell{labelKey("report.period." + PeriodName(p)), hours(g.Waited[p]), share})
	}
	return t
}

// heatTable is the median wait by the hour of the week an item arrived:
// a row per weekday, a column per hour.
func heatTable(g Figures, f Filter) Table {
	t := Table{ID: "response_heat", Key: "report.table.response_heat", Columns: []Column{{ID: "weekday", Key: "report.col.weekday"}}}
	for h := 0; h < 24; h++ {
		t.Columns = append(t.Columns, Column{ID: fmt.Sprintf("h%02d", h), Text: fmt.Sprintf("%02d", h), Kind: Minutes})
	}
	for day := 0; day < 7; day++ {
		row := []Cell{labelKey(fmt.Sprintf("report.weekday.%d", day))}
		for h := 0; h < 24; h++ {
			how := day*24 + h
			s := g.Hours[how]
			row = append(row, linked(minutes(s.Median, s.HasWait()), InboxLink(f, "how", fmt.Sprint(how), "answered", "yes")))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
