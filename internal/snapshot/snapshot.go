// Package snapshot takes snapshots (ögonblicksbilder) of channels: Swedish
// archive guidance asks for a snapshot of each social-media account at
// least every six months and before it is closed. A snapshot renders the
// channel's recent posts with their comments and replies as a paginated
// PDF and an HTML file, keeps both in the blob store (content-addressed)
// and appends an archive record of kind snapshot that names them, so that
// search and exports include it.
package snapshot

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/blob"
	"tilltal/internal/db"
)

// Why a snapshot was taken.
const (
	Periodic = "periodic"
	Manual   = "manual"
	Closing  = "closing"
)

// Window is how far back a snapshot looks, and how old the last snapshot
// of a channel may be before the job takes a new one.
const Window = 6 // months

// Bounds of one snapshot: the newest threads first, and so many items of
// each, so that a busy channel's snapshot stays a document people can read
// and the job stays within its time.
const (
	maxThreads        = 300
	maxItemsPerThread = 500
)

// Snapshot is one snapshot of a channel.
type Snapshot struct {
	ID         int64
	ChannelID  int64
	RecordSeq  int64
	Reason     string
	From, To   time.Time
	Posts      int
	Items      int
	PDFSHA256  string
	PDFSize    int64
	HTMLSHA256 string
	HTMLSize   int64
	TakenAt    time.Time
	TakenBy    string
}

// ReasonLabel says in Swedish why the snapshot was taken.
func (s Snapshot) ReasonLabel() string {
	switch s.Reason {
	case Periodic:
		return "Halvårsvis"
	case Closing:
		return "Före stängning"
	}
	return "Tagen för hand"
}

// File is one of a snapshot's renderings.
type File struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"content_type"`
	Name   string `json:"name"`
}

// Content is the content of a snapshot record.
type Content struct {
	ChannelID   int64     `json:"channel_id"`
	ChannelName string    `json:"channel_name"`
	Platform    string    `json:"platform"`
	Reason      string    `json:"reason"`
	From        time.Time `json:"period_from"`
	To          time.Time `json:"period_to"`
	Posts       int       `json:"posts"`
	Items       int       `json:"items"`
	// Truncated says that the channel had more than a snapshot holds.
	Truncated bool   `json:"truncated,omitempty"`
	PDF       File   `json:"pdf"`
	HTML      File   `json:"html"`
	By        string `json:"by"`
}

// Service takes and lists snapshots.
type Service struct {
	DB    *db.DB
	Blobs blob.Store
	Now   func() time.Time
	Log   *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Prepared is a snapshot whose files are rendered and stored, waiting for
// its archive record (RecordTx).
type Prepared struct {
	channelID    int64
	departmentID int64
	reason       string
	at           time.Time
	content      Content
	indexText    string
}

// Take takes a snapshot of a channel now: Prepare, then the record in a
// short transaction of its own.
func (s *Service) Take(ctx context.Context, channelID int64, reason string) (Snapshot, error) {
	p, err := s.Prepare(ctx, channelID, reason)
	if err != nil {
		return Snapshot{}, err
	}
	var out Snapshot
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.RecordTx(ctx, tx, p)
		return err
	})
	return out, err
}

// Prepare reads the channel's posts, renders the PDF and the HTML and
// stores both in the blob store, outside any write transaction: for a busy
// channel this takes seconds (and uploads, with the S3 store), and holding
// the archive's lock meanwhile — on SQLite the only writer — would stall
// every webhook acknowledgement, session and archive append. The posts are
// read in one read transaction, so the snapshot shows one moment.
//
// The files are content-addressed. If their record is never appended (the
// recording transaction fails, or the close it belongs to is refused) they
// stay as blobs no record names, which is harmless: a later snapshot with
// the same files shares them, and nothing shows them (backups copy them).
func (s *Service) Prepare(ctx context.Context, channelID int64, reason string) (*Prepared, error) {
	switch reason {
	case Periodic, Manual, Closing:
	default:
		return nil, fmt.Errorf("snapshot: unknown reason %q", reason)
	}
	if s.Blobs == nil {
		return nil, errors.New("snapshot: no blob store")
	}
	now := s.now()
	v, err := s.read(ctx, channelID, now.AddDate(0, -Window, 0), now)
	if err != nil {
		return nil, err
	}
	v.Reason = reasonText(reason)
	pdf, err := renderPDF(v)
	if err != nil {
		return nil, fmt.Errorf("snapshot: pdf: %w", err)
	}
	page, err := renderHTML(v)
	if err != nil {
		return nil, fmt.Errorf("snapshot: html: %w", err)
	}
	base := fmt.Sprintf("ogonblicksbild-kanal-%d-%s", channelID, now.Format("20060102-150405"))
	pdfFile, err := s.put(ctx, pdf, "application/pdf", base+".pdf")
	if err != nil {
		return nil, err
	}
	htmlFile, err := s.put(ctx, page, "text/html; charset=utf-8", base+".html")
	if err != nil {
		return nil, err
	}
	return &Prepared{channelID: channelID, departmentID: v.departmentID, reason: reason, at: now,
		content: Content{ChannelID: channelID, ChannelName: v.Channel, Platform: v.Platform, Reason: reason, From: v.from, To: v.to,
			Posts: len(v.Threads), Items: v.items, Truncated: v.Truncated, PDF: pdfFile, HTML: htmlFile, By: audit.ActorFrom(ctx).Label},
		indexText: "ögonblicksbild " + v.Channel + "\n" + v.text.String()}, nil
}

// read loads the channel's view in a read-only transaction.
func (s *Service) read(ctx context.Context, channelID int64, from, to time.Time) (*view, error) {
	tx, err := s.DB.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return load(ctx, tx, channelID, from, to)
}

// RecordTx appends a prepared snapshot's archive record, with its row and
// audit entry, in tx. It takes the archive's lock only for that, so tx
// stays short. A channel closing records its last snapshot in the
// transaction that closes it, so the channel is closed exactly when the
// snapshot exists.
func (s *Service) RecordTx(ctx context.Context, tx *db.Tx, p *Prepared) (Snapshot, error) {
	// The archive's lock first, as every append takes it.
	if err := archive.LockTx(ctx, tx); err != nil {
		return Snapshot{}, err
	}
	c := p.content
	content, err := json.Marshal(c)
	if err != nil {
		return Snapshot{}, err
	}
	rec, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindSnapshot, ChannelID: p.channelID, DepartmentID: p.departmentID,
		Platform: c.Platform, Direction: archive.Internal, OccurredAt: p.at, CapturedAt: p.at, Content: content, IndexText: p.indexText})
	if err != nil {
		return Snapshot{}, err
	}
	out := Snapshot{ChannelID: p.channelID, RecordSeq: rec.Seq, Reason: p.reason, From: c.From, To: c.To, Posts: c.Posts, Items: c.Items,
		PDFSHA256: c.PDF.SHA256, PDFSize: c.PDF.Size, HTMLSHA256: c.HTML.SHA256, HTMLSize: c.HTML.Size, TakenAt: p.at, TakenBy: c.By}
	out.ID, err = tx.InsertID(ctx, `INSERT INTO archive_snapshots (channel_id, record_seq, reason, period_from, period_to, posts, items,
		pdf_sha256, pdf_size, html_sha256, html_size, taken_at, taken_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.channelID, rec.Seq, p.reason, c.From, c.To, c.Posts, c.Items, c.PDF.SHA256, c.PDF.Size, c.HTML.SHA256, c.HTML.Size, p.at, c.By)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: save: %w", err)
	}
	return out, audit.Record(ctx, tx, p.at, audit.Entry{Action: "snapshot.take", ObjectType: "channel", ObjectID: audit.ID(p.channelID),
		DepartmentID: p.departmentID, Summary: fmt.Sprintf("Ögonblicksbild av %s (%s): %d inlägg, %d poster", c.ChannelName, strings.ToLower(reasonText(p.reason)), c.Posts, c.Items),
		Detail: map[string]any{"record_seq": rec.Seq, "snapshot_id": out.ID}})
}

func reasonText(reason string) string { return Snapshot{Reason: reason}.ReasonLabel() }

func (s *Service) put(ctx context.Context, b []byte, ctype, name string) (File, error) {
	hash, size, err := s.Blobs.Put(ctx, bytes.NewReader(b))
	if err != nil {
		return File{}, fmt.Errorf("snapshot: store %s: %w", name, err)
	}
	return File{SHA256: hash, Size: size, Type: ctype, Name: name}, nil
}

const columns = `id, channel_id, record_seq, reason, period_from, period_to, posts, items, pdf_sha256, pdf_size, html_sha256, html_size, taken_at, taken_by`

func scan(row interface{ Scan(...any) error }) (Snapshot, error) {
	var s Snapshot
	err := row.Scan(&s.ID, &s.ChannelID, &s.RecordSeq, &s.Reason, &s.From, &s.To, &s.Posts, &s.Items, &s.PDFSHA256, &s.PDFSize,
		&s.HTMLSHA256, &s.HTMLSize, &s.TakenAt, &s.TakenBy)
	return s, err
}

// List returns a channel's snapshots, newest first.
func (s *Service) List(ctx context.Context, channelID int64) ([]Snapshot, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+columns+" FROM archive_snapshots WHERE channel_id = ? ORDER BY taken_at DESC, id DESC", channelID)
	if err != nil {
		return nil, fmt.Errorf("snapshot: list: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		sn, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

// Get returns one snapshot.
func (s *Service) Get(ctx context.Context, id int64) (Snapshot, error) {
	sn, err := scan(s.DB.QueryRow(ctx, "SELECT "+columns+" FROM archive_snapshots WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sn, apperr.NotFoundf("Ögonblicksbilden finns inte")
	}
	return sn, err
}

// Open returns a snapshot's PDF ("pdf") or HTML ("html") file with its
// content type and a file name. The caller checks who may read it.
func (s *Service) Open(ctx context.Context, sn Snapshot, format string) (io.ReadCloser, string, string, error) {
	var hash, ctype string
	switch format {
	case "pdf":
		hash, ctype = sn.PDFSHA256, "application/pdf"
	case "html":
		hash, ctype = sn.HTMLSHA256, "text/html; charset=utf-8"
	default:
		return nil, "", "", apperr.NotFoundf("Okänt format")
	}
	r, err := s.Blobs.Open(ctx, hash)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, "", "", apperr.NotFoundf("Filen finns inte längre (ögonblicksbilden kan vara gallrad)")
	}
	if err != nil {
		return nil, "", "", err
	}
	name := fmt.Sprintf("ogonblicksbild-kanal-%d-%s.%s", sn.ChannelID, sn.TakenAt.UTC().Format("20060102-150405"), format)
	return r, ctype, name, nil
}

// Due returns the channels in use (active or paused) whose last snapshot
// is older than the window, or that have none.
func (s *Service) Due(ctx context.Context, limit int) ([]int64, error) {
	cutoff := s.now().AddDate(0, -Window, 0)
	rows, err := s.DB.Query(ctx, `SELECT c.id FROM channels c WHERE c.status IN ('active', 'paused')
		AND NOT EXISTS (SELECT 1 FROM archive_snapshots s WHERE s.channel_id = c.id AND s.taken_at > ?) ORDER BY c.id LIMIT ?`, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("snapshot: due: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// TakeDue takes a snapshot of every channel that is due, each in its own
// transaction; one that fails is logged and tried at the next run.
func (s *Service) TakeDue(ctx context.Context) (int, error) {
	ids, err := s.Due(ctx, 50)
	if err != nil {
		return 0, err
	}
	taken := 0
	var firstErr error
	for _, id := range ids {
		if _, err := s.Take(ctx, id, Periodic); err != nil {
			s.log().Error("snapshot failed", "channel_id", id, "err", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		taken++
	}
	return taken, firstErr
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// DueArgs is the periodic job that takes the snapshots that are due.
type DueArgs struct{}

// Kind names the job.
func (DueArgs) Kind() string { return "snapshot.due" }

// DueWorker takes due snapshots.
type DueWorker struct {
	river.WorkerDefaults[DueArgs]
	Service *Service
}

// Work takes the snapshots that are due.
func (w *DueWorker) Work(ctx context.Context, _ *river.Job[DueArgs]) error {
	_, err := w.Service.TakeDue(audit.WithActor(ctx, audit.System("ogonblicksbild")))
	return err
}

// PeriodicDue looks for due snapshots every interval.
func PeriodicDue(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return DueArgs{}, nil }, nil)
}
