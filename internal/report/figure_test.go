package report_test

import (
	"context"
	"testing"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/report"
	"tilltal/internal/report/reporttest"
)

func seedWeek(t *testing.T, d *db.DB) reporttest.Seeded {
	t.Helper()
	f, err := reporttest.Load("testdata/week.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := reporttest.Seed(context.Background(), d, f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func store(d *db.DB) *report.Store {
	return &report.Store{DB: d, Now: func() time.Time { return time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC) }}
}

func week() report.Filter {
	return report.Filter{From: calendar.NewDate(2026, 5, 11), To: calendar.NewDate(2026, 5, 17)}
}

func min(n int) time.Duration { return time.Duration(n) * time.Minute }

// TestFiguresByHand checks the figures of testdata/week.json against
// counts made by hand (see the comments), on the refreshed table.
func TestFiguresByHand(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seeded := seedWeek(t, d)
		s := store(d)
		if _, err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Rows(ctx, week())
		if err != nil {
			t.Fatal(err)
		}
		g := report.Compute(rows)
		a, b := seeded.Channels["A"], seeded.Channels["B"]
		klf, buf := seeded.Departments["KLF"], seeded.Departments["BUF"]
		stats := []struct {
			name                  string
			got                   report.Stat
			incoming, answered    int
			questions, qAnswered  int
			positive, posAnswered int
			median, p90           time.Duration
		}{
			// Waits 10, 30, 60, 75, 120, 540, 1080 min: the 4th and 7th.
			{"total", g.Total, 8, 7, 4, 4, 2, 1, min(75), min(1080)},
			// A: 30, 60, 75, 1080 (i5 unanswered): ranks 2 and 4; questions i1, i3, i4.
			{"channel A", *g.Channels[a], 5, 4, 3, 3, 2, 1, min(60), min(1080)},
			// B: 10, 120, 540: ranks 2 and 3.
			{"channel B", *g.Channels[b], 3, 3, 1, 1, 0, 0, min(120), min(540)},
			{"department KLF", *g.Departments[klf], 5, 4, 3, 3, 2, 1, min(60), min(1080)},
			{"department BUF", *g.Departments[buf], 3, 3, 1, 1, 0, 0, min(120), min(540)},
			{"platform instagram", *g.Platforms["instagram"], 3, 3, 1, 1, 0, 0, min(120), min(540)},
			// Office: i1 Mon 10:00 (30), i3 Wed 16:00 (1080), i6 Tue 09:00 (10).
			{"office", g.Periods[calendar.PeriodOffice], 3, 3, 2, 2, 0, 0, min(30), min(1080)},
			{"evening", g.Periods[calendar.PeriodEvening], 1, 1, 0, 0, 1, 1, min(60), min(60)},
			// i8 Friday 23:00, answered Saturday 08:00.
			{"night", g.Periods[calendar.PeriodNight], 1, 1, 0, 0, 0, 0, min(540), min(540)},
			// i4 answered on a Saturday evening after 75 min; i5 on Sunday waits.
			{"weekend", g.Periods[calendar.PeriodWeekend], 2, 1, 1, 1, 1, 0, min(75), min(75)},
			// i7 on Kristi himmelsfärdsdag.
			{"holiday", g.Periods[calendar.PeriodHoliday], 1, 1, 1, 1, 0, 0, min(120), min(120)},
			// Saturday 19:00 is hour 5·24+19 of the week.
			{"saturday 19-20", g.Hours[5*24+19], 1, 1, 1, 1, 0, 0, min(75), min(75)},
			{"monday 10-11", g.Hours[10], 1, 1, 1, 1, 0, 0, min(30), min(30)},
		}
		for _, tt := range stats {
			s := tt.got
			if s.Incoming != tt.incoming || s.Answered != tt.answered || s.Questions != tt.questions || s.QuestionsAnswered != tt.qAnswered ||
				s.Positive != tt.positive || s.PositiveAnswered != tt.posAnswered {
				t.Errorf("%s: counts %+v, want %d in, %d answered, %d/%d questions, %d/%d positive", tt.name, s,
					tt.incoming, tt.answered, tt.questions, tt.qAnswered, tt.positive, tt.posAnswered)
			}
			if s.Median != tt.median || s.P90 != tt.p90 {
				t.Errorf("%s: median %v p90 %v, want %v and %v", tt.name, s.Median, s.P90, tt.median, tt.p90)
			}
		}
		// The waits split by the time they passed in. i3 waits from Wednesday
		// 16:00 across the evening and night into the holiday: 1 h office,
		// 5 h evening, 2 h night, 10 h holiday. i8 waits 1 h of Friday night
		// and 8 h of Saturday.
		waited := map[calendar.Period]time.Duration{
			calendar.PeriodOffice:  min(30 + 60 + 10),
			calendar.PeriodEvening: min(60 + 300),
			calendar.PeriodNight:   min(120 + 60),
			calendar.PeriodWeekend: min(75 + 480),
			calendar.PeriodHoliday: min(600 + 120),
		}
		for p, want := range waited {
			if got := g.Waited[p]; got != want {
				t.Errorf("waited in %s: %v, want %v", p, got, want)
			}
		}
		if g.Replies != 7 || g.Flags["threat"] != 1 {
			t.Errorf("replies %d, threat flags %d; want 7 and 1", g.Replies, g.Flags["threat"])
		}
		if n := g.Days[calendar.NewDate(2026, 5, 11)]["facebook"]; n != 2 {
			t.Errorf("facebook on 11 May: %d, want 2", n)
		}
		prev, err := s.Rows(ctx, week().Previous())
		if err != nil {
			t.Fatal(err)
		}
		if p := report.Compute(prev).Total; p.Incoming != 1 || p.Median != min(20) {
			t.Errorf("previous week: %+v, want 1 item answered in 20 min", p)
		}
	})
}
