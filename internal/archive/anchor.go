package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Anchor is the chain's head as written down at a moment: a copy kept
// apart from archive_chain (in archive_anchors and in the audit log), so
// that deleting the last records and moving the head back to match is
// still caught: the anchor names a record that is no longer there, or a
// hash the chain no longer has.
type Anchor struct {
	Seq        int64
	Hash       string
	AnchoredAt time.Time
}

// AnchorHead writes the chain's head down as an anchor, unless the head
// has not moved since the last anchor. It returns the anchor, or a zero
// Anchor when there was nothing new to anchor.
func (s *Store) AnchorHead(ctx context.Context) (Anchor, error) {
	now := s.now()
	var a Anchor
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := lockHead(ctx, tx)
		if err != nil || h.seq == 0 {
			return err
		}
		var last int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM archive_anchors").Scan(&last); err != nil {
			return fmt.Errorf("archive: anchors: %w", err)
		}
		if last >= h.seq {
			return nil
		}
		if _, err := tx.Exec(ctx, "INSERT INTO archive_anchors (seq, hash, anchored_at) VALUES (?, ?, ?)", h.seq, h.hash, now); err != nil {
			return fmt.Errorf("archive: anchor: %w", err)
		}
		a = Anchor{Seq: h.seq, Hash: h.hash, AnchoredAt: now}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.anchor", ObjectType: "archive_record", ObjectID: audit.ID(h.seq),
			Summary: fmt.Sprintf("Arkivkedjans topp: handling %d", h.seq), Detail: map[string]any{"seq": h.seq, "hash": h.hash}})
	})
	return a, err
}

// anchors reads every anchor, from the anchor table and from the audit
// log (either may be tampered with alone), as seq → hashes.
func anchors(ctx context.Context, tx *sql.Tx, d *db.DB) (map[int64][]string, error) {
	out := map[int64][]string{}
	add := func(seq int64, hash string) {
		for _, h := range out[seq] {
			if h == hash {
				return
			}
		}
		out[seq] = append(out[seq], hash)
	}
	rows, err := tx.QueryContext(ctx, "SELECT seq, hash FROM archive_anchors")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var seq int64
		var hash string
		if err := rows.Scan(&seq, &hash); err != nil {
			rows.Close()
			return nil, err
		}
		add(seq, hash)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, d.Rebind("SELECT object_id, detail FROM audit_log WHERE action = ?"), "archive.anchor")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, detail string
		if err := rows.Scan(&id, &detail); err != nil {
			return nil, err
		}
		var dt struct {
			Hash string `json:"hash"`
		}
		seq, err := strconv.ParseInt(id, 10, 64)
		if err != nil || json.Unmarshal([]byte(detail), &dt) != nil || dt.Hash == "" {
			// An anchor entry that cannot be read is itself a sign of
			// tampering; keep it as an anchor no record can match.
			add(seq, "unreadable audit entry")
			continue
		}
		add(seq, dt.Hash)
	}
	return out, rows.Err()
}

// AnchorArgs is the periodic job that anchors the chain's head.
type AnchorArgs struct{}

// Kind names the job.
func (AnchorArgs) Kind() string { return "archive.anchor" }

// AnchorWorker anchors the head.
type AnchorWorker struct {
	river.WorkerDefaults[AnchorArgs]
	Store *Store
}

// Work writes an anchor when the head moved.
func (w *AnchorWorker) Work(ctx context.Context, _ *river.Job[AnchorArgs]) error {
	_, err := w.Store.AnchorHead(audit.WithActor(ctx, audit.System("arkivankare")))
	return err
}

// PeriodicAnchor anchors the head every interval.
func PeriodicAnchor(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return AnchorArgs{}, nil }, nil)
}
