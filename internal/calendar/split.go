package calendar

import "time"

// Split divides the span [from, to) into the periods it crosses: how much of
// a wait fell in office hours, evenings, nights, weekends and holidays. It
// walks the span from one period boundary to the next (08:00, 17:00, 22:00
// and midnight, Stockholm wall clock), so a week-long span costs a few
// dozen steps, and daylight-saving days come out at their true length.
func Split(from, to time.Time) map[Period]time.Duration {
	out := map[Period]time.Duration{}
	for t := from; t.Before(to); {
		next := nextBoundary(t)
		if next.After(to) {
			next = to
		}
		out[Classify(t)] += next.Sub(t)
		t = next
	}
	return out
}

// nextBoundary is the first instant after t where the period may change.
func nextBoundary(t time.Time) time.Time {
	d := DateOf(t)
	for _, b := range []TimeOfDay{OfficeStart, OfficeEnd, EveningEnd} {
		if at := d.At(b); at.After(t) {
			return at
		}
	}
	return d.AddDays(1).Start()
}
