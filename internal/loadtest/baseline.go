package loadtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/db"
)

// BaselineBatch is how many payloads one baseline transaction inserts, in
// one multi-row INSERT: the intake's group commit takes up to as many.
const BaselineBatch = 64

// The baseline inserts at least baselineMinRows rows, the run's payloads
// over again when it sent fewer (a shorter measurement is mostly noise),
// and at most baselineMaxRows, the first of them when it sent more (the
// rate is steady long before, and they are all held in memory).
const (
	baselineMinRows = 20_000
	baselineMaxRows = 100_000
)

// Baseline is what the bare insert measured.
type Baseline struct {
	// Rows is how many payloads it inserted; PerSecond how many a second.
	Rows      int
	PerSecond float64
}

// MeasureBaseline inserts the run's raw payloads, exactly as they were
// sent, into a scratch table of the same database: BaselineBatch rows per
// multi-row INSERT and transaction. The table has an id and a time beside
// the body, as webhook_arrivals has, and no other index: it is what
// storing the raw payloads durably costs at the least, the floor the
// server's rates are compared with. The payloads are made before the clock
// starts, and the table is dropped afterwards.
func MeasureBaseline(ctx context.Context, d *db.DB, r Result) (b Baseline, err error) {
	sent := int(min(r.Sent, baselineMaxRows))
	if sent == 0 {
		return Baseline{}, errors.New("loadtest: baseline: nothing was sent")
	}
	bodies := make([][]byte, sent)
	for i := range bodies {
		bodies[i] = r.Payloads.Body(int64(i + 1))
	}
	table := fmt.Sprintf("loadtest_baseline_%d", time.Now().UnixNano())
	if _, err := d.Exec(ctx, db.Translate(d.Dialect, "CREATE TABLE "+table+" (id SERIAL_PK, body BYTES NOT NULL, received_at TSTZ NOT NULL)")); err != nil {
		return Baseline{}, fmt.Errorf("loadtest: baseline: %w", err)
	}
	defer func() {
		// Dropped even when ctx has ended: the table is ours to remove.
		if _, derr := d.Exec(context.WithoutCancel(ctx), "DROP TABLE "+table); derr != nil && err == nil {
			err = fmt.Errorf("loadtest: baseline: drop %s: %w", table, derr)
		}
	}()
	rows := max(sent, baselineMinRows)
	insert := "INSERT INTO " + table + " (body, received_at) VALUES "
	full := insert + valuesList(BaselineBatch, 2)
	args := make([]any, 0, 2*BaselineBatch)
	start := time.Now()
	for from := 0; from < rows; from += BaselineBatch {
		n := min(BaselineBatch, rows-from)
		q := full
		if n < BaselineBatch {
			q = insert + valuesList(n, 2)
		}
		now := time.Now().UTC()
		args = args[:0]
		for i := range n {
			args = append(args, bodies[(from+i)%sent], now)
		}
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, q, args...)
			return err
		})
		if err != nil {
			return Baseline{}, fmt.Errorf("loadtest: baseline: %w", err)
		}
	}
	return Baseline{Rows: rows, PerSecond: float64(rows) / time.Since(start).Seconds()}, nil
}

// valuesList is "(?, ?), (?, ?)" for rows rows of cols columns.
func valuesList(rows, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}
