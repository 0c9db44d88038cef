package calendar

import (
	"testing"
	"time"
)

// benchRota is a realistic four-person rota: office hours, evenings, weekend
// and holiday cover, one absence.
func benchRota() Rota {
	r := Rota{
		Weekly:   append(weekdays("08:00", "17:00", 1), weekdays("17:00", "22:00", 2)...),
		Holiday:  []HolidayShift{{"10:00", "18:00", 4}},
		Absences: []Absence{{2, Date{2026, 12, 14}, Date{2026, 12, 18}}},
	}
	for _, wd := range []time.Weekday{time.Saturday, time.Sunday} {
		r.Weekly = append(r.Weekly, WeeklyShift{wd, "09:00", "21:00", 3})
	}
	return r
}

func BenchmarkGaps4Weeks(b *testing.B) {
	from, to := local(2026, 12, 7, 0, 0), local(2027, 1, 4, 0, 0)
	shifts, err := benchRota().Expand(from, to)
	if err != nil {
		b.Fatal(err)
	}
	policy := DefaultPolicy()
	b.ReportAllocs()
	for b.Loop() {
		Gaps(policy, shifts, from, to)
	}
}

func BenchmarkExpandAndGaps4Weeks(b *testing.B) {
	from, to := local(2026, 12, 7, 0, 0), local(2027, 1, 4, 0, 0)
	r, policy := benchRota(), DefaultPolicy()
	b.ReportAllocs()
	for b.Loop() {
		shifts, _ := r.Expand(from, to)
		Gaps(policy, shifts, from, to)
	}
}

func BenchmarkClassify(b *testing.B) {
	t := utc(2026, 12, 24, 16, 0)
	for b.Loop() {
		Classify(t)
	}
}
