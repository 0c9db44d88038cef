package web

import (
	"net/url"
	"strconv"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
	"tilltal/internal/report"
)

// drillFilter reads the inbox parameters that the reports' drill-down
// links add to the inbox filter (see report.InboxLink): from=public,
// answered=yes|no, question=1, escalated=<department id>, and
// period=<office|evening|night|weekend|holiday> or how=<hour of the week>,
// which need since and until to bound them.
func drillFilter(q url.Values, f *inbox.Filter) error {
	f.Incoming = q.Get("from") == "public"
	switch a := q.Get("answered"); a {
	case "", "yes", "no":
		f.Answered = a
	default:
		return apperr.Invalidf("Okänt värde för besvarad: %q", a)
	}
	f.Question = q.Get("question") == "1"
	if v := q.Get("escalated"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apperr.Invalidf("Okänd verksamhet %q", v)
		}
		f.EscalatedTo = id
	}
	period, how := q.Get("period"), q.Get("how")
	if period == "" && how == "" {
		return nil
	}
	from, err1 := calendar.ParseDate(q.Get("since"))
	to, err2 := calendar.ParseDate(q.Get("until"))
	if err1 != nil || err2 != nil || to.Before(from) || from.AddDays(report.MaxDays).Before(to) {
		return apperr.Invalidf("Tid på dygnet och veckotimme kräver ett från- och ett till-datum")
	}
	if period != "" {
		p, err := report.ParsePeriod(period)
		if err != nil {
			return err
		}
		f.Spans = report.PeriodSpans(from, to, p)
	}
	if how != "" {
		h, err := strconv.Atoi(how)
		if err != nil || h < 0 || h >= 168 {
			return apperr.Invalidf("Veckotimmen ska vara 0–167")
		}
		f.Spans = intersect(f.Spans, report.HourSpans(from, to, h), period != "")
	}
	if f.Spans == nil {
		f.Spans = []inbox.Span{} // no such time in the period: nothing matches
	}
	return nil
}

// intersect keeps what two sets of spans share; when the first set was
// not given, the second is the answer.
func intersect(a, b []inbox.Span, given bool) []inbox.Span {
	if !given {
		return b
	}
	out := []inbox.Span{}
	for _, x := range a {
		for _, y := range b {
			from, to := x.From, x.To
			if y.From.After(from) {
				from = y.From
			}
			if y.To.Before(to) {
				to = y.To
			}
			if from.Before(to) {
				out = append(out, inbox.Span{From: from, To: to})
			}
		}
	}
	return out
}
