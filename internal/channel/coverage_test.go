package channel

import (
	"slices"
	"testing"
	"time"

	"tilltal/internal/calendar"
)

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Stockholm)
}

// watched is a channel with an owner (1) and two editors (2, 3), all with
// active accounts and roles, and the default policy.
func watched() Channel {
	return Channel{
		Name:          "Exempelby kommun",
		Policy:        calendar.DefaultPolicy(),
		CommentNotice: "Den här sidan drivs av Exempelby kommun.",
		Members: []Member{
			{UserID: 1, Name: "Oskar", Role: RoleOwner, Active: true, HasOwnerRole: true, HasEditorRole: true},
			{UserID: 2, Name: "Rut", Role: RoleEditor, Active: true, HasEditorRole: true},
			{UserID: 3, Name: "Rolf", Role: RoleEditor, Active: true, HasEditorRole: true},
		},
	}
}

// days is a rota with person on every weekday from start to end.
func days(start, end string, person int64) []Shift {
	var out []Shift
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		out = append(out, Shift{Weekday: wd, Start: start, End: end, UserID: person})
	}
	return out
}

func holidays(start, end string, person int64) []Shift {
	return []Shift{{Holiday: true, Start: start, End: end, UserID: person}}
}

func join(parts ...[]Shift) []Shift { return slices.Concat(parts...) }

// TestUpcomingGaps checks the channel's use of the calendar: its rota,
// members and policy turned into the gaps it alerts, over the four weeks
// that activation requires, across DST changes and Swedish holidays.
func TestUpcomingGaps(t *testing.T) {
	t.Parallel()
	inactive := watched()
	inactive.Members[1].Active = false
	weekdaysOnly := watched()
	weekdaysOnly.Policy.Weekend, weekdaysOnly.Policy.Holiday = calendar.NotRequired, calendar.NotRequired

	tests := []struct {
		name    string
		channel Channel
		rota    Rota
		now     time.Time
		want    []string
	}{
		{
			name: "every day and holidays covered across the spring DST change and Easter",
			rota: Rota{Shifts: join(days("08:00", "22:00", 2), holidays("08:00", "22:00", 3))},
			now:  local(2026, 3, 16, 9, 0),
		},
		{
			name: "weekly pattern alone leaves Easter open across the spring DST change",
			rota: Rota{Shifts: days("08:00", "22:00", 2)},
			now:  local(2026, 3, 16, 9, 0),
			want: []string{
				"fredag 2026-04-03 08:00–22:00",
				"lördag 2026-04-04 08:00–22:00",
				"söndag 2026-04-05 08:00–22:00",
				"måndag 2026-04-06 08:00–22:00",
			},
		},
		{
			name: "midsummer eve and day",
			rota: Rota{Shifts: days("08:00", "22:00", 2)},
			now:  local(2026, 6, 8, 9, 0),
			want: []string{"fredag 2026-06-19 08:00–22:00", "lördag 2026-06-20 08:00–22:00"},
		},
		{
			name: "Christmas, New Year and Epiphany",
			rota: Rota{Shifts: days("08:00", "22:00", 2)},
			now:  local(2026, 12, 10, 9, 0),
			want: []string{
				"torsdag 2026-12-24 08:00–22:00",
				"fredag 2026-12-25 08:00–22:00",
				"lördag 2026-12-26 08:00–22:00",
				"torsdag 2026-12-31 08:00–22:00",
				"fredag 2027-01-01 08:00–22:00",
				"onsdag 2027-01-06 08:00–22:00",
			},
		},
		{
			name: "autumn DST change: day and evening shifts stay on the wall clock; an absence opens an evening",
			rota: Rota{
				Shifts:   join(days("08:00", "17:00", 1), days("17:00", "22:00", 2), holidays("10:00", "22:00", 3), holidays("08:00", "10:00", 1)),
				Absences: []Absence{{UserID: 2, From: calendar.Date{Year: 2026, Month: 10, Day: 26}, To: calendar.Date{Year: 2026, Month: 10, Day: 26}}},
			},
			now:  local(2026, 10, 15, 9, 0),
			want: []string{"måndag 2026-10-26 17:00–22:00"},
		},
		{
			name: "an extra shift covers the absence",
			rota: Rota{
				Shifts:   join(days("08:00", "17:00", 1), days("17:00", "22:00", 2), holidays("08:00", "22:00", 3)),
				Absences: []Absence{{UserID: 2, From: calendar.Date{Year: 2026, Month: 10, Day: 26}, To: calendar.Date{Year: 2026, Month: 10, Day: 26}}},
				Extra:    []ExtraShift{{UserID: 3, Start: local(2026, 10, 26, 17, 0), End: local(2026, 10, 26, 22, 0)}},
			},
			now: local(2026, 10, 15, 9, 0),
		},
		{
			name:    "shifts of someone who left do not count",
			channel: inactive,
			rota:    Rota{Shifts: join(days("08:00", "22:00", 2), holidays("08:00", "22:00", 3), []Shift{{Weekday: time.Tuesday, Start: "08:00", End: "22:00", UserID: 3}})},
			now:     local(2026, 9, 1, 9, 0), // a Tuesday
			want: []string{
				"onsdag 2026-09-02 08:00–22:00", "torsdag 2026-09-03 08:00–22:00", "fredag 2026-09-04 08:00–22:00",
				"lördag 2026-09-05 08:00–22:00", "söndag 2026-09-06 08:00–22:00", "måndag 2026-09-07 08:00–22:00",
				"onsdag 2026-09-09 08:00–22:00", "torsdag 2026-09-10 08:00–22:00", "fredag 2026-09-11 08:00–22:00",
				"lördag 2026-09-12 08:00–22:00", "söndag 2026-09-13 08:00–22:00", "måndag 2026-09-14 08:00–22:00",
				"onsdag 2026-09-16 08:00–22:00", "torsdag 2026-09-17 08:00–22:00", "fredag 2026-09-18 08:00–22:00",
				"lördag 2026-09-19 08:00–22:00", "söndag 2026-09-20 08:00–22:00", "måndag 2026-09-21 08:00–22:00",
				"onsdag 2026-09-23 08:00–22:00", "torsdag 2026-09-24 08:00–22:00", "fredag 2026-09-25 08:00–22:00",
				"lördag 2026-09-26 08:00–22:00", "söndag 2026-09-27 08:00–22:00", "måndag 2026-09-28 08:00–22:00",
			},
		},
		{
			name: "a gap under way keeps its start; the last gap starts before the horizon",
			rota: Rota{Shifts: join(days("08:00", "12:00", 2), days("12:00", "22:00", 3), holidays("08:00", "22:00", 1),
				[]Shift{{Weekday: time.Wednesday, Start: "08:00", End: "22:00", UserID: 1}})},
			channel: func() Channel {
				c := watched()
				c.Members = append(c.Members[:1], c.Members[2]) // person 2 not on the channel
				return c
			}(),
			now: local(2026, 9, 3, 10, 30), // a Thursday; Wednesdays are covered by 1, other days open 08–12
			want: []string{
				"torsdag 2026-09-03 08:00–12:00", "fredag 2026-09-04 08:00–12:00", "lördag 2026-09-05 08:00–12:00",
				"söndag 2026-09-06 08:00–12:00", "måndag 2026-09-07 08:00–12:00", "tisdag 2026-09-08 08:00–12:00",
				"torsdag 2026-09-10 08:00–12:00", "fredag 2026-09-11 08:00–12:00", "lördag 2026-09-12 08:00–12:00",
				"söndag 2026-09-13 08:00–12:00", "måndag 2026-09-14 08:00–12:00", "tisdag 2026-09-15 08:00–12:00",
				"torsdag 2026-09-17 08:00–12:00", "fredag 2026-09-18 08:00–12:00", "lördag 2026-09-19 08:00–12:00",
				"söndag 2026-09-20 08:00–12:00", "måndag 2026-09-21 08:00–12:00", "tisdag 2026-09-22 08:00–12:00",
				"torsdag 2026-09-24 08:00–12:00", "fredag 2026-09-25 08:00–12:00", "lördag 2026-09-26 08:00–12:00",
				"söndag 2026-09-27 08:00–12:00", "måndag 2026-09-28 08:00–12:00", "tisdag 2026-09-29 08:00–12:00",
				"torsdag 2026-10-01 08:00–12:00",
			},
		},
		{
			name:    "a weekday-only policy ignores weekends and holidays",
			channel: weekdaysOnly,
			rota: Rota{Shifts: []Shift{
				{Weekday: time.Monday, Start: "08:00", End: "22:00", UserID: 2}, {Weekday: time.Tuesday, Start: "08:00", End: "22:00", UserID: 2},
				{Weekday: time.Wednesday, Start: "08:00", End: "22:00", UserID: 2}, {Weekday: time.Thursday, Start: "08:00", End: "22:00", UserID: 2},
				{Weekday: time.Friday, Start: "08:00", End: "22:00", UserID: 2},
			}},
			now: local(2026, 12, 10, 9, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.channel
			if c.Members == nil {
				c = watched()
			}
			gaps, err := UpcomingGaps(c, tt.rota.Calendar(), tt.now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range gaps {
				got = append(got, FormatGap(g))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("gaps:\n got %q\nwant %q", got, tt.want)
			}
			problems := Check(c, tt.rota.Calendar(), tt.now)
			hasCoverage := slices.ContainsFunc(problems, func(p Problem) bool { return p.Rule == "coverage" })
			if hasCoverage != (len(tt.want) > 0) {
				t.Errorf("coverage problem = %v with %d gaps: %v", hasCoverage, len(tt.want), problems)
			}
		})
	}
}

func TestCheckPeople(t *testing.T) {
	t.Parallel()
	full := Rota{Shifts: join(days("08:00", "22:00", 2), holidays("08:00", "22:00", 3))}
	tests := []struct {
		name  string
		edit  func(c *Channel)
		rules []string
	}{
		{"complete", func(*Channel) {}, nil},
		{"no owner", func(c *Channel) { c.Members = c.Members[1:] }, []string{"owner"}},
		{"owner left", func(c *Channel) { c.Members[0].Active = false }, []string{"owner"}},
		{"owner without the role", func(c *Channel) { c.Members[0].HasOwnerRole = false }, []string{"owner"}},
		{"only the owner edits", func(c *Channel) {
			c.Members = []Member{c.Members[0], {UserID: 1, Name: "Oskar", Role: RoleEditor, Active: true, HasOwnerRole: true, HasEditorRole: true}}
		}, []string{"editor", "coverage"}},
		{"editors left", func(c *Channel) { c.Members[1].Active, c.Members[2].Active = false, false }, []string{"editor", "coverage"}},
		{"no notice", func(c *Channel) { c.CommentNotice = " " }, []string{"notice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := watched()
			c.Members = slices.Clone(c.Members)
			tt.edit(&c)
			var rules []string
			for _, p := range Check(c, full.Calendar(), local(2026, 9, 1, 9, 0)) {
				rules = append(rules, p.Rule)
				if p.Message == "" {
					t.Errorf("rule %s without a message", p.Rule)
				}
			}
			if !slices.Equal(rules, tt.rules) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

func TestHorizonIsFourWeeksOfDays(t *testing.T) {
	t.Parallel()
	now := local(2026, 3, 20, 9, 0) // the spring change falls inside
	h := Horizon(now).In(calendar.Stockholm)
	if h.Hour() != 9 || calendar.DateOf(h) != (calendar.Date{Year: 2026, Month: 4, Day: 17}) {
		t.Errorf("horizon = %s", h)
	}
	if d := h.Sub(now); d != 28*24*time.Hour-time.Hour {
		t.Errorf("four weeks across the spring change last %s", d)
	}
}
