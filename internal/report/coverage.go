package report

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/channel"
)

// rotaLink is the page where a channel's rota is mended.
func rotaLink(id int64) string { return "/admin/kanaler/" + id64(id) + "/jourschema" }

func (b builder) coverage(ctx context.Context) error {
	if b.s.Channels == nil {
		return fmt.Errorf("no channel store")
	}
	f := b.r.Filter
	chans, err := b.s.Channels.List(ctx, channel.System, channel.Filter{Status: channel.Active, DepartmentID: f.DepartmentID})
	if err != nil {
		return err
	}
	period := Table{ID: "coverage_period", Key: "report.table.coverage_period", Columns: []Column{
		{ID: "channel", Key: "report.col.channel"}, {ID: "gaps", Key: "report.col.gaps", Kind: Count},
		{ID: "uncovered_hours", Key: "report.col.uncovered_hours", Kind: Hours},
		{ID: "upcoming_gaps", Key: "report.col.upcoming_gaps", Kind: Count}, {ID: "upcoming_hours", Key: "report.col.upcoming_hours", Kind: Hours}}}
	upcoming := Table{ID: "coverage_upcoming", Key: "report.table.coverage_upcoming", Columns: []Column{
		{ID: "channel", Key: "report.col.channel"}, {ID: "gap", Key: "report.col.gap"}, {ID: "day_kind", Key: "report.col.day_kind"},
		{ID: "hours", Key: "report.col.hours", Kind: Hours}}}
	now := b.s.Now()
	for _, c := range chans {
		if !f.sees(c.ID) || (f.ChannelID != 0 && f.ChannelID != c.ID) {
			continue
		}
		rota, err := b.s.Channels.Rota(ctx, channel.System, c.ID)
		if err != nil {
			return err
		}
		gaps, err := channel.Coverage(c, rota.Calendar(), f.Start(), f.End())
		if err != nil {
			return err
		}
		next, err := channel.UpcomingGaps(c, rota.Calendar(), now)
		if err != nil {
			return err
		}
		link := rotaLink(c.ID)
		period.Rows = append(period.Rows, []Cell{label(c.Name), countLink(len(gaps), link), linked(hours(total(gaps)), link),
			countLink(len(next), link), linked(hours(total(next)), link)})
		for _, g := range next {
			upcoming.Rows = append(upcoming.Rows, []Cell{label(c.Name), {Kind: Text, Text: channel.FormatGap(g), Link: link},
				labelKey(fmt.Sprintf("report.daykind.%d", g.Kind)), hours(g.Duration())})
		}
	}
	b.r.Tables = append(b.r.Tables, period, upcoming)
	b.r.Charts = append(b.r.Charts, Chart{Kind: Bars, Key: "report.chart.coverage", Table: "coverage_period", Series: []int{2, 4}})
	b.r.Notes = append(b.r.Notes, "report.note.coverage")
	if f.Channels == nil && f.ChannelID == 0 && f.DepartmentID == 0 && b.s.Intake != nil {
		t, err := b.unrouted(ctx)
		if err != nil {
			return err
		}
		b.r.Tables = append(b.r.Tables, t)
	}
	return nil
}

func total(gaps []calendar.Gap) time.Duration {
	var d time.Duration
	for _, g := range gaps {
		d += g.Duration()
	}
	return d
}

// unrouted lists the accounts that events came for without a channel;
// only those who see every channel see it, since no channel scopes it.
func (b builder) unrouted(ctx context.Context) (Table, error) {
	t := Table{ID: "unrouted", Key: "report.table.unrouted", Columns: []Column{
		{ID: "platform", Key: "report.col.platform"}, {ID: "account", Key: "report.col.account"},
		{ID: "events", Key: "report.col.events", Kind: Count}, {ID: "last", Key: "report.col.last"}}}
	accounts, err := b.s.Intake.UnroutedAccounts(ctx)
	if err != nil {
		return t, err
	}
	for _, a := range accounts {
		t.Rows = append(t.Rows, []Cell{platformKey(string(a.Platform)), label(a.AccountID),
			countLink(a.Events, "/admin/plattformar"), label(calendar.FormatDateTime(a.Last))})
	}
	return t, nil
}
