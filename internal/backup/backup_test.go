package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/backup"
	"tilltal/internal/blob"
	"tilltal/internal/blob/blobtest"
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
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	hash := blobtest.Put(t, blobs, []byte("bild"))
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
	res, err := backup.Run(ctx, d, blobs, dir)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Blobs != 1 {
		t.Fatalf("blobs %d", res.Blobs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "blobs", hash[:2], hash[2:4], hash)); err != nil || string(b) != "bild" {
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
	if _, err := backup.Run(ctx, d, blobs, dir); err == nil {
		t.Fatal("a backup overwrote another")
	}
}

// TestBackupCopiesTheBucket: with the S3 store, the backup copies every
// object of the bucket (and nothing else in it) into the backup's blob
// directory, each checked against its hash; --blobs-only does the same
// without a database.
func TestBackupCopiesTheBucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t, db.SQLite)
	srv := blobtest.NewS3Server(t)
	o := srv.Options("exempelby")
	o.SpoolDir = t.TempDir()
	bucket, err := blob.NewS3(o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, c := range []string{"bild ett", "bild två", "film"} {
		want[blobtest.Put(t, bucket, []byte(c))] = c
	}
	srv.Overwrite(t, "annat/nyckel", []byte("inte vår"))
	check := func(res backup.Result, dir string) {
		t.Helper()
		copied, err := blob.NewDir(filepath.Join(dir, "blobs"), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		copied.List(ctx, func(string) error { n++; return nil })
		if res.Blobs != len(want) || n != len(want) {
			t.Fatalf("copied %d (reported %d), want %d", n, res.Blobs, len(want))
		}
		for h, c := range want {
			if got, err := blobtest.Read(t, copied, h); err != nil || string(got) != c {
				t.Fatalf("blob %s: %q %v", h, got, err)
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "full")
	res, err := backup.Run(ctx, d, bucket, dir)
	if err != nil {
		t.Fatal(err)
	}
	check(res, dir)
	dir = filepath.Join(t.TempDir(), "blobs-only")
	res, err = backup.Blobs(ctx, d, bucket, dir)
	if err != nil {
		t.Fatal(err)
	}
	check(res, dir)
}

// TestBackupRefusesAChangedBlob: a blob that no longer matches its hash
// fails the backup, naming it, instead of being copied as sound.
func TestBackupRefusesAChangedBlob(t *testing.T) {
	t.Parallel()
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	hash := blobtest.Put(t, blobs, []byte("original"))
	if err := os.WriteFile(filepath.Join(blobs.Root, hash[:2], hash[2:4], hash), []byte("ändrad"), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = backup.Blobs(context.Background(), dbtest.New(t, db.SQLite), blobs, filepath.Join(t.TempDir(), "b"))
	if !errors.Is(err, blob.ErrCorrupt) || !strings.Contains(err.Error(), hash) {
		t.Fatalf("backup of a changed blob: %v", err)
	}
}
