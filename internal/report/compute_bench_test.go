package report_test

import (
	"math/rand/v2"
	"testing"

	"tilltal/internal/calendar"
	"tilltal/internal/report"
)

// syntheticRows are a year of twelve channels' days holding n facts.
func syntheticRows(n int) []report.Row {
	rng := rand.New(rand.NewPCG(3, 4))
	var rows []report.Row
	perRow := n / (365 * 12)
	day := calendar.NewDate(2025, 6, 1)
	for d := 0; d < 365; d++ {
		for c := int64(1); c <= 12; c++ {
			r := report.Row{Day: day.AddDays(d), ChannelID: c, DepartmentID: c % 5, Platform: "facebook"}
			for range perRow {
				f := report.Fact{Wait: uint32(rng.ExpFloat64() * 10800), How: uint8(rng.IntN(168)), Period: calendar.Period(rng.IntN(5)), Question: rng.IntN(3) == 0}
				if rng.IntN(5) == 0 {
					f.Wait = report.Unanswered
				}
				r.Facts = append(r.Facts, f)
			}
			r.Incoming = len(r.Facts)
			rows = append(rows, r)
		}
	}
	return rows
}

// BenchmarkCompute sums a year of 1,000,000 facts into figures.
func BenchmarkCompute(b *testing.B) {
	rows := syntheticRows(1_000_000)
	for b.Loop() {
		report.Compute(rows)
	}
}
