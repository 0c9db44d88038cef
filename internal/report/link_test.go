package report_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
	"tilltal/internal/report"
)

func within(spans []inbox.Span, t time.Time) bool {
	for _, s := range spans {
		if !t.Before(s.From) && t.Before(s.To) {
			return true
		}
	}
	return false
}

// TestSpansAgreeWithCalendar: an instant is in the spans of its period
// and of its hour of the week, and in no other's, on ordinary days, on
// holidays and eves, and on both daylight-saving change days.
func TestSpansAgreeWithCalendar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to calendar.Date
	}{
		{"spring change", calendar.NewDate(2026, 3, 28), calendar.NewDate(2026, 3, 30)},
		{"autumn change", calendar.NewDate(2026, 10, 24), calendar.NewDate(2026, 10, 26)},
		{"midsummer", calendar.NewDate(2026, 6, 18), calendar.NewDate(2026, 6, 22)},
		{"christmas", calendar.NewDate(2026, 12, 22), calendar.NewDate(2027, 1, 2)},
		{"ordinary weeks", calendar.NewDate(2026, 2, 2), calendar.NewDate(2026, 2, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var periods [5][]inbox.Span
			for _, p := range calendar.Periods {
				periods[p] = report.PeriodSpans(tt.from, tt.to, p)
			}
			var hours [168][]inbox.Span
			for h := range hours {
				hours[h] = report.HourSpans(tt.from, tt.to, h)
			}
			start, end := tt.from.Start(), tt.to.AddDays(1).Start()
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < 3000; i++ {
				at := start.Add(time.Duration(rng.Int64N(int64(end.Sub(start)))))
				if i < 200 { // every boundary minute of the first hours too
					at = start.Add(time.Duration(i) * 15 * time.Minute)
				}
				for _, p := range calendar.Periods {
					if got, want := within(periods[p], at), calendar.Classify(at) == p; got != want {
						t.Fatalf("%s in %s spans: %v, classified %s", at.In(calendar.Stockholm), p, got, calendar.Classify(at))
					}
				}
				how := calendar.HourOfWeek(at)
				for _, h := range []int{how, (how + 1) % 168, (how + 167) % 168} {
					if got, want := within(hours[h], at), h == how; got != want {
						t.Fatalf("%s in hour %d spans: %v, hour of week %d", at.In(calendar.Stockholm), h, got, how)
					}
				}
			}
		})
	}
}
