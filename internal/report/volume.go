package report

import (
	"context"
	"fmt"
	"slices"

	"tilltal/internal/calendar"
)

// platformOrder is the order platforms are shown in.
var platformOrder = []string{"facebook", "instagram", "linkedin", "youtube", "other"}

func platformKey(p string) Cell { return labelKey("report.platform." + p) }

// platformsIn returns the platforms with figures, in platformOrder, and
// any unknown ones after.
func platformsIn(maps ...map[string]*Stat) []string {
	seen := map[string]bool{}
	for _, m := range maps {
		for p := range m {
			seen[p] = true
		}
	}
	var out []string
	for _, p := range platformOrder {
		if seen[p] {
			out = append(out, p)
			delete(seen, p)
		}
	}
	var rest []string
	for p := range seen {
		rest = append(rest, p)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// bucket is a stretch of the period that one column of a time chart
// shows: a day, a week or a month, cut to the period.
type bucket struct {
	label    string
	from, to calendar.Date
}

// buckets cuts the period into days (up to a month), ISO weeks (up to
// half a year) or months, so that a chart has between 7 and 36 columns.
func buckets(f Filter) []bucket {
	days := f.Days()
	var out []bucket
	for d := f.From; !d.After(f.To); {
		var end calendar.Date
		var name string
		switch {
		case days <= 31:
			end, name = d, d.String()
		case days <= 190:
			end = d.AddDays((7 - (int(d.Weekday())+6)%7) - 1) // to Sunday
			y, w := d.Start().ISOWeek()
			name = fmt.Sprintf("%d-W%02d", y, w)
		default:
			end = monthEnd(d)
			name = fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
		}
		if end.After(f.To) {
			end = f.To
		}
		out = append(out, bucket{name, d, end})
		d = end.AddDays(1)
	}
	return out
}

func (b builder) volume(ctx context.Context) error {
	now, before, err := b.figures(ctx)
	if err != nil {
		return err
	}
	b.r.Tables = append(b.r.Tables, b.volumeTime(now), b.volumeChannelTime(now), b.volumeChannels(now, before), b.volumePlatforms(now, before))
	b.r.Charts = append(b.r.Charts,
		Chart{Kind: Columns, Key: "report.chart.volume_time", Table: "volume_time", Series: seriesRange(1, len(b.r.Tables[0].Columns)-1)},
		Chart{Kind: Bars, Key: "report.chart.volume_channels", Table: "volume_channels", Series: []int{2, 3}})
	return nil
}

// seriesRange is the column indexes from..to-1.
func seriesRange(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// volumeTime counts the public's items per day, week or month and
// platform.
func (b builder) volumeTime(g Figures) Table {
	f := b.r.Filter
	plats := platformsIn(g.Platforms)
	t := Table{ID: "volume_time", Key: "report.table.volume_time", Columns: []Column{{ID: "period", Key: "report.col.period"}}}
	for _, p := range plats {
		t.Columns = append(t.Columns, Column{ID: p, Key: "report.platform." + p, Kind: Count})
	}
	t.Columns = append(t.Columns, Column{ID: "total", Key: "report.col.total", Kind: Count})
	for _, bk := range buckets(f) {
		sub := f
		sub.From, sub.To = bk.from, bk.to
		row := []Cell{label(bk.label)}
		total := 0
		for _, p := range plats {
			n := 0
			for d := bk.from; !d.After(bk.to); d = d.AddDays(1) {
				n += g.Days[d][p]
			}
			total += n
			row = append(row, countLink(n, InboxLink(sub, "platform", p)))
		}
		t.Rows = append(t.Rows, append(row, countLink(total, InboxLink(sub))))
	}
	return t
}

// volumeChannelTime counts the public's items per channel and day, week
// or month: a row per channel, a column per stretch of time.
func (b builder) volumeChannelTime(g Figures) Table {
	f := b.r.Filter
	bks := buckets(f)
	t := Table{ID: "volume_channel_time", Key: "report.table.volume_channel_time", Columns: []Column{{ID: "channel", Key: "report.col.channel"}}}
	for _, bk := range bks {
		t.Columns = append(t.Columns, Column{ID: bk.label, Text: bk.label, Kind: Count})
	}
	t.Columns = append(t.Columns, Column{ID: "total", Key: "report.col.total", Kind: Count})
	for _, id := range b.n.channelsIn(g.Channels, nil) {
		row := []Cell{label(b.n.channels[id].name)}
		total := 0
		for _, bk := range bks {
			sub := f
			sub.From, sub.To = bk.from, bk.to
			n := 0
			for d := bk.from; !d.After(bk.to); d = d.AddDays(1) {
				n += g.ChannelDays[id][d]
			}
			total += n
			row = append(row, countLink(n, InboxLink(sub, "channel", id64(id))))
		}
		t.Rows = append(t.Rows, append(row, countLink(total, InboxLink(f, "channel", id64(id)))))
	}
	return t
}

func (b builder) volumeChannels(now, before Figures) Table {
	f := b.r.Filter
	t := Table{ID: "volume_channels", Key: "report.table.volume_channels", Columns: []Column{
		{ID: "channel", Key: "report.col.channel"}, {ID: "platform", Key: "report.col.platform"},
		{ID: "incoming", Key: "report.col.incoming", Kind: Count}, {ID: "previous", Key: "report.col.previous", Kind: Count},
		{ID: "change_percent", Key: "report.col.change_percent", Kind: Change}}}
	for _, id := range b.n.channelsIn(now.Channels, before.Channels) {
		c := b.n.channels[id]
		n, p := statOf(now.Channels, id).Incoming, statOf(before.Channels, id).Incoming
		t.Rows = append(t.Rows, []Cell{label(c.name), platformKey(c.platform), countLink(n, InboxLink(f, "channel", id64(id))),
			countLink(p, InboxLink(b.r.Previous, "channel", id64(id))), change(n, p)})
	}
	return t
}

func (b builder) volumePlatforms(now, before Figures) Table {
	f := b.r.Filter
	t := Table{ID: "volume_platforms", Key: "report.table.volume_platforms", Columns: []Column{
		{ID: "platform", Key: "report.col.platform"}, {ID: "incoming", Key: "report.col.incoming", Kind: Count},
		{ID: "previous", Key: "report.col.previous", Kind: Count}, {ID: "change_percent", Key: "report.col.change_percent", Kind: Change}}}
	for _, p := range platformsIn(now.Platforms, before.Platforms) {
		n, q := statOf(now.Platforms, p).Incoming, statOf(before.Platforms, p).Incoming
		t.Rows = append(t.Rows, []Cell{platformKey(p), countLink(n, InboxLink(f, "platform", p)), countLink(q, InboxLink(b.r.Previous, "platform", p)), change(n, q)})
	}
	n, q := now.Total.Incoming, before.Total.Incoming
	t.Rows = append(t.Rows, []Cell{labelKey("report.all"), countLink(n, InboxLink(f)), countLink(q, InboxLink(b.r.Previous)), change(n, q)})
	return t
}
