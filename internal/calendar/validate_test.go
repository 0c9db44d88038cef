package calendar

import (
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
)

func TestParseTimeOfDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want TimeOfDay
		ok   bool
	}{
		{"00:00", 0, true},
		{"08:30", 8*60 + 30, true},
		{"23:59", 23*60 + 59, true},
		{"24:00", EndOfDay, true},
		{"24:01", 0, false},
		{"25:00", 0, false},
		{"12:60", 0, false},
		{"8:00", 0, false},
		{"08.00", 0, false},
		{"0800", 0, false},
		{"", 0, false},
		{"-1:00", 0, false},
		{" 8:00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTimeOfDay(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("ParseTimeOfDay(%q) = %v, %v", tt.in, got, err)
			}
			if err != nil && apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("error kind = %v, want Invalid", apperr.KindOf(err))
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
		})
	}
}

func TestRotaValidate(t *testing.T) {
	t.Parallel()
	mon := time.Monday
	tests := []struct {
		name string
		rota Rota
		want string // substring of the Swedish message; "" for valid
	}{
		{"valid with overnight split", Rota{Weekly: []WeeklyShift{
			{mon, "22:00", "24:00", 1}, {time.Tuesday, "00:00", "08:00", 1}, {mon, "08:00", "22:00", 1},
		}}, ""},
		{"inverted", Rota{Weekly: []WeeklyShift{{mon, "17:00", "08:00", 1}}},
			"Passet slutar före det börjar (måndag 17:00–08:00)"},
		{"empty", Rota{Weekly: []WeeklyShift{{mon, "08:00", "08:00", 1}}},
			"Passet slutar när det börjar (måndag 08:00–08:00)"},
		{"start at 24:00", Rota{Weekly: []WeeklyShift{{mon, "24:00", "24:00", 1}}},
			"Passet slutar när det börjar"},
		{"bad time", Rota{Weekly: []WeeklyShift{{mon, "8", "17:00", 1}}},
			`Ogiltig tid "8"`},
		{"bad weekday", Rota{Weekly: []WeeklyShift{{time.Weekday(7), "08:00", "17:00", 1}}},
			"Ogiltig veckodag"},
		{"same person overlaps", Rota{Weekly: []WeeklyShift{
			{mon, "16:00", "22:00", 1}, {mon, "08:00", "17:00", 1},
		}}, "Samma person har två pass som överlappar (måndag 08:00–17:00 och måndag 16:00–22:00)"},
		{"overlap hidden behind a short shift", Rota{Weekly: []WeeklyShift{
			{mon, "08:00", "20:00", 1}, {mon, "09:00", "10:00", 2}, {mon, "15:00", "16:00", 1},
		}}, "måndag 08:00–20:00 och måndag 15:00–16:00"},
		{"different people may overlap", Rota{Weekly: []WeeklyShift{
			{mon, "08:00", "17:00", 1}, {mon, "16:00", "22:00", 2},
		}}, ""},
		{"same hours on different days", Rota{Weekly: []WeeklyShift{
			{mon, "08:00", "17:00", 1}, {time.Tuesday, "08:00", "17:00", 1},
		}}, ""},
		{"holiday pattern overlap", Rota{Holiday: []HolidayShift{
			{"08:00", "17:00", 1}, {"12:00", "22:00", 1},
		}}, "(helgdag 08:00–17:00 och helgdag 12:00–22:00)"},
		{"holiday pattern does not clash with weekly", Rota{
			Weekly:  []WeeklyShift{{mon, "08:00", "17:00", 1}},
			Holiday: []HolidayShift{{"08:00", "17:00", 1}},
		}, ""},
		{"absence inverted", Rota{Absences: []Absence{{1, Date{2026, 7, 10}, Date{2026, 7, 1}}}},
			"Frånvaron slutar före den börjar (2026-07-10–2026-07-01)"},
		{"absence without dates", Rota{Absences: []Absence{{PersonID: 1}}},
			"Frånvaron saknar"},
		{"extra inverted", Rota{Extra: []Shift{{1, local(2026, 3, 30, 17, 0), local(2026, 3, 30, 8, 0)}}},
			"Passet slutar före det börjar (måndag 2026-03-30 17:00–08:00)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, tt.rota.Validate(), tt.want)
			if _, err := tt.rota.Expand(local(2026, 3, 30, 0, 0), local(2026, 4, 6, 0, 0)); (err == nil) != (tt.want == "") {
				t.Errorf("Expand error = %v, Validate says %q", err, tt.want)
			}
		})
	}
}

func TestValidateShifts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		shifts []Shift
		want   string
	}{
		{"touching", []Shift{
			{1, local(2026, 3, 30, 8, 0), local(2026, 3, 30, 17, 0)},
			{1, local(2026, 3, 30, 17, 0), local(2026, 3, 31, 8, 0)},
		}, ""},
		{"overlap", []Shift{
			{1, local(2026, 3, 30, 17, 0), local(2026, 3, 31, 8, 0)},
			{2, local(2026, 3, 30, 7, 0), local(2026, 3, 30, 9, 0)},
			{1, local(2026, 3, 30, 8, 0), local(2026, 3, 30, 18, 0)},
		}, "(måndag 2026-03-30 08:00–18:00 och måndag 2026-03-30 17:00–tisdag 2026-03-31 08:00)"},
		{"zero", []Shift{{PersonID: 1, Start: local(2026, 3, 30, 8, 0)}}, "saknar start- eller sluttid"},
		{"equal ends", []Shift{{1, local(2026, 3, 30, 8, 0), local(2026, 3, 30, 8, 0)}}, "slutar före det börjar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, ValidateShifts(tt.shifts), tt.want)
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy Policy
		want   string
	}{
		{"default", DefaultPolicy(), ""},
		{"not required", Policy{}, ""},
		{"whole day", Policy{Weekend: Window{Midnight, EndOfDay}}, ""},
		{"inverted", Policy{Holiday: Window{Clock(22, 0), Clock(8, 0)}}, "Bevakningstiden slutar före den börjar (22:00–08:00)"},
		{"out of range", Policy{Weekday: Window{Clock(8, 0), Clock(25, 0)}}, "Ogiltig tid i bevakningstiden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, tt.policy.Validate(), tt.want)
		})
	}
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	w, err := ParseWindow("08:00", "24:00")
	if err != nil || w != (Window{Clock(8, 0), EndOfDay}) || w.String() != "08:00–24:00" {
		t.Errorf("ParseWindow = %v, %v", w, err)
	}
	if _, err := ParseWindow("18:00", "08:00"); err == nil {
		t.Error("inverted window accepted")
	}
	if _, err := ParseWindow("8", "18:00"); err == nil {
		t.Error("bad time accepted")
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("error kind = %v, want Invalid", apperr.KindOf(err))
	}
	if msg := apperr.Message(err); !strings.Contains(msg, want) {
		t.Errorf("message %q does not contain %q", msg, want)
	}
}
