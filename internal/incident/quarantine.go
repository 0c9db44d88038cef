package incident

import (
	"context"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// quarantineTx puts an item's media in quarantine: from this instant no
// one may read it, and backups, exports, search and releases leave it out
// (packages that keep media ask Quarantined). Its attachments are never
// fetched, and any file fetched before the flag is deleted by a job
// enqueued here, so that it goes as soon as the flag commits.
func (s *Store) quarantineTx(ctx context.Context, tx *db.Tx, itemID int64, reason string, now time.Time) error {
	r, err := tx.Exec(ctx, "INSERT INTO media_quarantine (item_id, reason, quarantined_at) VALUES (?, ?, ?) ON CONFLICT (item_id) DO NOTHING", itemID, reason, now.UTC())
	if err != nil {
		return wrap("quarantine", err)
	}
	// Every time, not only the first: a new version of the item may name
	// attachments the first quarantine did not see.
	if err := archive.QuarantineTx(ctx, tx, itemID, now.UTC()); err != nil {
		return wrap("quarantine", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil
	}
	if err := s.enqueue(ctx, tx, archive.PurgeArgs{}); err != nil {
		return wrap("quarantine", err)
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "incident.quarantine", ObjectType: "item", ObjectID: audit.ID(itemID),
		Summary: "Media i karantän: " + reason})
}

// Quarantined reports whether an item's media is in quarantine (or
// purged, after which there is nothing left to read): archive, backup,
// export, search and release must leave such media out.
func Quarantined(ctx context.Context, d *db.DB, itemID int64) (bool, error) {
	var n int
	err := d.QueryRow(ctx, "SELECT COUNT(*) FROM media_quarantine WHERE item_id = ?", itemID).Scan(&n)
	return n > 0, wrap("quarantined", err)
}
