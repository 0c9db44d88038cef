// Package backup makes a consistent copy of a live embedded installation:
// the SQLite database through VACUUM INTO (a transactionally consistent
// snapshot taken while Tilltal keeps serving) and the content-addressed blob
// store, whose blobs never change once written, from the directory or the
// S3 bucket alike. PostgreSQL databases are backed up with PostgreSQL's own
// tools (see the README); their blobs can be copied with Blobs.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
)

// Result says what a backup wrote.
type Result struct {
	// Database is the copied database file ("" for a copy of blobs only).
	Database string
	Blobs    int
}

// Run copies the database and the blob store into dir, which must not
// exist yet (a backup never overwrites another): dir/tilltal.db and
// dir/blobs, laid out as the directory store.
func Run(ctx context.Context, d *db.DB, blobs blob.Store, dir string) (Result, error) {
	if d.Dialect != db.SQLite {
		return Result{}, errors.New("backup: for PostgreSQL use pg_dump or a base backup, and --blobs-only for the blobs (see README, Operating Tilltal)")
	}
	if err := newDir(dir); err != nil {
		return Result{}, err
	}
	res := Result{Database: filepath.Join(dir, "tilltal.db")}
	// VACUUM INTO takes a read transaction: the copy is the database as of
	// one instant, however much is written meanwhile.
	if _, err := d.Write.ExecContext(ctx, "VACUUM INTO ?", res.Database); err != nil {
		return Result{}, fmt.Errorf("backup: copy database: %w", err)
	}
	// Blobs are written before the records that refer to them, so copying
	// them after the snapshot gives every blob the snapshot needs.
	n, err := copyBlobs(ctx, d, blobs, filepath.Join(dir, "blobs"))
	res.Blobs = n
	return res, err
}

// Blobs copies only the blob store into dir/blobs, for installations whose
// database is backed up apart (PostgreSQL): run it after the database's
// backup, so that the copy holds every blob that backup refers to. The
// database says which files are quarantined media, never copied.
func Blobs(ctx context.Context, d *db.DB, blobs blob.Store, dir string) (Result, error) {
	if err := newDir(dir); err != nil {
		return Result{}, err
	}
	n, err := copyBlobs(ctx, d, blobs, filepath.Join(dir, "blobs"))
	return Result{Blobs: n}, err
}

func newDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new directory", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// copyBlobs copies every blob of from into a directory store at to, but
// for quarantined media (suspected child sexual abuse material, which no
// copy may hold; asked after the listing, so a quarantine that lands
// meanwhile is honoured). Each is read through the store, which checks it
// against its hash, and stored again under the hash it hashes to: a
// changed blob fails the backup instead of being copied as if it were
// sound.
func copyBlobs(ctx context.Context, d *db.DB, from blob.Store, to string) (int, error) {
	dst, err := blob.NewDir(to, 0)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	var hashes []string
	if err := from.List(ctx, func(hash string) error { hashes = append(hashes, hash); return nil }); err != nil {
		return 0, fmt.Errorf("backup: list blobs: %w", err)
	}
	quarantined, err := archive.QuarantinedBlobs(ctx, d)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	n := 0
	for _, hash := range hashes {
		if quarantined[hash] {
			continue
		}
		copied, err := copyBlob(ctx, from, dst, hash)
		if err != nil {
			return n, fmt.Errorf("backup: copy blobs: %s: %w", hash, err)
		}
		if copied {
			n++
		}
	}
	if err := os.Remove(filepath.Join(to, "tmp")); err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

func copyBlob(ctx context.Context, from blob.Store, to *blob.Dir, hash string) (bool, error) {
	r, err := from.Open(ctx, hash)
	if errors.Is(err, blob.ErrNotFound) {
		return false, nil // culled since it was listed
	}
	if err != nil {
		return false, err
	}
	defer r.Close()
	got, _, err := to.Put(ctx, r)
	if err != nil {
		return false, err
	}
	if got != hash {
		return false, blob.ErrCorrupt
	}
	return true, nil
}
