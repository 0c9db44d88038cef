package report

import (
	"context"
	"slices"
	"time"
)

// IncidentFigure is one category's incident cases in a period.
type IncidentFigure struct {
	Category string
	Cases    int
	// Removed counts the cases whose content was removed or hidden on the
	// platform; Median and P90 are the time from the item's arrival to
	// that, by nearest rank.
	Removed     int
	Median, P90 time.Duration
	// Reported counts the cases reported to the police.
	Reported int
}

// IncidentSource gives the incident figures of a period. Tilltal has no
// incident register yet: until the moderation package provides one, the
// Store's source is nil and the report says there is no data.
type IncidentSource interface {
	IncidentFigures(ctx context.Context, f Filter) ([]IncidentFigure, error)
}

// IncidentQuery is the query the incident figures will need, once cases
// are kept in a table incidents (item_id, category, opened_at, removed_at,
// police_reported_at): the cases about the items of the period and scope,
// with the time from arrival to removal for the percentiles, grouped by
// category in Go as the other figures are. Placeholders: the period's
// start and end, then the scope's conditions on i as scopeWhere writes
// them.
const IncidentQuery = `SELECT n.category, i.posted_at, n.removed_at, n.police_reported_at IS NOT NULL
	FROM incidents n JOIN items i ON i.id = n.item_id
	WHERE i.posted_at >= ? AND i.posted_at < ? /* AND scope on i */
	ORDER BY n.category`

func (b builder) moderation(ctx context.Context) error {
	now, before, err := b.figures(ctx)
	if err != nil {
		return err
	}
	f, prev := b.r.Filter, b.r.Previous
	flags := Table{ID: "moderation_flags", Key: "report.table.moderation_flags", Columns: []Column{
		{ID: "flag", Key: "report.col.flag"}, {ID: "items", Key: "report.col.flagged", Kind: Count},
		{ID: "previous", Key: "report.col.previous", Kind: Count}, {ID: "change_percent", Key: "report.col.change_percent", Kind: Change}}}
	var keys []string
	for k := range now.Flags {
		keys = append(keys, k)
	}
	for k := range before.Flags {
		if _, ok := now.Flags[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		flags.Rows = append(flags.Rows, []Cell{label(k), countLink(now.Flags[k], InboxLink(f, "flag", k)),
			countLink(before.Flags[k], InboxLink(prev, "flag", k)), change(now.Flags[k], before.Flags[k])})
	}
	incidents := Table{ID: "moderation_incidents", Key: "report.table.moderation_incidents", Columns: []Column{
		{ID: "category", Key: "report.col.category"}, {ID: "cases", Key: "report.col.cases", Kind: Count},
		{ID: "removed", Key: "report.col.removed", Kind: Count}, {ID: "median_minutes", Key: "report.col.median_removal", Kind: Minutes},
		{ID: "p90_minutes", Key: "report.col.p90_removal", Kind: Minutes}, {ID: "police_reported", Key: "report.col.police", Kind: Count}}}
	if b.s.Incidents == nil {
		b.r.Notes = append(b.r.Notes, "report.note.no_incidents")
	} else {
		figs, err := b.s.Incidents.IncidentFigures(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range figs {
			incidents.Rows = append(incidents.Rows, []Cell{label(c.Category), count(c.Cases), count(c.Removed),
				minutes(c.Median, c.Removed > 0), minutes(c.P90, c.Removed > 0), count(c.Reported)})
		}
	}
	b.r.Tables = append(b.r.Tables, flags, incidents)
	b.r.Charts = append(b.r.Charts, Chart{Kind: Bars, Key: "report.chart.flags", Table: "moderation_flags", Series: []int{1, 2}})
	b.r.Notes = append(b.r.Notes, "report.note.flags")
	return nil
}
