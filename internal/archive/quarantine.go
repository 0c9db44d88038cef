package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/db"
)

// AttachmentQuarantined is the status of an attachment of an item whose
// media is in quarantine (suspected child sexual abuse material, see
// package incident): it is never fetched, a file fetched before the flag
// is deleted, and nothing serves, backs up or exports it. The attachment
// record that says so has the same status and holds no content.
const AttachmentQuarantined = "quarantined"

// QuarantineTx puts an item's attachments in quarantine, in the
// transaction that quarantines its media: each one not fetched yet will
// never be, each one fetched loses its file (queued for deletion, done by
// PurgeBlobs after the commit, unless a record outside quarantine has the
// same file), and a record of its own says so without the content. The
// attachment records of the item leave the search index.
func QuarantineTx(ctx context.Context, tx *db.Tx, itemID int64, now time.Time) error {
	if itemID == 0 {
		return nil
	}
	// The chain's lock first, as every append takes it: the fetcher takes
	// it before it marks an attachment fetched, so the two never cross.
	if err := LockTx(ctx, tx); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, "SELECT "+attachmentColumns+" FROM archive_attachments WHERE item_id = ? AND status IN ('pending', 'failed', 'fetched') ORDER BY source_seq, position", itemID)
	if err != nil {
		return fmt.Errorf("archive: quarantine: %w", err)
	}
	var atts []Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		atts = append(atts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range atts {
		if _, err := tx.Exec(ctx, "UPDATE archive_attachments SET status = 'quarantined', last_error = '' WHERE id = ?", a.ID); err != nil {
			return fmt.Errorf("archive: quarantine: %w", err)
		}
		if a.BlobSHA256 != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO archive_blob_deletions (blob_sha256, culling_id) VALUES (?, 0)
				ON CONFLICT (blob_sha256) DO UPDATE SET deleted_at = NULL`, a.BlobSHA256); err != nil {
				return fmt.Errorf("archive: quarantine: %w", err)
			}
		}
		note := "media i karantän; hämtas aldrig"
		if a.Status == AttachmentFetched {
			note = "media i karantän; filen raderas"
		}
		if err := failureRecordTx(ctx, tx, a, AttachmentContent{Status: AttachmentQuarantined, Error: note}, now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE archive_records SET search_text = '' WHERE item_id = ? AND kind = 'attachment' AND search_text <> ''", itemID); err != nil {
		return fmt.Errorf("archive: quarantine: %w", err)
	}
	return nil
}

// quarantined reports whether an item's media is in quarantine.
func (s *Store) quarantined(ctx context.Context, itemID int64) (bool, error) {
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM media_quarantine WHERE item_id = ?", itemID).Scan(&n)
	return n > 0, err
}

// quarantineItem puts an item's attachments in quarantine in a
// transaction of its own, for the fetcher that finds them so.
func (s *Store) quarantineItem(ctx context.Context, itemID int64) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return QuarantineTx(ctx, tx, itemID, s.now()) })
}

// QuarantinedBlobs returns the files that only quarantined attachments
// name: backups leave them out, whether or not they are deleted yet.
func QuarantinedBlobs(ctx context.Context, d *db.DB) (map[string]bool, error) {
	rows, err := d.Query(ctx, `SELECT DISTINCT a.blob_sha256 FROM archive_attachments a WHERE a.status = 'quarantined' AND a.blob_sha256 <> ''
		AND NOT EXISTS (SELECT 1 FROM archive_attachments o WHERE o.blob_sha256 = a.blob_sha256 AND o.status <> 'quarantined')
		AND NOT EXISTS (SELECT 1 FROM archive_snapshots n WHERE n.pdf_sha256 = a.blob_sha256 OR n.html_sha256 = a.blob_sha256)`)
	if err != nil {
		return nil, fmt.Errorf("archive: quarantined blobs: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out[h] = true
	}
	return out, rows.Err()
}

// PurgeArgs is the job that deletes the files of newly quarantined
// attachments, enqueued in the transaction that quarantines them.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "archive.purge_blobs" }

// PurgeWorker deletes the files quarantine and culling left to delete.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Store *Store
}

// Work deletes them.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	return w.Store.PurgeBlobs(ctx)
}

// PurgeBlobs deletes the files that quarantine and culling left to
// delete, unless a record that still has its content, outside quarantine,
// names the same file.
func (s *Store) PurgeBlobs(ctx context.Context) error { return s.deleteBlobs(ctx) }
