package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"time"

	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// maxAttachment bounds one attachment kept in the vault.
const maxAttachment = 25 << 20

// snap is a snapshot before it is sealed.
type snap struct {
	item   inbox.Item
	thread []inbox.Item
	parts  []Part
}

func (sn *snap) add(name, contentType string, data []byte) {
	sn.parts = append(sn.parts, Part{Name: name, ContentType: contentType, Data: data})
}

func (sn *snap) addJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	sn.add(name, "application/json", append(b, '\n'))
	return nil
}

// snapshot gathers the parts of a case's evidence from what Tilltal
// holds — so that an item deleted on the platform before it could be
// hidden is still preserved from what arrived — and, where it can, from
// the platform as it shows the object now. For child sexual abuse
// material it keeps only metadata and never asks the platform for
// anything.
func (s *Store) snapshot(ctx context.Context, i Incident, captured time.Time) (*snap, error) {
	it, err := s.Actions.Store.Get(ctx, i.ItemID)
	if err != nil {
		return nil, err
	}
	sn := &snap{item: it}
	if i.CSAM() {
		return sn, sn.addJSON("metadata.json", csamMetadata(i, it, captured))
	}
	if sn.thread, err = s.Actions.Store.Thread(ctx, it.ThreadID); err != nil {
		return nil, err
	}
	versions, err := s.Actions.Store.Versions(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	sn.add("text.txt", "text/plain; charset=utf-8", []byte(it.Body))
	steps := []func() error{
		func() error { return sn.addJSON("inlagg.json", itemRecord(it)) },
		func() error { return sn.addJSON("versioner.json", versions) },
		func() error { return sn.addJSON("forfattare.json", authorRecord(it)) },
		func() error { return sn.addJSON("trad.json", threadRecord(sn.thread)) },
		func() error { return s.addCapture(sn, i, captured) },
		func() error { return s.addRaw(ctx, sn, it) },
		func() error { return s.addPlatform(ctx, sn, it) },
		func() error { return s.addAttachments(ctx, sn, it) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

// csamMetadata is all that is kept for child sexual abuse material:
// platform, ids, permalink, author profile id and link, times.
func csamMetadata(i Incident, it inbox.Item, captured time.Time) map[string]any {
	return map[string]any{
		"platform": it.Platform, "channel": it.ChannelName, "item_id": it.ID, "external_id": it.ExternalID,
		"parent_external_id": it.ParentExternalID, "kind": it.Kind, "permalink": it.Permalink,
		"author_id": it.AuthorID, "author_profile_url": it.AuthorURL,
		"posted_at": it.PostedAt.UTC(), "received_at": it.ReceivedAt.UTC(), "captured_at": captured,
		"diary_number": i.DiaryNumber,
		"note":         "Barnpornografibrott (tecken på): endast metadata sparas. Materialet har inte hämtats, lagrats eller vidarebefordrats.",
	}
}

func itemRecord(it inbox.Item) map[string]any {
	return map[string]any{
		"item_id": it.ID, "platform": it.Platform, "channel": it.ChannelName, "external_id": it.ExternalID,
		"parent_external_id": it.ParentExternalID, "kind": it.Kind, "text": it.Body, "permalink": it.Permalink,
		"hidden": it.Hidden, "removed": it.Removed, "version": it.Version, "flags": it.Flags,
		"posted_at": it.PostedAt.UTC(), "received_at": it.ReceivedAt.UTC(),
	}
}

func authorRecord(it inbox.Item) map[string]any {
	return map[string]any{"platform": it.Platform, "id": it.AuthorID, "name": it.AuthorName, "handle": it.AuthorHandle, "profile_url": it.AuthorURL}
}

func threadRecord(thread []inbox.Item) []map[string]any {
	var out []map[string]any
	for _, t := range thread {
		out = append(out, map[string]any{"item_id": t.ID, "external_id": t.ExternalID, "parent_external_id": t.ParentExternalID,
			"author": t.AuthorName, "author_id": t.AuthorID, "from_us": t.FromUs, "text": t.Body, "permalink": t.Permalink,
			"hidden": t.Hidden, "removed": t.Removed, "posted_at": t.PostedAt.UTC()})
	}
	return out
}

func (s *Store) addCapture(sn *snap, i Incident, captured time.Time) error {
	html, err := captureHTML(sn.item, sn.thread, captured)
	if err != nil {
		return err
	}
	sn.add("skarmbild.html", "text/html; charset=utf-8", html)
	return nil
}

// addRaw keeps every raw event about the item as it arrived, and the
// signed webhook deliveries that carried them.
func (s *Store) addRaw(ctx context.Context, sn *snap, it inbox.Item) error {
	rows, err := s.DB.Query(ctx, `SELECT id, source, event_json, COALESCE(delivery_id, 0) FROM platform_events
		WHERE platform = ? AND object_id = ? AND channel_id = ? ORDER BY id`, it.Platform, it.ExternalID, it.ChannelID)
	if err != nil {
		return wrap("raw events", err)
	}
	var deliveries []int64
	for rows.Next() {
		var id, delivery int64
		var source, raw string
		if err := rows.Scan(&id, &source, &raw, &delivery); err != nil {
			rows.Close()
			return err
		}
		sn.add(fmt.Sprintf("handelser/%d-%s.json", id, source), "application/json", []byte(raw))
		if delivery != 0 {
			deliveries = append(deliveries, delivery)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range unique(deliveries) {
		var body []byte
		if err := s.DB.QueryRow(ctx, "SELECT body FROM webhook_deliveries WHERE id = ?", d).Scan(&body); err != nil {
			return wrap("raw delivery", err)
		}
		sn.add(fmt.Sprintf("leveranser/%d.json", d), "application/json", body)
	}
	return nil
}

// addPlatform asks the platform for the object as it shows it now. When
// the platform cannot answer (deleted, no connection), the answer says so;
// what arrived is preserved all the same.
func (s *Store) addPlatform(ctx context.Context, sn *snap, it inbox.Item) error {
	record := map[string]any{"asked_at": s.Now().UTC()}
	conn, ok := s.Connectors[platform.Name(it.Platform)]
	switch {
	case !ok || s.Credentials == nil:
		record["error"] = "Ingen koppling till plattformen; bevisen bygger på det som kom in."
	default:
		cred, err := s.Credentials.Credentials(ctx, it.ChannelID)
		var obj platform.Object
		if err == nil {
			obj, err = conn.Fetch(ctx, cred, it.ExternalID)
		}
		if err != nil {
			record["error"] = "Plattformen kunde inte visa objektet: " + err.Error()
		} else {
			record["object"] = obj
		}
	}
	return sn.addJSON("plattform.json", record)
}

// addAttachments keeps the attachments' metadata and, with a fetcher,
// their content.
func (s *Store) addAttachments(ctx context.Context, sn *snap, it inbox.Item) error {
	var raw string
	if err := s.DB.QueryRow(ctx, "SELECT attachments FROM items WHERE id = ?", it.ID).Scan(&raw); err != nil {
		return wrap("attachments", err)
	}
	var atts []platform.Attachment
	_ = json.Unmarshal([]byte(raw), &atts)
	if len(atts) == 0 {
		return nil
	}
	type fetched struct {
		platform.Attachment
		File  string `json:"file,omitempty"`
		Error string `json:"error,omitempty"`
	}
	var list []fetched
	for n, a := range atts {
		f := fetched{Attachment: a}
		if s.Fetch != nil && a.Kind != "link" && fetchable(a.URL) {
			data, ct, err := s.Fetch(ctx, a.URL)
			switch {
			case err != nil:
				f.Error = err.Error()
			case len(data) > maxAttachment:
				f.Error = "för stor för valvet"
			default:
				f.File = fmt.Sprintf("bilagor/%d%s", n+1, extension(ct))
				sn.add(f.File, ct, data)
			}
		}
		list = append(list, f)
	}
	return sn.addJSON("bilagor.json", list)
}

func fetchable(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func extension(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "video/mp4":
		return ".mp4"
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}
