package report

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// BenchmarkRows reads a year of twelve channels' stored days holding
// 1,000,000 facts: what every year-long report reads first.
func BenchmarkRows(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(3, 4))
			day := calendar.NewDate(2025, 6, 1)
			err := d.InTx(ctx, func(tx *db.Tx) error {
				for i := 0; i < 365; i++ {
					for c := int64(1); c <= 12; c++ {
						r := Row{Day: day.AddDays(i), ChannelID: c, DepartmentID: c % 5, Platform: "facebook"}
						for range 1_000_000 / (365 * 12) {
							r.Facts = append(r.Facts, Fact{Wait: uint32(rng.IntN(20000)), How: uint8(rng.IntN(168)), Period: calendar.Period(rng.IntN(5))})
						}
						if err := insertRow(ctx, tx, r, time.Now()); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			s := &Store{DB: d}
			f := Filter{From: day, To: day.AddDays(364)}
			for b.Loop() {
				if _, err := s.Rows(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
