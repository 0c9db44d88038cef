package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	ctype := ContentJSON
	if !json.Valid(body) {
		ctype = "application/octet-stream"
	}
	if len(body) == 0 {
		// Nothing to keep but the fact of the delivery; content may not be
		// empty.
		body, ctype = []byte("null"), ContentJSON
	}
	r, err := AppendTx(ctx, tx, Record{Kind: KindRawDelivery, Platform: deliveryPlatform(source, object),
		ExternalID: source + ":" + strconv.FormatInt(deliveryID, 10), Direction: In, OccurredAt: received, CapturedAt: received,
		ContentType: ctype, Content: body})
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO archive_deliveries (delivery_id, record_seq) VALUES (?, ?)", deliveryID, r.Seq); err != nil {
		return 0, fmt.Errorf("archive: delivery %d: %w", deliveryID, err)
	}
	return r.Seq, nil
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
	rows, err := s.DB.Query(ctx, `SELECT d.id FROM webhook_deliveries d
		WHERE NOT EXISTS (SELECT 1 FROM archive_deliveries a WHERE a.delivery_id = d.id) ORDER BY d.id LIMIT ?`, limit)
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
