package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
