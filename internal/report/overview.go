package report

import (
	"context"
	"time"
)

// overview is the dashboard: the key figures against the previous
// period, and the volume over time.
func (b builder) overview(ctx context.Context) error {
	now, before, err := b.figures(ctx)
	if err != nil {
		return err
	}
	esc, err := b.s.turnarounds(ctx, b.r.Filter, b.s.Now())
	if err != nil {
		return err
	}
	pesc, err := b.s.turnarounds(ctx, b.r.Previous, b.s.Now())
	if err != nil {
		return err
	}
	b.r.Tables = append(b.r.Tables, b.keyFigures(now, before, sumTurnaround(esc), sumTurnaround(pesc)), b.volumeTime(now))
	b.r.Charts = append(b.r.Charts,
		Chart{Kind: Bars, Key: "report.chart.key_rates", Table: "key_figures", Series: []int{1, 2}, Rows: []int{2, 3, 4}},
		Chart{Kind: Columns, Key: "report.chart.volume_time", Table: "volume_time", Series: seriesRange(1, len(b.r.Tables[1].Columns)-1)})
	return nil
}

func sumTurnaround(m map[int64]*turnaround) turnaround {
	var t turnaround
	for _, x := range m {
		t.asked += x.asked
		t.answered += x.answered
		t.late += x.late
		t.overdue += x.overdue
		t.waits = append(t.waits, x.waits...)
	}
	return t
}

func (b builder) keyFigures(now, before Figures, esc, pesc turnaround) Table {
	f, p := b.r.Filter, b.r.Previous
	t := Table{ID: "key_figures", Key: "report.table.key_figures", Columns: []Column{
		{ID: "figure", Key: "report.col.figure"}, {ID: "value", Key: "report.col.this_period", Kind: Count},
		{ID: "previous", Key: "report.col.previous", Kind: Count}, {ID: "change", Key: "report.col.change", Kind: Change}}}
	n, q := now.Total, before.Total
	rateRow := func(key string, part, whole, ppart, pwhole int, pairs ...string) []Cell {
		r, pr := rate(part, whole), rate(ppart, pwhole)
		un := append(pairs[:len(pairs):len(pairs)], "answered", "no")
		return []Cell{labelKey(key), linked(r, InboxLink(f, un...)), linked(pr, InboxLink(p, un...)), points(r, pr)}
	}
	minuteRow := func(key string, a, b time.Duration) []Cell {
		x, y := minutes(a, n.HasWait()), minutes(b, q.HasWait())
		d := Null
		if !x.Null && !y.Null {
			d = Cell{Kind: Minutes, Num: x.Num - y.Num}
		}
		return []Cell{labelKey(key), linked(x, InboxLink(f, "answered", "yes")), linked(y, InboxLink(p, "answered", "yes")), d}
	}
	t.Rows = [][]Cell{
		{labelKey("report.key.incoming"), countLink(n.Incoming, InboxLink(f)), countLink(q.Incoming, InboxLink(p)), change(n.Incoming, q.Incoming)},
		{labelKey("report.key.answered"), countLink(n.Answered, InboxLink(f, "answered", "yes")), countLink(q.Answered, InboxLink(p, "answered", "yes")), change(n.Answered, q.Answered)},
		rateRow("report.key.rate", n.Answered, n.Incoming, q.Answered, q.Incoming),
		rateRow("report.key.questions_rate", n.QuestionsAnswered, n.Questions, q.QuestionsAnswered, q.Questions, "question", "1"),
		rateRow("report.key.positive_rate", n.PositiveAnswered, n.Positive, q.PositiveAnswered, q.Positive, "sentiment", "positive"),
		minuteRow("report.key.median", n.Median, q.Median),
		minuteRow("report.key.p90", n.P90, q.P90),
		{labelKey("report.key.escalations"), countLink(esc.asked, PageLink("verksamheter", f)), countLink(pesc.asked, PageLink("verksamheter", p)),
			change(esc.asked, pesc.asked)},
		{labelKey("report.key.escalations_late"), countLink(esc.late+esc.overdue, PageLink("verksamheter", f)),
			countLink(pesc.late+pesc.overdue, PageLink("verksamheter", p)), change(esc.late+esc.overdue, pesc.late+pesc.overdue)},
	}
	return t
}
