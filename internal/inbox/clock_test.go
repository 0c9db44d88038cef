package inbox

import (
	"testing"
	"time"

	"tilltal/internal/calendar"
)

func TestResponseClock(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, calendar.Stockholm)
		return v
	}
	ptr := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		name     string
		item     Item
		now      time.Time
		waited   time.Duration
		answered bool
		parts    map[calendar.Period]time.Duration
	}{
		{"answered in the evening", Item{PostedAt: at("2026-11-24 16:30"), FirstResponseAt: ptr(at("2026-11-24 18:00"))}, at("2026-11-25 12:00"),
			90 * time.Minute, true, map[calendar.Period]time.Duration{calendar.PeriodOffice: 30 * time.Minute, calendar.PeriodEvening: time.Hour}},
		{"waiting over a weekend", Item{PostedAt: at("2026-11-28 10:00")}, at("2026-11-30 08:30"),
			46*time.Hour + 30*time.Minute, false, map[calendar.Period]time.Duration{calendar.PeriodWeekend: 38 * time.Hour, calendar.PeriodNight: 8 * time.Hour, calendar.PeriodOffice: 30 * time.Minute}},
		{"answered on midsummer eve", Item{PostedAt: at("2026-06-19 09:00"), FirstResponseAt: ptr(at("2026-06-19 11:00"))}, at("2026-06-22 12:00"),
			2 * time.Hour, true, map[calendar.Period]time.Duration{calendar.PeriodHoliday: 2 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.item.ResponseClock(tt.now)
			if c.Waited != tt.waited || c.Answered != tt.answered {
				t.Fatalf("waited %v answered %v", c.Waited, c.Answered)
			}
			if len(c.Parts) != len(tt.parts) {
				t.Fatalf("parts %+v", c.Parts)
			}
			for _, p := range c.Parts {
				if tt.parts[p.Period] != p.Duration {
					t.Errorf("%s: %v, want %v", p.Period, p.Duration, tt.parts[p.Period])
				}
			}
		})
	}
}
