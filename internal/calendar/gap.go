package calendar

import (
	"slices"
	"time"
)

// Gap is a stretch of required time that no shift covers.
type Gap struct {
	Start time.Time
	End   time.Time
	Kind  DayKind // kind of the day on which the gap starts
}

// Duration returns the real elapsed length of the gap.
func (g Gap) Duration() time.Duration { return g.End.Sub(g.Start) }

// span is a half-open interval of instants.
type span struct{ start, end time.Time }

// Gaps returns the maximal stretches inside [from, to) that the policy
// requires covered and no shift covers, sorted by start. Shifts may overlap
// and touch; touching shifts (22:00–24:00 then 00:00–08:00) count as one.
// Gaps that touch on the same kind of day are joined, so a policy requiring
// 00:00–24:00 yields one gap for an uncovered weekend, not two.
// The policy's windows are placed on each Stockholm date with wall clock
// times, so they follow DST.
func Gaps(policy Policy, shifts []Shift, from, to time.Time) []Gap {
	covered := mergeShifts(shifts)
	var gaps []Gap
	for d := DateOf(from); d.Start().Before(to); d = d.AddDays(1) {
		kind := DayKindOf(d)
		w := policy.For(kind)
		if !w.Required() {
			continue
		}
		need := span{latest(d.At(w.Start), from), earliest(d.At(w.End), to)}
		if !need.start.Before(need.end) {
			continue
		}
		for _, g := range subtract(need, covered) {
			gaps = appendGap(gaps, Gap{g.start, g.end, kind})
		}
	}
	return gaps
}

// mergeShifts returns the covered stretches, sorted and disjoint, with
// overlapping and touching shifts joined. Inverted shifts cover nothing.
func mergeShifts(shifts []Shift) []span {
	spans := make([]span, 0, len(shifts))
	for _, s := range shifts {
		if s.Start.Before(s.End) {
			spans = append(spans, span{s.Start, s.End})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && !s.start.After(out[n-1].end) {
			out[n-1].end = latest(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// subtract returns the parts of need not in covered (sorted, disjoint).
func subtract(need span, covered []span) []span {
	// Skip covered stretches that end before need starts.
	i, _ := slices.BinarySearchFunc(covered, need.start, func(c span, t time.Time) int {
		if c.end.After(t) {
			return 1
		}
		return -1
	})
	var out []span
	cur := need.start
	for ; i < len(covered) && covered[i].start.Before(need.end); i++ {
		if covered[i].start.After(cur) {
			out = append(out, span{cur, covered[i].start})
		}
		cur = latest(cur, covered[i].end)
	}
	if cur.Before(need.end) {
		out = append(out, span{cur, need.end})
	}
	return out
}

func appendGap(gaps []Gap, g Gap) []Gap {
	if n := len(gaps); n > 0 && gaps[n-1].Kind == g.Kind && gaps[n-1].End.Equal(g.Start) {
		gaps[n-1].End = g.End
		return gaps
	}
	return append(gaps, g)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
