package intake

import (
	"context"
	"database/sql"
	"time"

	"tilltal/internal/db"
)

// The acknowledgement appends the raw delivery to webhook_arrivals and does
// nothing else: reading the body, routing its events and storing them
// waited in front of every 200 and held SQLite's only writer, while Meta
// needs only to know that the bytes it sent are durable. Even finding a
// replay waits: its key, the body's hash, is random, and keeping a unique
// index on it was most of what a row cost. The processor does the rest,
// replays included (process.go, arrival.go).

// arrivalColumns are stored per delivery.
const arrivalColumns = "source, body, received_at"

const arrivalInsert = "INSERT INTO webhook_arrivals (" + arrivalColumns + ") VALUES "

// insertChunk is the most deliveries one INSERT takes, as arrivals or as
// deliveries; a batch is split into chunks of sizes from a fixed set
// (db.Chunks), so that SQLite compiles each of their few texts once and
// its writer's statement cache keeps them. PostgreSQL pays a round trip
// per statement and pgx caches each text, so one statement takes a whole
// batch of up to 1,000 (ten placeholders a row stay far under its limit
// of 65,535).
func insertChunk(d db.Dialect) int {
	if d == db.SQLite {
		return 64
	}
	return 1000
}

// saveArrivals appends the raw deliveries ds to webhook_arrivals, in one
// transaction. Nothing is known of them yet: whether a body came before is
// found when it is processed. A batch that fits one statement runs it on
// its own, which is a transaction by itself: on PostgreSQL that is one
// round trip where BEGIN and COMMIT made three.
func (s *Store) saveArrivals(ctx context.Context, now time.Time, ds []Delivery) ([]Saved, error) {
	chunks := db.Chunks(len(ds), insertChunk(s.DB.Dialect))
	if len(chunks) == 1 {
		return make([]Saved, len(ds)), appendArrivals(ctx, s.DB, now, ds)
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		from := 0
		for _, n := range chunks {
			if err := appendArrivals(ctx, tx, now, ds[from:from+n]); err != nil {
				return err
			}
			from += n
		}
		return nil
	})
	return make([]Saved, len(ds)), err
}

// execer is a database or a transaction.
type execer interface {
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// appendArrivals appends ds with one INSERT.
func appendArrivals(ctx context.Context, e execer, now time.Time, ds []Delivery) error {
	args := make([]any, 0, 3*len(ds))
	for _, d := range ds {
		args = append(args, d.Source, d.Body, now)
	}
	_, err := e.Exec(ctx, arrivalInsert+db.ValuesList(len(ds), 3), args...)
	return err
}
