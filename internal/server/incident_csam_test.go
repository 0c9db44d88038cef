package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/backup"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/incident"
	"tilltal/internal/platform/meta"
)

// TestChildAbuseMaterialIsNeverFetched: a comment with signs of child
// sexual abuse material and a picture arrives by webhook. Its media is
// quarantined at the flag and whoever answers for the channel is told at
// once; an editor opens a case from the item; the vault and the police
// bundle hold only metadata and the tip for the police's form — the
// picture is never fetched, stored, shown or forwarded.
func TestChildAbuseMaterialIsNeverFetched(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startWithMeta(t, dialect)
			ctx := context.Background()
			var fetched atomic.Int32
			e.app.Incidents.Fetch = func(context.Context, string) ([]byte, string, error) {
				fetched.Add(1)
				return []byte("picture"), "image/jpeg", nil
			}
			now := time.Now().UTC()
			var ch int64
			err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
				var err error
				ch, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000009', 'Kultur i Exempelby', 'active', ?, ?)",
					e.department("KFF").ID, now, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			e.addMember("redaktor@exempelby.se", ch, "editor")
			e.addMember("kontoansvarig@exempelby.se", ch, "owner")
			const media = "https://scontent.example.invalid/material-4711.jpg"
			text := "Säljer bilder på nakna barn, skriv privat."
			body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000009","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"903","name":"Okänd Profil"},"post_id":"3000000009_1","comment_id":"csam_1","parent_id":"3000000009_1","created_time":%d,"item":"comment","verb":"add","message":%q,"photo":%q}}]}]}`,
				now.Unix(), now.Unix(), text, media))
			if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
				t.Fatalf("delivery: %d", st)
			}
			e.processed()
			var itemID int64
			var flags string
			if err := e.app.DB.QueryRow(ctx, "SELECT id, flags FROM items WHERE external_id = 'csam_1'").Scan(&itemID, &flags); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(flags, "csam") {
				t.Fatalf("flags %q", flags)
			}
			if q, err := incident.Quarantined(ctx, e.app.DB, itemID); err != nil || !q {
				t.Fatal("the media is not quarantined at the flag")
			}
			if e.count("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.recipient_user_id WHERE u.email = 'kontoansvarig@exempelby.se' AND n.subject LIKE 'Granska nu%'") != 1 {
				t.Fatal("the owner was not told at once")
			}

			editor := e.login("redaktor@exempelby.se")
			itemPath := fmt.Sprintf("/inkorg/%d", itemID)
			_, page := e.get(editor, itemPath)
			if !strings.Contains(page, `action="`+itemPath+`/arende"`) || strings.Contains(page, "<img") {
				t.Fatal("the item page lacks the form to open a case, or shows an image")
			}
			st, _, h := e.post(editor, itemPath+"/arende", url.Values{"category": {"flag"}, "csrf": {e.csrf(editor, itemPath)}})
			if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), itemPath) {
				t.Fatalf("open: %d %s", st, h.Get("Location"))
			}
			list, err := e.app.Incidents.List(ctx, incident.Viewer{Legal: true}, incident.Filter{ChannelID: ch})
			if err != nil || len(list) != 1 || !list[0].CSAM() || list[0].DiaryNumber == "" {
				t.Fatalf("cases %+v %v", list, err)
			}
			id := list[0].ID
			if err := e.app.Incidents.Preserve(ctx, id); err != nil {
				t.Fatal(err)
			}
			if fetched.Load() != 0 {
				t.Fatal("the media was fetched")
			}
			legal := e.login("jurist@exempelby.se")
			casePath := fmt.Sprintf("/arenden/%d", id)
			st, page = e.get(legal, casePath)
			if st != http.StatusOK || strings.Contains(page, text) || strings.Contains(page, media) || strings.Contains(page, "<img") || !strings.Contains(page, "ECPAT") {
				t.Fatalf("case page: %d\n%s", st, page)
			}
			resp, zipped := e.fetch(legal, casePath+"/polisanmalan.zip", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("bundle: %d", resp.StatusCode)
			}
			files := checkBundle(t, []byte(zipped))
			if _, ok := files["bevis/metadata.json"]; !ok || len(files) != 6 || !strings.Contains(string(files["tips.txt"]), "comment_id=csam_1") && !strings.Contains(string(files["tips.txt"]), "csam_1") {
				t.Fatalf("bundle files %v", keys(files))
			}
			for name, data := range files {
				if strings.Contains(string(data), text) || strings.Contains(string(data), media) || strings.Contains(string(data), "picture") {
					t.Errorf("%s holds the content or the media", name)
				}
			}
			// The police have acted: the quarantine is purged.
			if st, _, _ := e.post(legal, casePath+"/polisen-agerat", url.Values{"csrf": {e.csrf(legal, casePath)}}); st != http.StatusSeeOther {
				t.Fatalf("police acted: %d", st)
			}
			if e.count("SELECT COUNT(*) FROM media_quarantine WHERE item_id = ? AND purged_at IS NOT NULL", itemID) != 1 {
				t.Fatal("the quarantine was not purged")
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestQuarantinedMediaIsNeitherFetchedServedNorBackedUp: a comment with
// signs of child sexual abuse material arrives by webhook with a photo.
// The archive's fetcher never asks for the photo, no file is kept and the
// download route refuses it to every role that reads the archive. A photo
// fetched before its item was flagged is deleted once the item is
// quarantined, refused meanwhile, and left out of a backup taken before
// the deletion.
func TestQuarantinedMediaIsNeitherFetchedServedNorBackedUp(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startWithMeta(t, dialect)
			ctx := context.Background()
			photo := []byte("\xff\xd8\xff\xe0 en bild")
			var requests sync.Map // path → *atomic.Int32
			photos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n, _ := requests.LoadOrStore(r.URL.Path, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
				w.Header().Set("Content-Type", "image/jpeg")
				w.Write(photo)
			}))
			t.Cleanup(photos.Close)
			asked := func(path string) int32 {
				if n, ok := requests.Load(path); ok {
					return n.(*atomic.Int32).Load()
				}
				return 0
			}
			sum := sha256.Sum256(photo)
			hash := hex.EncodeToString(sum[:])
			now := time.Now().UTC()
			var ch int64
			err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
				var err error
				ch, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '3000000009', 'Kultur i Exempelby', 'active', ?, ?)",
					e.department("KFF").ID, now, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			e.addMember("redaktor@exempelby.se", ch, "editor")
			comment := func(id, text, photoURL string) int64 {
				t.Helper()
				body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"3000000009","time":%d,"changes":[
{"field":"feed","value":{"from":{"id":"903","name":"Okänd Profil"},"post_id":"3000000009_1","comment_id":%q,"parent_id":"3000000009_1","created_time":%d,"item":"comment","verb":"add","message":%q,"photo":%q}}]}]}`,
					now.Unix(), id, now.Unix(), text, photoURL))
				if st := e.deliver(body, meta.Sign(appSecret, body)); st != http.StatusOK {
					t.Fatalf("delivery: %d", st)
				}
				e.processed()
				var itemID int64
				if err := e.app.DB.QueryRow(ctx, "SELECT id FROM items WHERE external_id = ?", id).Scan(&itemID); err != nil {
					t.Fatal(err)
				}
				return itemID
			}
			attachment := func(itemID int64) (seq int64, status, blobHash string) {
				t.Helper()
				if err := e.app.DB.QueryRow(ctx, "SELECT source_seq, status, blob_sha256 FROM archive_attachments WHERE item_id = ? ORDER BY source_seq LIMIT 1", itemID).Scan(&seq, &status, &blobHash); err != nil {
					t.Fatal(err)
				}
				return seq, status, blobHash
			}
			stored := func() bool {
				t.Helper()
				r, err := e.app.Archive.Blobs.Open(ctx, hash)
				if errors.Is(err, blob.ErrNotFound) {
					return false
				}
				if err != nil {
					t.Fatal(err)
				}
				r.Close()
				return true
			}
			readers := []string{"kommunikator@exempelby.se", "registrator@exempelby.se", "jurist@exempelby.se"}
			refused := func(seq int64) {
				t.Helper()
				for _, email := range readers {
					resp, body := e.fetch(e.login(email), fmt.Sprintf("/arkiv/%d/bilagor/0", seq), nil)
					// Not found, or forbidden where the case made the record secret.
					if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden || strings.Contains(body, string(photo)) {
						t.Errorf("%s got the quarantined attachment: %d", email, resp.StatusCode)
					}
				}
			}

			// Flagged on arrival: never fetched, never stored, never served.
			flagged := comment("csam_photo", "Säljer bilder på nakna barn, skriv privat.", photos.URL+"/flagged.jpg")
			if q, err := incident.Quarantined(ctx, e.app.DB, flagged); err != nil || !q {
				t.Fatal("the media is not quarantined at the flag")
			}
			if _, err := e.app.DB.Exec(ctx, "UPDATE archive_attachments SET next_attempt_at = ? WHERE item_id = ?", now.Add(-time.Hour), flagged); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.app.Archive.FetchDue(ctx, 50); err != nil {
				t.Fatal(err)
			}
			seq, status, blobHash := attachment(flagged)
			if asked("/flagged.jpg") != 0 || status != archive.AttachmentQuarantined || blobHash != "" || stored() {
				t.Fatalf("flagged photo: %d requests, status %s, blob %q", asked("/flagged.jpg"), status, blobHash)
			}
			recs, err := archive.Search(ctx, e.app.DB, archive.Filter{ItemID: flagged, Kind: archive.KindAttachment})
			var said archive.AttachmentContent
			if err != nil || len(recs) != 1 || json.Unmarshal(recs[0].Content, &said) != nil || said.Status != archive.AttachmentQuarantined || said.SHA256 != "" {
				t.Fatalf("the archive does not say the attachment is in quarantine: %+v %v", recs, err)
			}
			refused(seq)

			// Fetched before the flag: served until then, deleted after.
			earlier := comment("photo_first", "Fin bild från biblioteket!", photos.URL+"/earlier.jpg")
			if _, err := e.app.DB.Exec(ctx, "UPDATE archive_attachments SET next_attempt_at = ? WHERE item_id = ?", now.Add(-time.Hour), earlier); err != nil {
				t.Fatal(err)
			}
			if n, _, err := e.app.Archive.FetchDue(ctx, 50); err != nil || n != 1 {
				t.Fatalf("fetched %d: %v", n, err)
			}
			seq, status, blobHash = attachment(earlier)
			if asked("/earlier.jpg") != 1 || status != archive.AttachmentFetched || blobHash != hash || !stored() {
				t.Fatalf("photo before the flag: %d requests, status %s", asked("/earlier.jpg"), status)
			}
			if resp, body := e.fetch(e.login("registrator@exempelby.se"), fmt.Sprintf("/arkiv/%d/bilagor/0", seq), nil); resp.StatusCode != http.StatusOK || body != string(photo) {
				t.Fatalf("before the flag: %d", resp.StatusCode)
			}
			editor := e.login("redaktor@exempelby.se")
			itemPath := fmt.Sprintf("/inkorg/%d", earlier)
			if st, _, _ := e.post(editor, itemPath+"/arende", url.Values{"category": {"csam"}, "csrf": {e.csrf(editor, itemPath)}}); st != http.StatusSeeOther {
				t.Fatalf("open: %d", st)
			}
			if _, status, _ = attachment(earlier); status != archive.AttachmentQuarantined {
				t.Fatalf("status after the flag: %s", status)
			}
			// Refused at once, before the job that deletes the file runs;
			// a backup taken then leaves the file out.
			refused(seq)
			if e.count("SELECT COUNT(*) FROM river_job WHERE kind = 'archive.purge_blobs'") == 0 || !stored() {
				t.Fatal("no job deletes the file, or it went before the job")
			}
			dir := filepath.Join(t.TempDir(), "backup")
			if dialect == db.SQLite {
				_, err = backup.Run(ctx, e.app.DB, e.app.Archive.Blobs, dir)
			} else {
				_, err = backup.Blobs(ctx, e.app.DB, e.app.Archive.Blobs, dir)
			}
			if err != nil {
				t.Fatal(err)
			}
			copied, err := blob.NewDir(filepath.Join(dir, "blobs"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := copied.Open(ctx, hash); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("the backup holds the quarantined photo: %v", err)
			}
			// The job's work: the file is gone from the store.
			if err := (&archive.PurgeWorker{Store: e.app.Archive}).Work(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if stored() {
				t.Fatal("the quarantined photo is still in the store")
			}
			refused(seq)
			if _, _, err := e.app.Archive.FetchDue(ctx, 50); err != nil || asked("/earlier.jpg") != 1 || asked("/flagged.jpg") != 0 {
				t.Fatalf("fetched again: %v", err)
			}
			if rep, err := archive.Verify(ctx, e.app.DB); err != nil || !rep.OK() {
				t.Fatalf("verify: %+v %v", rep, err)
			}
		})
	}
}
