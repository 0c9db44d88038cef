package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/db"
)

// DeliveryTx archives a raw webhook delivery, exactly as received, in tx
// and returns its record's seq; a delivery already archived returns the
// record it has. Intake's transaction calls it for every delivery that
// brought new events, and the sweep for all others (those Tilltal could
// not parse, or that only repeated known events), so every delivery
// Tilltal acknowledged is in the archive.
func DeliveryTx(ctx context.Context, tx *db.Tx, deliveryID int64) (int64, error) {
	if err := LockTx(ctx, tx); err != nil {
		return 0, err
	}
	var seq int64
	err := tx.QueryRow(ctx, "SELECT record_seq FROM archive_deliveries WHERE delivery_id = ?", deliveryID).Scan(&seq)
	if err == nil {
		return seq, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("archive: delivery %d: %w", deliveryID, err)
	}
	var source, object string
	var body []byte
	var received time.Time
	if err := tx.QueryRow(ctx, "SELECT source, body, object_type, received_at FROM webhook_deliveries WHERE id = ?", deliveryID).
		Scan(&source, &body, &object, &received); err != nil {
		return 0, fmt.Errorf("archive: delivery %d: %w", deliveryID, err)
	}
	r, err := AppendTx(ctx, tx, deliveryRecord(deliveryID, source, object, body, received))
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO archive_deliveries (delivery_id, record_seq) VALUES (?, ?)", deliveryID, r.Seq); err != nil {
		return 0, fmt.Errorf("archive: delivery %d: %w", deliveryID, err)
	}
	return r.Seq, nil
}

// DeliveriesTx is DeliveryTx for several deliveries at once, with one
// statement per step for all of them instead of four per delivery: the
// intake's processor archives a batch of deliveries in one transaction.
// It returns each delivery's record seq; those archived before keep
// theirs, and new records are appended in the order of ids.
func DeliveriesTx(ctx context.Context, tx *db.Tx, ids []int64) (map[int64]int64, error) {
	if err := LockTx(ctx, tx); err != nil {
		return nil, err
	}
	seqs := make(map[int64]int64, len(ids))
	if len(ids) == 0 {
		return seqs, nil
	}
	if err := scanPairs(ctx, tx, "SELECT delivery_id, record_seq FROM archive_deliveries WHERE delivery_id IN ", ids, func(id, seq int64) {
		seqs[id] = seq
	}); err != nil {
		return nil, fmt.Errorf("archive: deliveries: %w", err)
	}
	var fresh []int64
	for _, id := range ids {
		if _, done := seqs[id]; !done && !slices.Contains(fresh, id) {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) == 0 {
		return seqs, nil
	}
	rs, err := deliveryRecords(ctx, tx, fresh)
	if err != nil {
		return nil, err
	}
	if rs, err = appendAll(ctx, tx, rs); err != nil {
		return nil, err
	}
	args := make([]any, 0, 2*len(rs))
	for i, r := range rs {
		seqs[fresh[i]] = r.Seq
		args = append(args, fresh[i], r.Seq)
	}
	start := 0
	for _, n := range db.Chunks(len(rs), maxRowsPerInsert) {
		part := args[2*start : 2*(start+n)]
		start += n
		if _, err := tx.Exec(ctx, "INSERT INTO archive_deliveries (delivery_id, record_seq) VALUES "+db.ValuesList(n, 2), part...); err != nil {
			return nil, fmt.Errorf("archive: deliveries: %w", err)
		}
	}
	return seqs, nil
}

// deliveryRecords reads the deliveries of ids and makes their records, in
// the order of ids.
func deliveryRecords(ctx context.Context, tx *db.Tx, ids []int64) ([]Record, error) {
	byID := make(map[int64]Record, len(ids))
	for from := 0; from < len(ids); from += maxRowsPerInsert {
		part := ids[from:min(from+maxRowsPerInsert, len(ids))]
		in, args := db.InList(int64Args(part))
		rows, err := tx.Query(ctx, "SELECT id, source, body, object_type, received_at FROM webhook_deliveries WHERE id IN ("+in+")", args...)
		if err != nil {
			return nil, fmt.Errorf("archive: deliveries: %w", err)
		}
		for rows.Next() {
			var id int64
			var source, object string
			var body []byte
			var received time.Time
			if err := rows.Scan(&id, &source, &body, &object, &received); err != nil {
				rows.Close()
				return nil, err
			}
			byID[id] = deliveryRecord(id, source, object, body, received)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]Record, len(ids))
	for i, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("archive: delivery %d: %w", id, sql.ErrNoRows)
		}
		out[i] = r
	}
	return out, nil
}

// deliveryRecord is the record of a raw delivery: its body exactly as
// received.
func deliveryRecord(id int64, source, object string, body []byte, received time.Time) Record {
	ctype := ContentJSON
	if !json.Valid(body) {
		ctype = "application/octet-stream"
	}
	if len(body) == 0 {
		// Nothing to keep but the fact of the delivery; content may not be
		// empty.
		body, ctype = []byte("null"), ContentJSON
	}
	return Record{Kind: KindRawDelivery, Platform: deliveryPlatform(source, object),
		ExternalID: source + ":" + strconv.FormatInt(id, 10), Direction: In, OccurredAt: received, CapturedAt: received,
		ContentType: ctype, Content: body}
}

// scanPairs runs q with "(?, …)" of ids appended, in chunks, and hands
// each row's two integers to f.
func scanPairs(ctx context.Context, tx *db.Tx, q string, ids []int64, f func(a, b int64)) error {
	for from := 0; from < len(ids); from += maxRowsPerInsert {
		part := ids[from:min(from+maxRowsPerInsert, len(ids))]
		in, args := db.InList(int64Args(part))
		rows, err := tx.Query(ctx, q+"("+in+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a, b int64
			if err := rows.Scan(&a, &b); err != nil {
				rows.Close()
				return err
			}
			f(a, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// deliveryPlatform names the platform of a delivery from Meta's object
// type: "page" deliveries are Facebook's, "instagram" Instagram's.
func deliveryPlatform(source, object string) string {
	if source != "meta" {
		return source
	}
	switch object {
	case "page":
		return "facebook"
	case "instagram":
		return "instagram"
	}
	return ""
}

// SweepArgs is the periodic job that archives deliveries the inbox's
// transaction did not.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "archive.sweep_deliveries" }

// SweepWorker archives every raw delivery not yet in the archive.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Store *Store
}

// Work archives a round of deliveries.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Store.SweepDeliveries(ctx, 500)
	return err
}

// PeriodicSweep looks for deliveries to archive every interval.
// The first run is one interval after start: nothing is lost by waiting,
// and the jobs that must run at start get the workers first.
func PeriodicSweep(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, nil)
}

// SweepDeliveries archives up to limit deliveries that are not in the
// archive yet and returns how many it archived.
func (s *Store) SweepDeliveries(ctx context.Context, limit int) (int, error) {
	// An unprocessed delivery is left to its processing, which archives it
	// with what it parsed (its platform among them).
	rows, err := s.DB.Query(ctx, `SELECT d.id FROM webhook_deliveries d
		WHERE d.processed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM archive_deliveries a WHERE a.delivery_id = d.id) ORDER BY d.id LIMIT ?`, limit)
	if err != nil {
		return 0, fmt.Errorf("archive: sweep: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := DeliveryTx(ctx, tx, id)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
