package release_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
	"tilltal/internal/release"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// fixture is a municipality with one channel and a release store.
type fixture struct {
	d  *db.DB
	s  *release.Store
	ch int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{d: d, s: release.New(d, func() time.Time { return t0.Add(time.Hour) })}
	f.exec(t, "INSERT INTO municipality (id, name, diary_prefix, created_at) VALUES (1, 'Exempelby kommun', 'KS', ?)", t0)
	f.exec(t, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunledningsförvaltningen', 'KLF', ?, ?)", t0, t0)
	f.exec(t, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby kommun', 'active', ?, ?)", t0, t0)
	f.ch = 1
	return f
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// comment archives a citizen's comment through the inbox and returns the
// item and its item_version record.
func (f *fixture) comment(t *testing.T, id, author, text string) (itemID, seq int64) {
	t.Helper()
	ctx := context.Background()
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		res, err := inbox.Ingest(ctx, tx, f.ch, platform.Event{Platform: platform.Facebook, AccountID: "page-1", EventID: "ev-" + id, Verb: platform.VerbCreate, OccurredAt: t0,
			Object: platform.Object{ExternalID: id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: text, Permalink: "https://www.facebook.com/exempelby/posts/1?comment_id=" + id,
				Author: platform.Author{ExternalID: "fb-user-" + id, Name: author}, CreatedAt: t0}}, t0)
		itemID = res.ItemID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.d.QueryRow(ctx, "SELECT MAX(seq) FROM archive_records WHERE kind = 'item_version' AND item_id = ?", itemID).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return itemID, seq
}

// attachment appends an attachment record of an item.
func (f *fixture) attachment(t *testing.T, itemID, source int64, title, url string) int64 {
	t.Helper()
	ctx := context.Background()
	content, _ := json.Marshal(archive.AttachmentContent{SourceSeq: source, URL: url, Kind: "photo", Title: title, ContentType: "image/jpeg",
		SHA256: sha([]byte(url)), Size: 1234, FetchedAt: t0})
	var seq int64
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindAttachment, ChannelID: f.ch, DepartmentID: 1, ItemID: itemID, Platform: "facebook",
			ExternalID: "att-" + strconv.FormatInt(itemID, 10), Direction: archive.In, OccurredAt: t0, CapturedAt: t0, RefSeq: source, Content: content})
		seq = r.Seq
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func (f *fixture) quarantine(t *testing.T, itemID int64) {
	t.Helper()
	f.exec(t, "INSERT INTO media_quarantine (item_id, reason, quarantined_at) VALUES (?, 'misstänkt övergreppsmaterial', ?)", itemID, t0)
}

// records returns every archive record's hash and content checksum.
func (f *fixture) records(t *testing.T) map[int64]string {
	t.Helper()
	rows, err := f.d.Query(context.Background(), "SELECT seq, hash, content_sha256, COALESCE(content, '') FROM archive_records")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var seq int64
		var h, c string
		var content []byte
		if err := rows.Scan(&seq, &h, &c, &content); err != nil {
			t.Fatal(err)
		}
		out[seq] = h + c + string(content)
	}
	return out
}

func (f *fixture) open(t *testing.T) release.Request {
	t.Helper()
	r, err := f.s.Open(context.Background(), release.Open{RequesterName: "Journalist Jansson", RequesterContact: "jansson@example.org", ReceivedAt: t0,
		Subject: "Alla kommentarer om badhuset i mars", Register: true, DepartmentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// unzip reads a bundle's files.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = b
	}
	return out
}

var (
	streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	cmapRe   = regexp.MustCompile(`<([0-9A-F]{4})><([0-9A-F]{4})><([0-9A-F]{4,6})>`)
	tjRe     = regexp.MustCompile(`(?s)\[(.*?)\] TJ`)
	hexRe    = regexp.MustCompile(`<([0-9A-F]*)>`)
)

// pdfTexts extracts the text a gopdf document draws: its content streams
// are inflated, every text-showing operator's glyph ids are decoded with
// each embedded font's ToUnicode map, and the result is one string per
// font (the operators do not say which font they use without a resource
// lookup, so every decoding is searched).
func pdfTexts(t *testing.T, pdf []byte) []string {
	t.Helper()
	var streams [][]byte
	for _, m := range streamRe.FindAllSubmatch(pdf, -1) {
		if zr, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				streams = append(streams, b)
				continue
			}
		}
		streams = append(streams, m[1])
	}
	var cmaps []map[uint64]rune
	for _, s := range streams {
		if !bytes.Contains(s, []byte("beginbfrange")) {
			continue
		}
		cm := map[uint64]rune{}
		for _, m := range cmapRe.FindAllSubmatch(s, -1) {
			g, _ := strconv.ParseUint(string(m[1]), 16, 32)
			u, _ := strconv.ParseUint(string(m[3]), 16, 32)
			cm[g] = rune(u)
		}
		cmaps = append(cmaps, cm)
	}
	if len(cmaps) == 0 {
		t.Fatal("no ToUnicode maps in the PDF")
	}
	var texts []string
	for _, cm := range cmaps {
		var b strings.Builder
		for _, s := range streams {
			for _, tj := range tjRe.FindAllSubmatch(s, -1) {
				for _, h := range hexRe.FindAllSubmatch(tj[1], -1) {
					for i := 0; i+4 <= len(h[1]); i += 4 {
						g, _ := strconv.ParseUint(string(h[1][i:i+4]), 16, 32)
						if r, ok := cm[g]; ok {
							b.WriteRune(r)
						} else {
							b.WriteRune('\uFFFD')
						}
					}
				}
				b.WriteString("\n")
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// squeeze drops whitespace, so that a passage wrapped over lines is found.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
