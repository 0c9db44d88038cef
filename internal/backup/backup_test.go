package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/backup"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/dbtest"
)

// TestBackupWhileWriting copies a database that is being written to; the
// copy opens, is fully migrated, and holds a consistent prefix of the writes.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t, db.SQLite)
	dataDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dataDir, "blobs", "ab"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "blobs", "ab", "abcdef"), []byte("bild"), 0o640); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Two rows per transaction: a consistent copy never has one without the other.
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'a', ?)", "k"+strconv.Itoa(i), now); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'b', ?)", "p"+strconv.Itoa(i), now)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 50 {
		time.Sleep(5 * time.Millisecond)
	}
	dir := filepath.Join(t.TempDir(), "backup")
	res, err := backup.Run(ctx, d, dataDir, dir)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Blobs != 1 {
		t.Fatalf("blobs %d", res.Blobs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "blobs", "ab", "abcdef")); err != nil || string(b) != "bild" {
		t.Fatalf("blob: %q %v", b, err)
	}
	copyDB, err := db.Open(ctx, "sqlite:"+res.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if n, err := migrations.Pending(ctx, copyDB); err != nil || n != 0 {
		t.Fatalf("copy not migrated: %d %v", n, err)
	}
	var a, b int
	copyDB.QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE value = 'a'").Scan(&a)
	copyDB.QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE value = 'b'").Scan(&b)
	if a == 0 || a != b {
		t.Fatalf("inconsistent copy: %d a-rows, %d b-rows", a, b)
	}
	if _, err := backup.Run(ctx, d, dataDir, dir); err == nil {
		t.Fatal("a backup overwrote another")
	}
}
