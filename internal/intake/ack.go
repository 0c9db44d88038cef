package intake

import (
	"context"
	"strings"
	"time"

	"tilltal/internal/db"
)

// The acknowledgement stores the raw delivery and nothing else: reading
// the body, routing its events and storing them waited in front of every
// 200 and held SQLite's only writer, while Meta needs only to know that the
// bytes it sent are durable. The processor does the rest (process.go).

// rawRow is one distinct body of a batch on its way in.
type rawRow struct {
	d *Delivery
	// at is the first delivery of the batch with this body, arrivals how
	// many of the batch have it.
	at       int
	arrivals int
}

// rawColumns are stored per body; processed_at stays NULL for the
// processor and the rest of the row is filled when it reads the body.
const rawColumns = "source, body_sha256, body, received_at, last_received_at, receive_count"

// A body stored before only counts its arrivals, in the same statement: a
// second statement per replay was a round trip more on PostgreSQL. The
// receive_count returned tells which rows were new (it equals the
// arrivals of this batch only for a row this statement inserted).
const rawUpsert = `INSERT INTO webhook_deliveries (` + rawColumns + `) VALUES %s
	ON CONFLICT (source, body_sha256) DO UPDATE SET receive_count = webhook_deliveries.receive_count + excluded.receive_count,
	last_received_at = excluded.last_received_at
	RETURNING id, receive_count, source, body_sha256`

// rawChunk is the most bodies one INSERT takes; a batch is split into
// chunks of sizes from a fixed set (db.Chunks), so that SQLite compiles
// each of their few texts once and its writer's statement cache keeps
// them. (A single-row statement run per row measured the same within the
// noise: the unique index on the body's hash, not compiling, is most of
// the cost of a row.) PostgreSQL pays a round trip per statement and pgx
// caches each text, so one statement takes a whole batch of up to 1,000
// (six placeholders a row stay far under its limit of 65,535).
func rawChunk(d db.Dialect) int {
	if d == db.SQLite {
		return 64
	}
	return 1000
}

// saveRaw stores the raw deliveries ds in tx. A body stored earlier, or
// earlier in the batch, is a replay: it counts its arrival and keeps its
// row.
func saveRaw(ctx context.Context, tx *db.Tx, now time.Time, ds []Delivery) ([]Saved, error) {
	out := make([]Saved, len(ds))
	type key struct{ source, sum string }
	first := map[key]int{} // index in rows
	rows := make([]rawRow, 0, len(ds))
	for i := range ds {
		k := key{ds[i].Source, ds[i].hash()}
		if j, ok := first[k]; ok {
			rows[j].arrivals++
			continue
		}
		first[k] = len(rows)
		rows = append(rows, rawRow{d: &ds[i], at: i, arrivals: 1})
	}
	from := 0
	for _, n := range db.Chunks(len(rows), rawChunk(tx.Dialect)) {
		if err := upsertRaw(ctx, tx, now, rows[from:from+n], out); err != nil {
			return nil, err
		}
		from += n
	}
	for i := range ds {
		at := rows[first[key{ds[i].Source, ds[i].hash()}]].at
		if at != i {
			out[i] = Saved{DeliveryID: out[at].DeliveryID, Replay: true}
		}
	}
	return out, nil
}

// upsertRaw stores one chunk of distinct bodies and sets the result of the
// first delivery of each.
func upsertRaw(ctx context.Context, tx *db.Tx, now time.Time, part []rawRow, out []Saved) error {
	args := make([]any, 0, 6*len(part))
	type key struct{ source, sum string }
	byKey := make(map[key]*rawRow, len(part))
	for i := range part {
		r := &part[i]
		args = append(args, r.d.Source, r.d.hash(), r.d.Body, now, now, r.arrivals)
		byKey[key{r.d.Source, r.d.hash()}] = r
	}
	rows, err := tx.Query(ctx, rawUpsertFor(len(part)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var count int
		var k key
		if err := rows.Scan(&id, &count, &k.source, &k.sum); err != nil {
			return err
		}
		if r := byKey[k]; r != nil {
			out[r.at] = Saved{DeliveryID: id, Replay: count != r.arrivals}
		}
	}
	return rows.Err()
}

// rawUpsertFor is rawUpsert for n rows.
func rawUpsertFor(n int) string {
	return strings.Replace(rawUpsert, "%s", db.ValuesList(n, 6), 1)
}
