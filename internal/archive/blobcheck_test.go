package archive_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestVerifyBlobs: every fetched attachment's blob is read and checked; a
// changed one and a missing one are named by their source records.
func TestVerifyBlobs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var fail atomic.Bool
		srv := pictureServer(t, readFile(t, "picture.txt"), &fail)
		f.ingest(t, f.ch1, withPicture("c1", "Gungan är trasig", srv.URL+"/gunga.jpg", t0))
		f.ingest(t, f.ch1, withPicture("c2", "Rutschkanan också", srv.URL+"/rutschkana.jpg", t0))
		if n, _, err := f.s.FetchDue(ctx, 10); err != nil || n != 2 {
			t.Fatalf("fetch: %d %v", n, err)
		}
		checked, problems, count, err := f.s.VerifyBlobs(ctx)
		if err != nil || checked != 2 || count != 0 || len(problems) != 0 {
			t.Fatalf("intact: %d %v %d %v", checked, problems, count, err)
		}
		// Both fetched the same picture: one blob, named twice. Change it.
		var hash string
		if err := d.QueryRow(ctx, "SELECT blob_sha256 FROM archive_attachments WHERE status = 'fetched' LIMIT 1").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(f.blobs.Root, hash[:2], hash[2:4], hash)
		if err := os.WriteFile(p, []byte("ändrad"), 0o640); err != nil {
			t.Fatal(err)
		}
		_, problems, count, err = f.s.VerifyBlobs(ctx)
		if err != nil || count != 2 || !strings.Contains(problems[0].Reason, "does not match its hash") {
			t.Fatalf("changed: %v %d %v", problems, count, err)
		}
		os.Remove(p)
		_, problems, count, err = f.s.VerifyBlobs(ctx)
		if err != nil || count != 2 || !strings.Contains(problems[0].Reason, "is missing") || problems[0].Seq == 0 {
			t.Fatalf("missing: %v %d %v", problems, count, err)
		}
	})
}
