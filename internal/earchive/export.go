package earchive

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
)

// ErrEmpty is the refusal of a selection without records.
var ErrEmpty = apperr.Invalidf("Det finns inga handlingar att exportera i det valda urvalet")

// Exporter writes e-archive packages from the archive.
type Exporter struct {
	DB    *db.DB
	Blobs blob.Store
	// Organisation is the municipality, the package's archivist and the
	// records' creator (arkivbildare).
	Organisation string
	// Version is Tilltal's version, noted in METS as the creating
	// software's.
	Version string
	Now     func() time.Time
}

// Options are one export's.
type Options struct {
	Selection
	// Dir is where the package is written: Dir/<id> or Dir/<id>.zip.
	Dir string
	Zip bool
	// PackageID is the package's id; empty makes a new one.
	PackageID string
	// Progress, when set, hears how many of the total records are written;
	// an error from it stops the export.
	Progress func(done, total int) error
}

// Result is a finished export.
type Result struct {
	PackageID string
	Path      string
	Records   int
	Files     int
}

// pageSize is how many records are read at a time.
const pageSize = 200

// NewPackageID returns "uuid-" and a random (version 4) UUID.
func NewPackageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("uuid-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Count returns how many records the selection exports.
func (e *Exporter) Count(ctx context.Context, s Selection) (int, error) {
	where, args := s.where()
	var n int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM archive_records r WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("earchive: count: %w", err)
	}
	return n, nil
}

// buildVersion is the running binary's module version ("(devel)" in a
// build from a working tree).
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Clock is the exporter's time.
func (e *Exporter) Clock() time.Time { return e.now() }

func (e *Exporter) now() time.Time {
	if e.Now == nil {
		return time.Now().UTC()
	}
	return e.Now().UTC()
}

// Export writes the package. An empty selection is refused before anything
// is written; on any failure the partial output is removed.
func (e *Exporter) Export(ctx context.Context, o Options) (res Result, err error) {
	if err := o.Selection.Validate(); err != nil {
		return Result{}, err
	}
	total, err := e.Count(ctx, o.Selection)
	if err != nil {
		return Result{}, err
	}
	if total == 0 {
		return Result{}, ErrEmpty
	}
	if o.PackageID == "" {
		o.PackageID = NewPackageID()
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("earchive: %w", err)
	}
	now := e.now()
	var s sink
	if o.Zip {
		s, err = newZipSink(o.Dir, o.PackageID, now)
	} else {
		s, err = newDirSink(o.Dir, o.PackageID)
	}
	if err != nil {
		return Result{}, err
	}
	// Scratch files (ERMS, PREMIS and the fileSec as they grow) sit beside
	// the package, on the disk that has room for it, not in a RAM-backed /tmp.
	scratch, err := os.MkdirTemp(o.Dir, "."+o.PackageID+".scratch-")
	if err != nil {
		s.abort()
		return Result{}, fmt.Errorf("earchive: %w", err)
	}
	defer os.RemoveAll(scratch)
	run := &run{e: e, o: o, total: total, created: now.Format("2006-01-02T15:04:05Z"), scratch: scratch, raw: map[int64]string{}}
	path, err := run.write(ctx, s)
	if err != nil {
		s.abort()
		return Result{}, err
	}
	return Result{PackageID: o.PackageID, Path: path, Records: run.done, Files: run.p.n + 1}, nil
}

// run is one export in progress.
type run struct {
	e        *Exporter
	o        Options
	total    int
	done     int
	created  string
	scratch  string
	p        *packer
	erms     *ermsWriter
	premis   *premisWriter
	rend     *rendition
	channels map[int64]string
	// raw are the raw deliveries already seen (one delivery carries many
	// item versions), by seq: their file's name, "" for one culled.
	raw map[int64]string
}

func (r *run) write(ctx context.Context, s sink) (string, error) {
	var err error
	if r.p, err = newPacker(r.o.PackageID, r.created, s, r.scratch); err != nil {
		return "", err
	}
	defer r.p.close()
	if r.premis, err = newPREMIS(r.scratch); err != nil {
		return "", err
	}
	defer r.premis.close()
	org := r.e.Organisation
	if org == "" {
		// The municipality as configured; the archive's creator.
		_ = r.e.DB.QueryRow(ctx, "SELECT name FROM municipality WHERE id = 1").Scan(&org)
	}
	if org == "" {
		org = "Kommunen"
	}
	version := r.e.Version
	if version == "" {
		version = buildVersion()
	}
	if r.erms, err = newERMS(filepath.Join(r.scratch, "erms.xml"), org, r.o.PackageID, r.created); err != nil {
		return "", err
	}
	defer r.erms.abort()
	r.rend = &rendition{org: org, packageID: r.o.PackageID}
	if r.channels, err = r.channelNames(ctx); err != nil {
		return "", err
	}
	if err := r.schemas(); err != nil {
		return "", err
	}
	if err := r.records(ctx); err != nil {
		return "", err
	}
	if err := r.rend.finish(r.p, r.premis); err != nil {
		return "", err
	}
	if err := r.premis.event("information package creation", r.created, "Informationspaket "+r.o.PackageID+" skapat: "+r.o.Selection.Describe(),
		premisLink{idPackage, r.o.PackageID}); err != nil {
		return "", err
	}
	if err := r.erms.finish(); err != nil {
		return "", err
	}
	erms, err := r.p.putFile(-1, "metadata/descriptive/ERMS.xml", "application/xml", r.erms.path)
	if err != nil {
		return "", err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(r.premis.finish(pw)) }()
	premis, err := r.p.put(-1, "metadata/preservation/PREMIS.xml", "application/xml", pr)
	pr.Close()
	if err != nil {
		return "", err
	}
	if err := r.p.flushFrags(); err != nil {
		return "", err
	}
	w, err := s.create("METS.xml")
	if err != nil {
		return "", err
	}
	label := "Tilltal: sociala medier, " + r.o.Selection.Describe()
	if err := r.p.writeMETS(w, label, "Tilltal", version, org, erms, premis); err != nil {
		return "", err
	}
	return s.commit()
}

func (r *run) schemas() error {
	names, err := schemaFiles()
	if err != nil {
		return err
	}
	for _, n := range names {
		f, err := schemaFS.Open("schemas/" + n)
		if err != nil {
			return err
		}
		m := "application/xml"
		switch filepath.Ext(n) {
		case ".txt":
			m = "text/plain"
		case ".md":
			m = "text/markdown"
		}
		_, err = r.p.put(grpSchemas, "schemas/"+n, m, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *run) channelNames(ctx context.Context) (map[int64]string, error) {
	rows, err := r.e.DB.Query(ctx, "SELECT id, name FROM channels")
	if err != nil {
		return nil, fmt.Errorf("earchive: channels: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// records pages through the selection in (thread, seq) order.
func (r *run) records(ctx context.Context) error {
	where, args := r.o.Selection.where()
	var thread, seq int64 = -1, 0
	for {
		page, err := archive.Page(ctx, r.e.DB, where+" AND (r.thread_id > ? OR (r.thread_id = ? AND r.seq > ?))",
			append(args[:len(args):len(args)], thread, thread, seq), "r.thread_id, r.seq", pageSize)
		if err != nil {
			return err
		}
		if err := r.diaryNumbers(ctx, page); err != nil {
			return err
		}
		for _, rec := range page {
			if err := r.record(ctx, rec); err != nil {
				return fmt.Errorf("earchive: record %d: %w", rec.Seq, err)
			}
			r.done++
			// Records received during the export may join the period.
			r.total = max(r.total, r.done)
			if r.o.Progress != nil {
				if err := r.o.Progress(r.done, r.total); err != nil {
					return err
				}
			}
		}
		if len(page) < pageSize {
			return nil
		}
		last := page[len(page)-1]
		thread, seq = last.ThreadID, last.Seq
	}
}

// diaryEntry is what a record takes from its item's diary entry.
type diaryEntry struct {
	number, ground string
	secret         bool
}

// diaryNumbers gives the page's records the diary number of their item
// when the diary registered the item (object "item") or an incident
// opened on it (object "incident"), and the entry's secrecy, for records
// the archive itself has no number for.
func (r *run) diaryNumbers(ctx context.Context, page []archive.Record) error {
	var ids []any
	seen := map[int64]bool{}
	for _, rec := range page {
		if rec.DiaryNumber == "" && rec.ItemID != 0 && !seen[rec.ItemID] {
			seen[rec.ItemID] = true
			ids = append(ids, strconv.FormatInt(rec.ItemID, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err := r.e.DB.Query(ctx, `SELECT d.object_id, d.number, d.secret, d.secrecy_ground FROM diary_entries d
		WHERE d.object_type = 'item' AND d.object_id IN (`+in+`)
		UNION ALL
		SELECT CAST(i.item_id AS TEXT), d.number, d.secret, d.secrecy_ground FROM diary_entries d
		JOIN incidents i ON d.object_type = 'incident' AND d.object_id = CAST(i.id AS TEXT)
		WHERE CAST(i.item_id AS TEXT) IN (`+in+`)`, append(ids, ids...)...)
	if err != nil {
		return fmt.Errorf("earchive: diary: %w", err)
	}
	defer rows.Close()
	entries := map[int64]diaryEntry{}
	for rows.Next() {
		var id string
		var e diaryEntry
		if err := rows.Scan(&id, &e.number, &e.secret, &e.ground); err != nil {
			return err
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		if _, ok := entries[n]; !ok {
			entries[n] = e
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range page {
		e, ok := entries[page[i].ItemID]
		if !ok || page[i].DiaryNumber != "" || !described(page[i].Kind) {
			continue
		}
		page[i].DiaryNumber = e.number
		if e.secret && !page[i].Secret {
			page[i].Secret, page[i].SecrecyGround = true, e.ground
		}
	}
	return nil
}

// normalised is Tilltal's record as rep1 keeps it: the chain's fields, the
// annotations, and the content itself when it is JSON.
type normalised struct {
	Seq           int64           `json:"seq"`
	Kind          archive.Kind    `json:"kind"`
	ChannelID     int64           `json:"channel_id"`
	ChannelName   string          `json:"channel_name,omitempty"`
	DepartmentID  int64           `json:"department_id"`
	ItemID        int64           `json:"item_id"`
	ItemVersion   int             `json:"item_version"`
	ThreadID      int64           `json:"thread_id"`
	Platform      string          `json:"platform"`
	ExternalID    string          `json:"external_id"`
	AuthorID      string          `json:"author_id"`
	AuthorName    string          `json:"author_name"`
	Direction     string          `json:"direction"`
	OccurredAt    time.Time       `json:"occurred_at"`
	CapturedAt    time.Time       `json:"captured_at"`
	RefSeq        int64           `json:"ref_seq"`
	ContentType   string          `json:"content_type"`
	ContentSize   int64           `json:"content_size"`
	ContentSHA256 string          `json:"content_sha256"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
	DiaryNumber   string          `json:"diary_number,omitempty"`
	Secret        bool            `json:"secret"`
	SecrecyGround string          `json:"secrecy_ground,omitempty"`
	Content       json.RawMessage `json:"content,omitempty"`
	// ContentFile names the file with the content when it is not JSON.
	ContentFile string `json:"content_file,omitempty"`
	// PlatformFile names the platform's delivery this version came in.
	PlatformFile string `json:"platform_file,omitempty"`
	// Files name the stored files the record refers to (a snapshot's PDF
	// and HTML).
	Files []string `json:"files,omitempty"`
}

const dataDir = "representations/rep1/data/"

// record writes one record's files, ERMS entry, PREMIS objects and events,
// and its place in the rendition.
func (r *run) record(ctx context.Context, rec archive.Record) error {
	n := normalised{Seq: rec.Seq, Kind: rec.Kind, ChannelID: rec.ChannelID, ChannelName: r.channels[rec.ChannelID], DepartmentID: rec.DepartmentID,
		ItemID: rec.ItemID, ItemVersion: rec.ItemVersion, ThreadID: rec.ThreadID, Platform: rec.Platform, ExternalID: rec.ExternalID,
		AuthorID: rec.AuthorID, AuthorName: rec.AuthorName, Direction: string(rec.Direction), OccurredAt: rec.OccurredAt, CapturedAt: rec.CapturedAt,
		RefSeq: rec.RefSeq, ContentType: rec.ContentType, ContentSize: rec.ContentSize, ContentSHA256: rec.ContentSHA256, PrevHash: rec.PrevHash,
		Hash: rec.Hash, DiaryNumber: rec.DiaryNumber, Secret: rec.Secret, SecrecyGround: rec.SecrecyGround}
	seqStr := strconv.FormatInt(rec.Seq, 10)
	if rec.ContentType == archive.ContentJSON && json.Valid(rec.Content) {
		n.Content = rec.Content
	} else if len(rec.Content) > 0 {
		name := dataDir + "records/" + seqStr + extension(rec.ContentType)
		if err := r.dataFile(name, rec.ContentType, rec.Seq, bytes.NewReader(rec.Content)); err != nil {
			return err
		}
		n.ContentFile = name
	}
	var att archive.AttachmentContent
	if rec.Kind == archive.KindAttachment && json.Unmarshal(rec.Content, &att) == nil && att.SHA256 != "" {
		name, err := r.attachment(ctx, rec, att)
		if err != nil {
			return err
		}
		n.ContentFile = name
	}
	if rec.Kind == archive.KindSnapshot && n.Content != nil {
		for i, ref := range blobRefs(n.Content) {
			name := dataDir + "attachments/" + seqStr + "-" + strconv.Itoa(i+1) + extension(ref.ContentType)
			if err := r.blobFile(ctx, rec.Seq, name, ref); err != nil {
				return err
			}
			n.Files = append(n.Files, name)
		}
	}
	if rec.Kind == archive.KindItemVersion && rec.RefSeq != 0 {
		name, err := r.rawDelivery(ctx, rec.RefSeq)
		if err != nil {
			return err
		}
		n.PlatformFile = name
	}
	b, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return err
	}
	if err := r.dataFile(dataDir+"records/"+seqStr+".json", "application/json", rec.Seq, bytes.NewReader(b)); err != nil {
		return err
	}
	if err := r.events(rec); err != nil {
		return err
	}
	if described(rec.Kind) {
		if err := r.erms.record(rec, r.ermsRecord(rec, att), r.threadTitle(rec)); err != nil {
			return err
		}
	}
	r.rend.add(r.view(rec, att))
	if r.rend.full() {
		return r.rend.flush(r.p, r.premis)
	}
	return nil
}

// described reports whether a kind is a record in ERMS; the others
// (classification, registration, hold) are events in PREMIS.
func described(k archive.Kind) bool {
	switch k {
	case archive.KindItemVersion, archive.KindReply, archive.KindPost, archive.KindAttachment, archive.KindSnapshot:
		return true
	}
	return false
}

// dataFile writes a rep1 file and its PREMIS object.
func (r *run) dataFile(name, mimeType string, seq int64, rd io.Reader) error {
	e, err := r.p.put(grpRep1, name, mimeType, rd)
	if err != nil {
		return err
	}
	return r.premis.object(e, seq, "")
}

// attachment copies an attachment's content from the blob store.
func (r *run) attachment(ctx context.Context, rec archive.Record, a archive.AttachmentContent) (string, error) {
	name := dataDir + "attachments/" + strconv.FormatInt(rec.Seq, 10) + extension(a.ContentType)
	return name, r.blobFile(ctx, rec.Seq, name, blobRef{SHA256: a.SHA256, ContentType: a.ContentType, Name: a.URL})
}

// blobRef is a stored file a record's JSON names: an object with a
// "sha256" of content in the blob store (a snapshot's "pdf" and "html").
type blobRef struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Name        string `json:"name"`
}

// blobRefs finds the blob references among the top-level fields of a
// record's JSON, in field order.
func blobRefs(content []byte) []blobRef {
	dec := json.NewDecoder(bytes.NewReader(content))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []blobRef
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			return out
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return out
		}
		var ref blobRef
		if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &ref) == nil && blob.ValidHash(ref.SHA256) {
			out = append(out, ref)
		}
	}
	return out
}

// blobFile copies a referenced blob into rep1, checking its hash.
func (r *run) blobFile(ctx context.Context, seq int64, name string, ref blobRef) error {
	f, err := r.e.Blobs.Open(ctx, ref.SHA256)
	if err != nil {
		return fmt.Errorf("file %s: %w", ref.SHA256, err)
	}
	defer f.Close()
	ct := ref.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	e, err := r.p.put(grpRep1, name, ct, f)
	if err != nil {
		return err
	}
	if e.sha256 != ref.SHA256 {
		return fmt.Errorf("file %s: stored content has hash %s", ref.SHA256, e.sha256)
	}
	return r.premis.object(e, seq, ref.Name)
}

// rawDelivery writes the platform's delivery as received, once, and
// returns its file's name. A delivery culled under retention has no
// content to write: the name is "" (a record must not point at a file the
// package lacks), and PREMIS says, once, that it was culled.
func (r *run) rawDelivery(ctx context.Context, seq int64) (string, error) {
	if name, seen := r.raw[seq]; seen {
		return name, nil
	}
	raw, err := archive.Get(ctx, r.e.DB, seq)
	if err != nil {
		return "", err
	}
	if raw.Culled() {
		r.raw[seq] = ""
		return "", r.premis.event("deletion", ermsTime(*raw.CulledAt), "Leveransen från plattformen är gallrad enligt beslut om bevarande och gallring och ingår inte i paketet ("+raw.ExternalID+")",
			premisLink{idRecord, strconv.FormatInt(seq, 10)})
	}
	name := dataDir + "platform/" + strconv.FormatInt(seq, 10) + extension(raw.ContentType)
	r.raw[seq] = name
	if err := r.dataFile(name, raw.ContentType, seq, bytes.NewReader(raw.Content)); err != nil {
		return "", err
	}
	return name, r.premis.event("capture", ermsTime(raw.CapturedAt), "Leverans från plattformen mottagen som den kom ("+raw.ExternalID+")",
		premisLink{idRecord, strconv.FormatInt(seq, 10)})
}

// extension is a file extension for a MIME type.
func extension(contentType string) string {
	switch contentType {
	case archive.ContentJSON:
		return ".json"
	case "application/octet-stream", "":
		return ".bin"
	case "image/jpeg":
		return ".jpg"
	case "text/html", "text/html; charset=utf-8":
		return ".html"
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	}
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}
