package youtube

import (
	"sync"
	"time"
	_ "time/tzdata" // the quota day is Pacific time wherever Tilltal runs
)

// Quota costs in units per call, from the YouTube Data API's quota table.
const (
	CostList       = 1  // commentThreads.list, comments.list, channels.list
	CostVideos     = 1  // videos.list
	CostInsert     = 50 // comments.insert, commentThreads.insert
	CostModerate   = 50 // comments.setModerationStatus
	CostDelete     = 50 // comments.delete
	DefaultBudget  = 10000
	DefaultReserve = 2000
	DefaultBurst   = 500
)

var pacific = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in, so this cannot happen
	}
	return loc
}

// QuotaMeter accounts for a Google Cloud project's daily YouTube quota,
// which resets at midnight Pacific time. Polling may spend only the budget
// less a reserve, and only at an even pace over the day (plus a burst), so
// that replies and moderation still have units late in the day and
// polling never goes blind for hours. It is shared by every channel that
// uses the same OAuth client. Safe for concurrent use.
//
// Alone, the meter counts in this process. With a Ledger (WithLedger) the
// day's counts live where every Tilltal instance sees them and each spend
// is one atomic check-and-add there, so several instances spend from one
// budget as if they were one.
type QuotaMeter struct {
	mu        sync.Mutex
	ledger    Ledger
	now       func() time.Time
	budget    int
	reserve   int
	burst     int
	day       time.Time // start of the current quota day
	spent     int
	pollSpent int
	exhausted bool
}

// NewQuotaMeter returns a meter for budget units a day, keeping reserve of
// them for writes and letting polling run burst units ahead of an even
// pace. now is the clock (UTC is fine; days are computed in Pacific time).
func NewQuotaMeter(now func() time.Time, budget, reserve, burst int) *QuotaMeter {
	return &QuotaMeter{now: now, budget: budget, reserve: min(reserve, budget), burst: burst}
}

// Ledger keeps a quota day's counts for every instance. Take adds cost to
// the day's units spent, and to its polling units when poll, only if the
// day is not marked exhausted, spent stays within limit and, for polling,
// the polling units within pollLimit; it reports whether it added.
type Ledger interface {
	Take(day time.Time, cost, limit int, poll bool, pollLimit int) (bool, error)
	Exhaust(day time.Time) error
	Load(day time.Time) (spent, pollSpent int, exhausted bool, err error)
}

// ledgerRetry is how soon a spend is tried again when the ledger cannot be
// reached: the meter fails closed rather than spend blind.
const ledgerRetry = time.Minute

// WithLedger makes the meter keep its counts in l; it returns q.
func (q *QuotaMeter) WithLedger(l Ledger) *QuotaMeter {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ledger = l
	return q
}

// QuotaState is a meter's state for persistence and display.
type QuotaState struct {
	Day       time.Time
	Spent     int
	PollSpent int
	Exhausted bool
	Budget    int
	ResetAt   time.Time
}

// Snapshot returns the meter's state.
func (q *QuotaMeter) Snapshot() QuotaState {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	st := QuotaState{Day: q.day, Spent: q.spent, PollSpent: q.pollSpent, Exhausted: q.exhausted,
		Budget: q.budget, ResetAt: nextDay(q.day)}
	if q.ledger != nil {
		if spent, poll, exhausted, err := q.ledger.Load(q.day); err == nil {
			st.Spent, st.PollSpent, st.Exhausted = spent, poll, exhausted
		}
	}
	return st
}

// Restore loads a persisted state; a state from an earlier day is ignored.
func (q *QuotaMeter) Restore(s QuotaState) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	if s.Day.Equal(q.day) {
		q.spent, q.pollSpent, q.exhausted = s.Spent, s.PollSpent, s.Exhausted
	}
}

// SpendPoll takes cost units for polling if the pace and the reserve allow;
// otherwise it returns false and when polling may try again.
func (q *QuotaMeter) SpendPoll(cost int) (bool, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.roll()
	if q.ledger != nil {
		return q.spendPollShared(now, cost)
	}
	reset := nextDay(q.day)
	pollBudget := q.budget - q.reserve
	if q.exhausted || q.spent+cost > pollBudget {
		return false, reset
	}
	dayLen := reset.Sub(q.day)
	allowed := float64(pollBudget)*float64(now.Sub(q.day))/float64(dayLen) + float64(q.burst)
	if float64(q.pollSpent+cost) > allowed {
		frac := float64(q.pollSpent+cost-q.burst) / float64(pollBudget)
		return false, q.day.Add(time.Duration(frac * float64(dayLen)))
	}
	q.spent += cost
	q.pollSpent += cost
	return true, time.Time{}
}

// Spend takes cost units for a write (reply, moderation, delete) or a
// check, from the whole budget reserve included; false means wait until
// the returned reset.
func (q *QuotaMeter) Spend(cost int) (bool, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.roll()
	if q.ledger != nil {
		ok, err := q.ledger.Take(q.day, cost, q.budget, false, 0)
		switch {
		case err != nil:
			return false, now.Add(ledgerRetry)
		case !ok:
			return false, nextDay(q.day)
		}
		return true, time.Time{}
	}
	if q.exhausted || q.spent+cost > q.budget {
		return false, nextDay(q.day)
	}
	q.spent += cost
	return true, time.Time{}
}

// Exhaust records that YouTube itself said the quota is spent (another
// process, or the console's count differs): nothing is spent until reset.
// It returns the reset time.
func (q *QuotaMeter) Exhaust() time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.roll()
	q.exhausted = true
	if q.ledger != nil {
		// Failing to record it only costs other instances one refused call
		// each: YouTube tells them too.
		_ = q.ledger.Exhaust(q.day)
	}
	return nextDay(q.day)
}

// spendPollShared is SpendPoll against the ledger: the pace's allowance
// now becomes the polling limit of one atomic take.
func (q *QuotaMeter) spendPollShared(now time.Time, cost int) (bool, time.Time) {
	reset := nextDay(q.day)
	pollBudget := q.budget - q.reserve
	dayLen := reset.Sub(q.day)
	allowed := int(float64(pollBudget)*float64(now.Sub(q.day))/float64(dayLen)) + q.burst
	ok, err := q.ledger.Take(q.day, cost, pollBudget, true, allowed)
	if err != nil {
		return false, now.Add(ledgerRetry)
	}
	if ok {
		return true, time.Time{}
	}
	spent, pollSpent, exhausted, err := q.ledger.Load(q.day)
	if err != nil {
		return false, now.Add(ledgerRetry)
	}
	if exhausted || spent+cost > pollBudget {
		return false, reset
	}
	frac := float64(pollSpent+cost-q.burst) / float64(pollBudget)
	return false, q.day.Add(time.Duration(frac * float64(dayLen)))
}

// roll starts a new quota day when midnight Pacific has passed.
func (q *QuotaMeter) roll() time.Time {
	now := q.now()
	if day := startOfDay(now); !day.Equal(q.day) {
		q.day, q.spent, q.pollSpent, q.exhausted = day, 0, 0, false
	}
	return now
}

func startOfDay(t time.Time) time.Time {
	p := t.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, pacific).UTC()
}

// nextDay is the next midnight Pacific after day (23 or 25 hours later on
// the days the clocks change).
func nextDay(day time.Time) time.Time {
	p := day.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, pacific).UTC()
}
