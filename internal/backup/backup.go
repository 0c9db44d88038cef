// Package backup makes a consistent copy of a live embedded installation:
// the SQLite database through VACUUM INTO (a transactionally consistent
// snapshot taken while Tilltal keeps serving) and the content-addressed blob
// store, whose files never change once written. PostgreSQL installations
// are backed up with PostgreSQL's own tools (see the README).
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"tilltal/internal/db"
)

// Result says what a backup wrote.
type Result struct {
	Database string
	Blobs    int
}

// Run copies the database and the blob store of dataDir into dir, which
// must not exist yet (a backup never overwrites another).
func Run(ctx context.Context, d *db.DB, dataDir, dir string) (Result, error) {
	if d.Dialect != db.SQLite {
		return Result{}, errors.New("backup: for PostgreSQL use pg_dump or a base backup (see README, Operating Tilltal)")
	}
	if _, err := os.Stat(dir); err == nil {
		return Result{}, fmt.Errorf("backup: %s already exists; choose a new directory", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	res := Result{Database: filepath.Join(dir, "tilltal.db")}
	// VACUUM INTO takes a read transaction: the copy is the database as of
	// one instant, however much is written meanwhile.
	if _, err := d.Write.ExecContext(ctx, "VACUUM INTO ?", res.Database); err != nil {
		return Result{}, fmt.Errorf("backup: copy database: %w", err)
	}
	// Blobs are written before the records that refer to them, so copying
	// them after the snapshot gives every blob the snapshot needs.
	n, err := copyTree(filepath.Join(dataDir, "blobs"), filepath.Join(dir, "blobs"))
	if err != nil {
		return Result{}, err
	}
	res.Blobs = n
	return res, nil
}

// copyTree copies regular files; a missing source is an empty store.
func copyTree(from, to string) (int, error) {
	n := 0
	err := filepath.WalkDir(from, func(path string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == from {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if strings.HasPrefix(rel, "..") {
			return fmt.Errorf("backup: %s is outside the blob store", path)
		}
		target := filepath.Join(to, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".tmp") {
			return nil
		}
		n++
		return copyFile(path, target)
	})
	if err != nil {
		return n, fmt.Errorf("backup: copy blobs: %w", err)
	}
	return n, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
