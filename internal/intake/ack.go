package intake

import (
	"context"
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

// insertChunk is the most deliveries one INSERT takes, as arrivals or
// as deliveries; a batch is split into chunks of sizes from a fixed set (db.Chunks), so that SQLite
// compiles each of their few texts once and its writer's statement cache
// keeps them. PostgreSQL pays a round trip per statement and pgx caches
// each text, so one statement takes a whole batch of up to 1,000 (ten
// placeholders a row stay far under its limit of 65,535).
func insertChunk(d db.Dialect) int {
	if d == db.SQLite {
		return 64
	}
	return 1000
}

// saveArrivals appends the raw deliveries ds to webhook_arrivals in tx.
// Nothing is known of them yet: whether a body came before is found when
// it is processed.
func saveArrivals(ctx context.Context, tx *db.Tx, now time.Time, ds []Delivery) ([]Saved, error) {
	from := 0
	for _, n := range db.Chunks(len(ds), insertChunk(tx.Dialect)) {
		args := make([]any, 0, 3*n)
		for _, d := range ds[from : from+n] {
			args = append(args, d.Source, d.Body, now)
		}
		if _, err := tx.Exec(ctx, arrivalInsert+db.ValuesList(n, 3), args...); err != nil {
			return nil, err
		}
		from += n
	}
	return make([]Saved, len(ds)), nil
}
