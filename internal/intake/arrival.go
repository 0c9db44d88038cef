package intake

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"tilltal/internal/db"
)

// An acknowledged delivery waits in webhook_arrivals (ack.go). The batch's
// transaction takes its arrivals by deleting them — on PostgreSQL a second
// instance taking the same rows waits for the first to commit and then
// finds them gone, or takes them over if it rolled back — and stores each
// body once in webhook_deliveries. A body stored before, or twice in the
// batch, is a replay: its arrival is counted on the delivery's row and it
// has nothing more to process.

// claim takes, in tx, the arrivals of ins that still wait and returns, in
// their order, those to process: each with its delivery stored and its
// DeliveryID set; and how many it took. Arrivals taken meanwhile by another
// instance and replays are left out. ins is not changed.
func claim(ctx context.Context, tx *db.Tx, ins []inbound, now time.Time) ([]inbound, int, error) {
	taken, err := takeArrivals(ctx, tx, ins)
	if err != nil {
		return nil, 0, fmt.Errorf("intake: take arrivals: %w", err)
	}
	work := slices.Clone(ins)
	var legacy, fresh []*inbound
	for i := range work {
		in := &work[i]
		switch {
		case !taken[in.arrival]:
		case in.legacy:
			legacy = append(legacy, in)
		default:
			fresh = append(fresh, in)
		}
	}
	keep := map[int64]bool{} // arrivals to process
	mine, err := claimLegacy(ctx, tx, legacy, now)
	if err != nil {
		return nil, 0, err
	}
	for _, in := range legacy {
		keep[in.arrival] = mine[in.DeliveryID]
	}
	if err := storeDeliveries(ctx, tx, fresh, now, keep); err != nil {
		return nil, 0, fmt.Errorf("intake: store deliveries: %w", err)
	}
	out := make([]inbound, 0, len(work))
	for _, in := range work {
		if keep[in.arrival] {
			out = append(out, in)
		}
	}
	return out, len(taken), nil
}

// takeArrivals deletes the arrivals of ins in tx and returns those it
// deleted.
func takeArrivals(ctx context.Context, tx *db.Tx, ins []inbound) (map[int64]bool, error) {
	taken := make(map[int64]bool, len(ins))
	for from := 0; from < len(ins); from += claimMax {
		part := ins[from:min(from+claimMax, len(ins))]
		ids := make([]any, len(part))
		for i, in := range part {
			ids[i] = in.arrival
		}
		list, padded := db.InList(ids)
		if err := collectIDs(ctx, tx, "DELETE FROM webhook_arrivals WHERE id IN ("+list+") RETURNING id", padded, taken); err != nil {
			return nil, err
		}
	}
	return taken, nil
}

// body is one distinct body among a batch's arrivals.
type body struct {
	first *inbound
	// arrivals counts the batch's arrivals of it, last is the latest.
	arrivals int
	last     time.Time
}

// deliveryColumns are what a delivery's row is stored with.
const deliveryColumns = "source, body_sha256, body, object_type, event_count, parse_error, received_at, last_received_at, receive_count, processed_at"

// deliveryUpsert stores bodies as processed deliveries. A body stored
// before only counts its arrivals, in the same statement; the
// receive_count returned tells which rows were new (it equals the
// arrivals of this batch only for a row this statement inserted).
const deliveryUpsert = `INSERT INTO webhook_deliveries (` + deliveryColumns + `) VALUES %s
	ON CONFLICT (source, body_sha256) DO UPDATE SET receive_count = webhook_deliveries.receive_count + excluded.receive_count,
	last_received_at = CASE WHEN excluded.last_received_at > webhook_deliveries.last_received_at
		THEN excluded.last_received_at ELSE webhook_deliveries.last_received_at END
	RETURNING id, receive_count, source, body_sha256`

// storeDeliveries stores the bodies of the fresh arrivals (taken, from
// after webhook_arrivals) as deliveries, sets the DeliveryID of the first
// arrival of each new body and marks it in keep.
func storeDeliveries(ctx context.Context, tx *db.Tx, fresh []*inbound, now time.Time, keep map[int64]bool) error {
	type key struct{ source, sum string }
	index := map[key]int{}
	var bodies []body
	for _, in := range fresh {
		k := key{in.source, in.sum}
		if i, ok := index[k]; ok {
			bodies[i].arrivals++
			bodies[i].last = later(bodies[i].last, in.received)
			continue
		}
		index[k] = len(bodies)
		bodies = append(bodies, body{first: in, arrivals: 1, last: in.received})
	}
	// In one order everywhere, so that two instances upserting the same
	// bodies lock their rows in the same order and cannot deadlock.
	slices.SortFunc(bodies, func(a, b body) int {
		return cmp.Or(strings.Compare(a.first.source, b.first.source), strings.Compare(a.first.sum, b.first.sum))
	})
	from := 0
	for _, n := range db.Chunks(len(bodies), insertChunk(tx.Dialect)) {
		if err := upsertDeliveries(ctx, tx, bodies[from:from+n], now, keep); err != nil {
			return err
		}
		from += n
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// upsertDeliveries stores one chunk of distinct bodies.
func upsertDeliveries(ctx context.Context, tx *db.Tx, part []body, now time.Time, keep map[int64]bool) error {
	args := make([]any, 0, 10*len(part))
	type key struct{ source, sum string }
	byKey := make(map[key]*body, len(part))
	for i := range part {
		b := &part[i]
		in := b.first
		k := keyOfReading(in.read)
		args = append(args, in.source, in.sum, in.body, k.object, k.events, k.parseError, in.received, b.last, b.arrivals, now)
		byKey[key{in.source, in.sum}] = b
	}
	rows, err := tx.Query(ctx, strings.Replace(deliveryUpsert, "%s", db.ValuesList(len(part), 10), 1), args...)
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
		if b := byKey[k]; b != nil && count == b.arrivals {
			b.first.DeliveryID = id
			keep[b.first.arrival] = true
		}
	}
	return rows.Err()
}

// legacyEvery is how often the processor looks for deliveries an older
// Tilltal stored unprocessed after the upgrade queued its backlog.
const legacyEvery = 30 * time.Second

// queueLegacy queues as arrivals the deliveries an older Tilltal stored and
// left unprocessed that are not queued yet. The upgrade queued those there
// were (migration 00046), but during a rolling upgrade an older instance
// on the same PostgreSQL may still acknowledge after it, and stop before
// it processes what it acknowledged. Two instances queueing the same row
// are harmless: its claim (claimLegacy) takes it once.
func (s *Store) queueLegacy(ctx context.Context) error {
	const orphans = `FROM webhook_deliveries d WHERE d.processed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM webhook_arrivals a WHERE a.delivery_id = d.id)`
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) "+orphans).Scan(&n); err != nil || n == 0 {
		return err
	}
	_, err := s.DB.Exec(ctx, "INSERT INTO webhook_arrivals (source, body, received_at, delivery_id) SELECT source, body, received_at, id "+orphans+" ORDER BY id")
	return err
}
