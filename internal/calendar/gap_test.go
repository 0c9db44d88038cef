package calendar

import (
	"slices"
	"testing"
	"time"
)

// gapStrings shows gaps in Stockholm time, "2026-04-03 08:00–22:00 helgdag",
// with the end date only when it differs from the start date.
func gapStrings(gaps []Gap) []string {
	out := make([]string, 0, len(gaps))
	for _, g := range gaps {
		a, b := g.Start.In(Stockholm), g.End.In(Stockholm)
		end := b.Format("15:04")
		if DateOf(a) != DateOf(b) {
			end = b.Format("2006-01-02 15:04")
		}
		out = append(out, a.Format("2006-01-02 15:04")+"–"+end+" "+g.Kind.String())
	}
	return out
}

// everyDay returns a weekly pattern and holiday pattern for one person
// start–end on every day of the week and on holidays.
func everyDay(start, end string) Rota {
	var r Rota
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		r.Weekly = append(r.Weekly, WeeklyShift{wd, start, end, 1})
	}
	r.Holiday = []HolidayShift{{start, end, 1}}
	return r
}

// weekdays returns a Monday–Friday pattern start–end for person.
func weekdays(start, end string, person int64) []WeeklyShift {
	var w []WeeklyShift
	for wd := time.Monday; wd <= time.Friday; wd++ {
		w = append(w, WeeklyShift{wd, start, end, person})
	}
	return w
}

// dailyUTC returns one shift per day from–to in UTC wall clock, as a
// careless implementation that ignores Stockholm time would produce.
func dailyUTC(first time.Time, days, fromHour, toHour int) []Shift {
	var s []Shift
	for i := range days {
		d := first.AddDate(0, 0, i)
		s = append(s, Shift{1, d.Add(time.Duration(fromHour) * time.Hour), d.Add(time.Duration(toHour) * time.Hour)})
	}
	return s
}

func TestGaps(t *testing.T) {
	t.Parallel()
	absent := Rota{
		Weekly:   append(weekdays("08:00", "17:00", 1), weekdays("17:00", "22:00", 2)...),
		Absences: []Absence{{PersonID: 2, From: Date{2026, 9, 8}, To: Date{2026, 9, 9}}},
	}
	withExtra := absent
	withExtra.Extra = []Shift{{4, local(2026, 9, 9, 17, 0), local(2026, 9, 9, 20, 0)}}
	overnight := Rota{Weekly: []WeeklyShift{
		{time.Monday, "08:00", "22:00", 1}, {time.Monday, "22:00", "24:00", 2},
		{time.Tuesday, "00:00", "08:00", 2}, {time.Tuesday, "08:00", "12:00", 1},
		{time.Tuesday, "10:00", "23:00", 3}, // overlaps person 1: fine for coverage
	}}
	allDay := Policy{Weekday: NotRequired, Weekend: Window{Midnight, EndOfDay}, Holiday: NotRequired}

	tests := []struct {
		name     string
		policy   Policy
		rota     Rota
		shifts   []Shift // used instead of rota when set
		from, to time.Time
		want     []string
	}{
		{
			name:   "08-22 local every day across spring DST change",
			policy: DefaultPolicy(),
			rota:   everyDay("08:00", "22:00"),
			from:   local(2026, 3, 23, 0, 0), to: local(2026, 4, 13, 0, 0),
		},
		{
			name:   "08-22 local every day across autumn DST change",
			policy: DefaultPolicy(),
			rota:   everyDay("08:00", "22:00"),
			from:   local(2026, 10, 19, 0, 0), to: local(2026, 11, 2, 0, 0),
		},
		{
			name:   "07-21 UTC leaves 08-09 uncovered from the spring change",
			policy: DefaultPolicy(),
			shifts: dailyUTC(utc(2026, 3, 26, 0, 0), 6, 7, 21),
			from:   local(2026, 3, 26, 0, 0), to: local(2026, 4, 1, 0, 0),
			want: []string{
				"2026-03-29 08:00–09:00 helg",
				"2026-03-30 08:00–09:00 vardag",
				"2026-03-31 08:00–09:00 vardag",
			},
		},
		{
			name:   "07-21 UTC leaves 08-09 uncovered until the autumn change",
			policy: DefaultPolicy(),
			shifts: dailyUTC(utc(2026, 10, 22, 0, 0), 6, 7, 21),
			from:   local(2026, 10, 22, 0, 0), to: local(2026, 10, 28, 0, 0),
			want: []string{
				"2026-10-22 08:00–09:00 vardag",
				"2026-10-23 08:00–09:00 vardag",
				"2026-10-24 08:00–09:00 helg",
			},
		},
		{
			name:   "weekday rota over Easter",
			policy: DefaultPolicy(),
			rota:   Rota{Weekly: weekdays("08:00", "22:00", 1)},
			from:   local(2026, 3, 30, 0, 0), to: local(2026, 4, 13, 0, 0),
			want: []string{
				"2026-04-03 08:00–22:00 helgdag",
				"2026-04-04 08:00–22:00 helgdag",
				"2026-04-05 08:00–22:00 helgdag",
				"2026-04-06 08:00–22:00 helgdag",
				"2026-04-11 08:00–22:00 helg",
				"2026-04-12 08:00–22:00 helg",
			},
		},
		{
			name:   "weekday rota over midsommar",
			policy: DefaultPolicy(),
			rota:   Rota{Weekly: weekdays("08:00", "22:00", 1)},
			from:   local(2026, 6, 15, 0, 0), to: local(2026, 6, 22, 0, 0),
			want: []string{
				"2026-06-19 08:00–22:00 helgdag",
				"2026-06-20 08:00–22:00 helgdag",
				"2026-06-21 08:00–22:00 helg",
			},
		},
		{
			name:   "weekday rota over Christmas and New Year",
			policy: DefaultPolicy(),
			rota:   Rota{Weekly: weekdays("08:00", "22:00", 1)},
			from:   local(2026, 12, 21, 0, 0), to: local(2027, 1, 4, 0, 0),
			want: []string{
				"2026-12-24 08:00–22:00 helgdag",
				"2026-12-25 08:00–22:00 helgdag",
				"2026-12-26 08:00–22:00 helgdag",
				"2026-12-27 08:00–22:00 helg",
				"2026-12-31 08:00–22:00 helgdag",
				"2027-01-01 08:00–22:00 helgdag",
				"2027-01-02 08:00–22:00 helg",
				"2027-01-03 08:00–22:00 helg",
			},
		},
		{
			name:   "weekday rota when weekends and holidays are not required",
			policy: Policy{Weekday: Window{Clock(8, 0), Clock(22, 0)}},
			rota:   Rota{Weekly: weekdays("08:00", "22:00", 1)},
			from:   local(2026, 12, 21, 0, 0), to: local(2027, 1, 4, 0, 0),
		},
		{
			name:   "absence opens the evening",
			policy: Policy{Weekday: Window{Clock(8, 0), Clock(22, 0)}},
			rota:   absent,
			from:   local(2026, 9, 7, 0, 0), to: local(2026, 9, 12, 0, 0),
			want: []string{
				"2026-09-08 17:00–22:00 vardag",
				"2026-09-09 17:00–22:00 vardag",
			},
		},
		{
			name:   "extra shift covers part of an absence",
			policy: Policy{Weekday: Window{Clock(8, 0), Clock(22, 0)}},
			rota:   withExtra,
			from:   local(2026, 9, 7, 0, 0), to: local(2026, 9, 12, 0, 0),
			want: []string{
				"2026-09-08 17:00–22:00 vardag",
				"2026-09-09 20:00–22:00 vardag",
			},
		},
		{
			name:   "overnight as two touching shifts, overlapping shifts",
			policy: Policy{Weekday: Window{Midnight, EndOfDay}},
			rota:   overnight,
			from:   local(2026, 9, 7, 0, 0), to: local(2026, 9, 9, 0, 0),
			want: []string{
				"2026-09-07 00:00–08:00 vardag",
				"2026-09-08 23:00–2026-09-09 00:00 vardag",
			},
		},
		{
			name:   "range boundaries clip the windows",
			policy: DefaultPolicy(),
			from:   local(2026, 9, 7, 12, 0), to: local(2026, 9, 8, 9, 30),
			want: []string{
				"2026-09-07 12:00–22:00 vardag",
				"2026-09-08 08:00–09:30 vardag",
			},
		},
		{
			name:   "uncovered whole-day weekend is one gap, 23 hours on the change day",
			policy: allDay,
			from:   local(2026, 3, 23, 0, 0), to: local(2026, 4, 1, 0, 0),
			want: []string{"2026-03-28 00:00–2026-03-30 00:00 helg"},
		},
		{
			name:   "range given in UTC",
			policy: DefaultPolicy(),
			from:   utc(2026, 9, 7, 18, 0), to: utc(2026, 9, 7, 21, 0),
			want: []string{"2026-09-07 20:00–22:00 vardag"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			shifts := tt.shifts
			if shifts == nil {
				var err error
				if shifts, err = tt.rota.Expand(tt.from, tt.to); err != nil {
					t.Fatal(err)
				}
			}
			got := gapStrings(Gaps(tt.policy, shifts, tt.from, tt.to))
			if !slices.Equal(got, tt.want) {
				t.Errorf("gaps:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestGapDurationOnChangeDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		day  Date
		want time.Duration
	}{
		{Date{2026, 3, 29}, 23 * time.Hour},
		{Date{2026, 10, 25}, 25 * time.Hour},
		{Date{2026, 3, 28}, 24 * time.Hour},
	}
	allDay := Window{Midnight, EndOfDay}
	for _, tt := range tests {
		t.Run(tt.day.String(), func(t *testing.T) {
			t.Parallel()
			gaps := Gaps(Policy{allDay, allDay, allDay}, nil, tt.day.Start(), tt.day.AddDays(1).Start())
			if len(gaps) != 1 || gaps[0].Duration() != tt.want {
				t.Errorf("gaps = %q, want one of %s", gapStrings(gaps), tt.want)
			}
		})
	}
}

func TestExpandUsesWallClock(t *testing.T) {
	t.Parallel()
	r := Rota{Weekly: []WeeklyShift{
		{time.Sunday, "00:00", "24:00", 1},
		{time.Saturday, "08:00", "22:00", 1},
	}}
	shifts, err := r.Expand(local(2026, 3, 28, 0, 0), local(2026, 3, 30, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []Shift{
		{1, local(2026, 3, 28, 8, 0), local(2026, 3, 28, 22, 0)},
		{1, local(2026, 3, 29, 0, 0), local(2026, 3, 30, 0, 0)},
	}
	if len(shifts) != len(want) {
		t.Fatalf("shifts = %v", shifts)
	}
	for i := range want {
		if !shifts[i].Start.Equal(want[i].Start) || !shifts[i].End.Equal(want[i].End) {
			t.Errorf("shift %d = %s, want %s", i, formatShift(shifts[i]), formatShift(want[i]))
		}
	}
	if d := shifts[1].End.Sub(shifts[1].Start); d != 23*time.Hour {
		t.Errorf("00:00–24:00 on the spring change day lasts %s, want 23h", d)
	}
}

func TestExpandHolidayPatternReplacesWeekly(t *testing.T) {
	t.Parallel()
	r := Rota{
		Weekly:  []WeeklyShift{{time.Thursday, "08:00", "17:00", 1}},
		Holiday: []HolidayShift{{"10:00", "14:00", 2}},
	}
	shifts, err := r.Expand(local(2026, 12, 24, 0, 0), local(2026, 12, 25, 0, 0)) // julafton, a Thursday
	if err != nil {
		t.Fatal(err)
	}
	if len(shifts) != 1 || shifts[0].PersonID != 2 || shifts[0].Start.In(Stockholm).Hour() != 10 {
		t.Errorf("shifts on julafton = %v", shifts)
	}
}
