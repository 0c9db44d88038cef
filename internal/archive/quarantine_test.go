package archive_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestQuarantineDuringDownload: an item is quarantined while its picture
// is being downloaded. The file is not kept, the attachment says
// quarantined, and the next rounds never ask for it again; the chain
// verifies.
func TestQuarantineDuringDownload(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		picture := readFile(t, "picture.txt")
		sum := sha256.Sum256(picture)
		var itemID int64
		var asked atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			// The flag commits while the picture is on its way.
			if _, err := d.Exec(r.Context(), "INSERT INTO media_quarantine (item_id, reason, quarantined_at) VALUES (?, 'test', ?)", itemID, t0); err != nil {
				t.Error(err)
			}
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(picture)
		}))
		t.Cleanup(srv.Close)
		itemID = f.ingest(t, f.ch1, withPicture("c1", "Gungan är trasig", srv.URL+"/gunga.jpg", t0))
		if n, failed, err := f.s.FetchDue(ctx, 10); err != nil || n != 0 || failed != 0 || asked.Load() != 1 {
			t.Fatalf("fetch: %d fetched, %d failed, %d asked, %v", n, failed, asked.Load(), err)
		}
		atts, err := f.s.Attachments(ctx, 1)
		if err != nil || len(atts) != 2 || atts[0].Status != archive.AttachmentQuarantined || atts[0].BlobSHA256 != "" || atts[1].Status != archive.AttachmentLink {
			t.Fatalf("attachments: %+v %v", atts, err)
		}
		if _, err := f.blobs.Open(ctx, hex.EncodeToString(sum[:])); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("the picture was kept: %v", err)
		}
		f.exec(t, "UPDATE archive_attachments SET next_attempt_at = ?", t0)
		if n, failed, err := f.s.FetchDue(ctx, 10); err != nil || n+failed != 0 || asked.Load() != 1 {
			t.Fatalf("asked again: %d", asked.Load())
		}
		f.verify(t)
	})
}
