package earchive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/earchive"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// t0 is when the fixture's events happen on the platform.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// year2026 selects the whole of 2026.
var year2026 = earchive.Selection{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}

// Contents the tests look for, or must not find, in a package.
const (
	rawBody       = `{"object":"page","entry":[{"id":"page-1","changes":[{"value":{"message":"När öppnar biblioteket?"}}]}],"x":  1}`
	secretAuthor  = "Bo Hemligsson"
	secretGround  = "OSL 26 kap. 1 §"
	diaryNumber   = "KS 2026/0042"
	quarantineBin = "QUARANTINED-MEDIA-BYTES-0123456789"
	hiddenDiary   = "KS 2026/0007"
	pictureBin    = "PNG-PICTURE-BYTES-of-the-library"
	snapshotHTML  = "<html><body><h1>Ögonblicksbild av Exempelby bibliotek</h1></body></html>"
	snapshotPDF   = "%PDF-1.4 snapshot of the channel"
)

// fixture is an archive with a year's worth of different records.
type fixture struct {
	d     *db.DB
	blobs *blob.Dir
	ex    *earchive.Exporter
	// seqs of interest
	first, secret, reply, picture, quarantined, snapshot, snapshotJSON int64
}

func sqlExec(t testing.TB, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func comment(id, author, text string, verb platform.Verb, at time.Time) platform.Event {
	return platform.Event{Platform: platform.Facebook, AccountID: "page-1", EventID: id + string(verb) + text, Verb: verb, OccurredAt: at,
		Object: platform.Object{ExternalID: id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: text,
			Author: platform.Author{ExternalID: "u-" + author, Name: author}, CreatedAt: at}}
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, blobs: blobs}
	f.ex = &earchive.Exporter{DB: d, Blobs: blobs, Organisation: "Exempelby kommun", Version: "test", Now: func() time.Time { return t0.Add(48 * time.Hour) }}
	sqlExec(t, d, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kultur och fritid', 'KOF', ?, ?)", t0, t0)
	sqlExec(t, d, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby bibliotek', 'active', ?, ?)", t0, t0)
	sqlExec(t, d, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'instagram', 'ig-1', 'Exempelby fritid', 'active', ?, ?)", t0, t0)
	sum := sha256.Sum256([]byte(rawBody))
	sqlExec(t, d, "INSERT INTO webhook_deliveries (source, body_sha256, body, object_type, received_at, last_received_at) VALUES ('meta', ?, ?, 'page', ?, ?)",
		hex.EncodeToString(sum[:]), []byte(rawBody), t0, t0)

	var item1, item2, item3 int64
	f.tx(t, func(tx *db.Tx) error {
		seq, err := archive.DeliveryTx(ctx, tx, 1)
		if err != nil {
			return err
		}
		r, err := inbox.Ingest(archive.WithSource(ctx, archive.Source{DeliverySeq: seq}), tx, 1, comment("c1", "Åsa Öberg", "När öppnar biblioteket?", platform.VerbCreate, t0), t0)
		item1 = r.ItemID
		return err
	})
	f.tx(t, func(tx *db.Tx) error {
		r, err := inbox.Ingest(ctx, tx, 1, comment("c1", "Åsa Öberg", "När öppnar biblioteket på lördag?", platform.VerbEdit, t0.Add(time.Minute)), t0.Add(time.Minute))
		return err2(r, err)
	})
	f.tx(t, func(tx *db.Tx) error {
		r, err := inbox.Ingest(ctx, tx, 1, comment("c2", secretAuthor, "Min son far illa i skolan, hjälp", platform.VerbCreate, t0.Add(2*time.Minute)), t0.Add(2*time.Minute))
		item2 = r.ItemID
		return err
	})
	f.tx(t, func(tx *db.Tx) error {
		r, err := inbox.Ingest(ctx, tx, 1, comment("c3", "Troll", "bild", platform.VerbCreate, t0.Add(3*time.Minute)), t0.Add(3*time.Minute))
		item3 = r.ItemID
		return err
	})
	f.tx(t, func(tx *db.Tx) error {
		r, err := inbox.Ingest(ctx, tx, 1, comment("c3", "Troll", "bild", platform.VerbHide, t0.Add(4*time.Minute)), t0.Add(4*time.Minute))
		return err2(r, err)
	})
	store := &archive.Store{DB: d, Blobs: blobs, Now: func() time.Time { return t0.Add(5 * time.Minute) }}
	if err := store.SetClass(ctx, item2, archive.ClassSecret, "Uppgifter om ett barn", secretGround); err != nil {
		t.Fatal(err)
	}
	f.first = f.seqOf(t, "item_version", item1, 1)
	f.secret = f.seqOf(t, "item_version", item2, 1)
	f.picture = f.attachment(t, item1, []byte(pictureBin), "image/png", t0.Add(6*time.Minute))
	f.quarantined = f.attachment(t, item3, []byte(quarantineBin), "image/jpeg", t0.Add(6*time.Minute))
	sqlExec(t, d, "INSERT INTO media_quarantine (item_id, reason, quarantined_at) VALUES (?, 'CSAM', ?)", item3, t0)
	f.tx(t, func(tx *db.Tx) error {
		c, _ := json.Marshal(archive.ReplyContent{InReplyToItemID: item1, ExternalID: "r1", Text: "Vi öppnar klockan tio på lördag.", SentByName: "Kim Kommunikatör",
			ChannelName: "Exempelby bibliotek", SentAt: t0.Add(7 * time.Minute)})
		r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindReply, ChannelID: 1, DepartmentID: 1, ItemID: item1, ThreadID: 1,
			Platform: "facebook", ExternalID: "r1", AuthorName: "Kim Kommunikatör", Direction: archive.Out, OccurredAt: t0.Add(7 * time.Minute),
			CapturedAt: t0.Add(7 * time.Minute), ContentType: archive.ContentJSON, Content: c})
		f.reply = r.Seq
		return err
	})
	f.tx(t, func(tx *db.Tx) error {
		_, err := archive.MarkRegisteredTx(ctx, tx, diaryNumber, 0, "Fråga om öppettider", []int64{f.first, f.reply}, t0.Add(8*time.Minute))
		return err
	})
	f.tx(t, func(tx *db.Tx) error {
		r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindSnapshot, ChannelID: 1, DepartmentID: 1, Platform: "facebook",
			Direction: archive.Internal, OccurredAt: t0.Add(9 * time.Minute), CapturedAt: t0.Add(9 * time.Minute), ContentType: "text/html", Content: []byte(snapshotHTML)})
		f.snapshot = r.Seq
		return err
	})
	// The troll's hidden comment is registered in the diary (not through
	// the archive's own registration).
	sqlExec(t, d, `INSERT INTO diary_entries (number, year, serial, received_at, registered_at, direction, sender, description, secret, secrecy_ground, object_type, object_id)
		VALUES (?, 2026, 7, ?, ?, 'in', 'Troll', 'Hotfull kommentar', TRUE, 'OSL 18 kap. 1 §', 'item', ?)`, hiddenDiary, t0, t0, strconv.FormatInt(item3, 10))
	// A snapshot as package snapshot stores it: JSON naming its PDF and
	// HTML in the blob store.
	pdfSum, pdfSize, err := blobs.Put(ctx, strings.NewReader(snapshotPDF))
	if err != nil {
		t.Fatal(err)
	}
	htmlSum, htmlSize, err := blobs.Put(ctx, strings.NewReader(snapshotHTML))
	if err != nil {
		t.Fatal(err)
	}
	f.tx(t, func(tx *db.Tx) error {
		c := fmt.Sprintf(`{"channel_id":1,"channel_name":"Exempelby bibliotek","reason":"periodic","posts":1,"items":3,`+
			`"pdf":{"sha256":%q,"size":%d,"content_type":"application/pdf","name":"ogonblicksbild.pdf"},`+
			`"html":{"sha256":%q,"size":%d,"content_type":"text/html; charset=utf-8","name":"ogonblicksbild.html"},"by":"system:snapshot"}`, pdfSum, pdfSize, htmlSum, htmlSize)
		r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindSnapshot, ChannelID: 1, DepartmentID: 1, Platform: "facebook",
			Direction: archive.Internal, OccurredAt: t0.Add(10 * time.Minute), CapturedAt: t0.Add(10 * time.Minute), ContentType: archive.ContentJSON, Content: []byte(c)})
		f.snapshotJSON = r.Seq
		return err
	})
	return f
}

func err2(_ inbox.Ingested, err error) error { return err }

func (f *fixture) tx(t *testing.T, fn func(tx *db.Tx) error) {
	t.Helper()
	if err := f.d.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) seqOf(t *testing.T, kind string, item int64, version int) int64 {
	t.Helper()
	var seq int64
	if err := f.d.QueryRow(context.Background(), "SELECT seq FROM archive_records WHERE kind = ? AND item_id = ? AND item_version = ?", kind, item, version).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// attachment stores content in the blob store and appends its record, as
// the fetch job does.
func (f *fixture) attachment(t *testing.T, item int64, content []byte, ctype string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	sum, size, err := f.blobs.Put(ctx, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	f.tx(t, func(tx *db.Tx) error {
		c, _ := json.Marshal(archive.AttachmentContent{URL: "https://cdn.example/" + sum[:8], Kind: "photo", Title: "Bild", ContentType: ctype, SHA256: sum, Size: size, FetchedAt: at})
		r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindAttachment, ChannelID: 1, DepartmentID: 1, ItemID: item, ThreadID: 1,
			Platform: "facebook", Direction: archive.In, OccurredAt: at, CapturedAt: at, ContentType: archive.ContentJSON, Content: c})
		seq = r.Seq
		return err
	})
	return seq
}
