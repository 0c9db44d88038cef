package quota_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform/youtube"
	"tilltal/internal/quota"
)

// Two instances' meters on one ledger spend from one budget: together they
// never pass it, even spending at once; polling keeps the reserve and the
// pace; YouTube's "quota exceeded" seen by one stops the other; the next
// quota day starts afresh.
func TestSharedYouTubeQuota(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// 18:00 UTC is 10:00 in Los Angeles: 10/24 of the day has passed.
		var now atomic.Value
		now.Store(time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC))
		clock := func() time.Time { return now.Load().(time.Time) }
		meter := func() *youtube.QuotaMeter {
			return youtube.NewQuotaMeter(clock, 1000, 200, 50).WithLedger(&quota.Ledger{DB: d, Name: "youtube"})
		}
		a, b := meter(), meter()

		// Writes from both at once: 1,000 units allow exactly 20 of 50.
		var taken atomic.Int64
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := a
				if i%2 == 1 {
					m = b
				}
				if ok, _ := m.Spend(youtube.CostInsert); ok {
					taken.Add(1)
				}
			}()
		}
		wg.Wait()
		if taken.Load() != 20 {
			t.Fatalf("two instances took %d writes of 50 units from a budget of 1,000", taken.Load())
		}
		if s := b.Snapshot(); s.Spent != 1000 {
			t.Fatalf("the other instance sees %d units spent", s.Spent)
		}
		if ok, reset := a.Spend(1); ok || !reset.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("a spent budget gave a unit (reset %v)", reset)
		}

		// A new quota day: polling is held to its pace, shared.
		now.Store(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
		// 800 poll units × 10/24 + 50 burst = 383 allowed now.
		polled := 0
		for {
			m := a
			if polled%2 == 1 {
				m = b
			}
			ok, next := m.SpendPoll(10)
			if !ok {
				if !next.After(clock()) {
					t.Fatalf("a refused poll may try again at %v, not later than now", next)
				}
				break
			}
			polled += 10
		}
		if polled != 380 {
			t.Fatalf("polled %d units at 10:00 Pacific, want 380", polled)
		}
		// Writes still have the reserve.
		if ok, _ := b.Spend(youtube.CostInsert); !ok {
			t.Fatal("a write was refused while the day's budget has room")
		}

		// YouTube says the quota is spent: both stop until the reset.
		b.Exhaust()
		if ok, _ := a.Spend(1); ok {
			t.Fatal("an instance spent after another was told the quota is exhausted")
		}
		if s := a.Snapshot(); !s.Exhausted || s.Spent != 430 || s.PollSpent != 380 {
			t.Fatalf("shared state %+v", s)
		}
	})
}
