package report

import "context"

func (b builder) answers(ctx context.Context) error {
	now, before, err := b.figures(ctx)
	if err != nil {
		return err
	}
	f, prev := b.r.Filter, b.r.Previous
	overall := Table{ID: "answers_overall", Key: "report.table.answers_overall", Columns: []Column{
		{ID: "kind", Key: "report.col.kind"}, {ID: "incoming", Key: "report.col.incoming", Kind: Count},
		{ID: "answered", Key: "report.col.answered", Kind: Count}, {ID: "rate_percent", Key: "report.col.rate", Kind: Percent},
		{ID: "previous_rate_percent", Key: "report.col.previous_rate", Kind: Percent}, {ID: "change_points", Key: "report.col.change_points", Kind: Points}}}
	kinds := []struct {
		key                string
		in, ans, pin, pans int
		pairs              []string
	}{
		{"report.kind.all", now.Total.Incoming, now.Total.Answered, before.Total.Incoming, before.Total.Answered, nil},
		{"report.kind.questions", now.Total.Questions, now.Total.QuestionsAnswered, before.Total.Questions, before.Total.QuestionsAnswered, []string{"question", "1"}},
		{"report.kind.positive", now.Total.Positive, now.Total.PositiveAnswered, before.Total.Positive, before.Total.PositiveAnswered, []string{"sentiment", "positive"}},
	}
	for _, k := range kinds {
		r, p := rate(k.ans, k.in), rate(k.pans, k.pin)
		answered := append(k.pairs[:len(k.pairs):len(k.pairs)], "answered", "yes")
		unanswered := append(k.pairs[:len(k.pairs):len(k.pairs)], "answered", "no")
		overall.Rows = append(overall.Rows, []Cell{labelKey(k.key), countLink(k.in, InboxLink(f, k.pairs...)),
			countLink(k.ans, InboxLink(f, answered...)), linked(r, InboxLink(f, unanswered...)), linked(p, InboxLink(prev, unanswered...)), points(r, p)})
	}
	channels := Table{ID: "answers_channels", Key: "report.table.answers_channels", Columns: []Column{
		{ID: "channel", Key: "report.col.channel"}, {ID: "incoming", Key: "report.col.incoming", Kind: Count},
		{ID: "rate_percent", Key: "report.col.rate", Kind: Percent}, {ID: "questions", Key: "report.col.questions", Kind: Count},
		{ID: "questions_rate_percent", Key: "report.col.questions_rate", Kind: Percent}, {ID: "positive", Key: "report.col.positive", Kind: Count},
		{ID: "positive_rate_percent", Key: "report.col.positive_rate", Kind: Percent}}}
	for _, id := range b.n.channelsIn(now.Channels, nil) {
		s, ch := statOf(now.Channels, id), id64(id)
		channels.Rows = append(channels.Rows, []Cell{label(b.n.channels[id].name),
			countLink(s.Incoming, InboxLink(f, "channel", ch)), linked(rate(s.Answered, s.Incoming), InboxLink(f, "channel", ch, "answered", "no")),
			countLink(s.Questions, InboxLink(f, "channel", ch, "question", "1")),
			linked(rate(s.QuestionsAnswered, s.Questions), InboxLink(f, "channel", ch, "question", "1", "answered", "no")),
			countLink(s.Positive, InboxLink(f, "channel", ch, "sentiment", "positive")),
			linked(rate(s.PositiveAnswered, s.Positive), InboxLink(f, "channel", ch, "sentiment", "positive", "answered", "no"))})
	}
	b.r.Tables = append(b.r.Tables, overall, channels)
	b.r.Charts = append(b.r.Charts, Chart{Kind: Bars, Key: "report.chart.answers", Table: "answers_overall", Series: []int{3, 4}})
	b.r.Notes = append(b.r.Notes, "report.note.rates")
	if now.Total.Positive == 0 && before.Total.Positive == 0 {
		b.r.Notes = append(b.r.Notes, "report.note.no_sentiment")
	}
	return nil
}
