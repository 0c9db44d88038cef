package youtube

import (
	"testing"
	"time"
)

func TestQuotaDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		now       time.Time
		wantReset time.Time
	}{
		{"winter", time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)},
		{"summer", time.Date(2026, 7, 1, 6, 59, 0, 0, time.UTC), time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)},
		{"clocks go back", time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := NewQuotaMeter(func() time.Time { return tc.now }, 100, 0, 100)
			if got := q.Snapshot().ResetAt; !got.Equal(tc.wantReset) {
				t.Fatalf("ResetAt = %v, want %v", got, tc.wantReset)
			}
		})
	}
}

func TestQuotaSpending(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // midnight Pacific
	tests := []struct {
		name string
		at   time.Duration // into the quota day
		// budget 1000, reserve 200, burst 50: polling may spend 800, paced.
		pollSpent int
		spent     int
		exhausted bool
		poll      int
		write     int
		wantPoll  bool
		wantWrite bool
		wantNext  time.Duration // when a refused poll may retry, into the day
	}{
		{name: "burst at midnight", at: 0, poll: 50, wantPoll: true, write: 50, wantWrite: true},
		{name: "ahead of pace", at: 0, poll: 51, wantNext: 108 * time.Second, write: 50, wantWrite: true},
		{name: "on pace at noon", at: 12 * time.Hour, pollSpent: 400, spent: 400, poll: 50, wantPoll: true},
		{name: "over pace at noon", at: 12 * time.Hour, pollSpent: 440, spent: 440, poll: 20, wantNext: 12*time.Hour + 18*time.Minute},
		{name: "reserve kept for writes", at: 23 * time.Hour, pollSpent: 790, spent: 790, poll: 20, wantNext: 24 * time.Hour,
			write: 200, wantWrite: true},
		{name: "whole budget spent", at: 23 * time.Hour, pollSpent: 0, spent: 990, poll: 1, wantNext: 24 * time.Hour,
			write: 50, wantWrite: false},
		{name: "youtube said exhausted", at: time.Hour, exhausted: true, poll: 1, wantNext: 24 * time.Hour, write: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := day.Add(tc.at)
			q := NewQuotaMeter(func() time.Time { return now }, 1000, 200, 50)
			q.Restore(QuotaState{Day: day, Spent: tc.spent, PollSpent: tc.pollSpent, Exhausted: tc.exhausted})
			ok, next := q.SpendPoll(tc.poll)
			if ok != tc.wantPoll {
				t.Fatalf("SpendPoll = %v, want %v", ok, tc.wantPoll)
			}
			if !ok && next.Sub(day).Round(time.Second) != tc.wantNext {
				t.Fatalf("next = %v into the day, want %v", next.Sub(day), tc.wantNext)
			}
			if tc.write > 0 {
				if ok, _ := q.Spend(tc.write); ok != tc.wantWrite {
					t.Fatalf("Spend = %v, want %v", ok, tc.wantWrite)
				}
			}
		})
	}
}

func TestQuotaResetsAtMidnightPacific(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC)
	q := NewQuotaMeter(func() time.Time { return now }, 100, 0, 100)
	reset := q.Exhaust()
	if ok, _ := q.Spend(1); ok {
		t.Fatal("spent after Exhaust")
	}
	now = reset
	if ok, _ := q.Spend(1); !ok {
		t.Fatal("no quota after midnight Pacific")
	}
	if s := q.Snapshot(); s.Spent != 1 || s.Exhausted {
		t.Fatalf("after reset = %+v", s)
	}
}
