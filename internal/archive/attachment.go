package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/blob"
	"tilltal/internal/db"
)

// Attachment statuses.
const (
	AttachmentPending = "pending" // not fetched yet
	AttachmentFetched = "fetched"
	AttachmentFailed  = "failed" // tried, will be tried again
	AttachmentLink    = "link"   // a link, kept as its address only
	AttachmentCulled  = "culled"
)

// maxAttachment bounds one attachment; platforms allow less for images,
// videos are fetched up to this.
const maxAttachment = 512 << 20

// maxAttempts is how often a failing attachment is tried, over about a
// month, before Tilltal gives up on it.
const maxAttempts = 30

// Attachment is an attachment named by a record and what became of it.
type Attachment struct {
	ID          int64
	ItemID      int64
	SourceSeq   int64
	Position    int
	URL         string
	Kind        string
	Title       string
	ContentType string
	Status      string
	Attempts    int
	LastError   string
	NextAttempt time.Time
	BlobSHA256  string
	Size        int64
	RecordSeq   int64
}

// GaveUp reports whether Tilltal stopped trying to fetch it.
func (a Attachment) GaveUp() bool { return a.Status == AttachmentFailed && a.Attempts >= maxAttempts }

// AttachmentContent is the content of an attachment record.
type AttachmentContent struct {
	SourceSeq   int64     `json:"source_seq"`
	Position    int       `json:"position"`
	URL         string    `json:"url"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title,omitempty"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	FetchedAt   time.Time `json:"fetched_at"`
	// Status is set on the records that say the attachment could not be
	// fetched: not_fetched after the first failure (Tilltal tries again
	// at NextAttempt), gave_up after the last. A fetched attachment's
	// record leaves it empty and has SHA256 and Size.
	Status      string     `json:"status,omitempty"`
	Error       string     `json:"error,omitempty"`
	Attempts    int        `json:"attempts,omitempty"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
}

// The statuses of an attachment record that holds no content.
const (
	AttachmentNotFetched = "not_fetched"
	AttachmentGaveUp     = "gave_up"
)

// queueAttachments notes a record's attachments for the fetch job.
func queueAttachments(ctx context.Context, tx *db.Tx, r Record, atts []attachmentJSON) error {
	for i, a := range atts {
		status := AttachmentPending
		if u, err := url.Parse(a.URL); a.Kind == "link" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			status = AttachmentLink
		}
		_, err := tx.Exec(ctx, `INSERT INTO archive_attachments (source_seq, position, item_id, channel_id, url, kind, title, content_type, status, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_seq, position) DO NOTHING`,
			r.Seq, i, r.ItemID, r.ChannelID, a.URL, a.Kind, a.Title, a.ContentType, status, r.CapturedAt)
		if err != nil {
			return fmt.Errorf("archive: queue attachment: %w", err)
		}
	}
	return nil
}

const attachmentColumns = "id, item_id, source_seq, position, url, kind, title, content_type, status, attempts, last_error, next_attempt_at, blob_sha256, size, record_seq"

func scanAttachment(row interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	err := row.Scan(&a.ID, &a.ItemID, &a.SourceSeq, &a.Position, &a.URL, &a.Kind, &a.Title, &a.ContentType, &a.Status, &a.Attempts, &a.LastError, &a.NextAttempt, &a.BlobSHA256, &a.Size, &a.RecordSeq)
	return a, err
}

// Attachments returns the attachments a record named, in order.
func (s *Store) Attachments(ctx context.Context, sourceSeq int64) ([]Attachment, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+attachmentColumns+" FROM archive_attachments WHERE source_seq = ? ORDER BY position", sourceSeq)
	if err != nil {
		return nil, fmt.Errorf("archive: attachments: %w", err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FetchArgs is the periodic job that fetches attachments.
type FetchArgs struct{}

// Kind names the job.
func (FetchArgs) Kind() string { return "archive.fetch_attachments" }

// FetchWorker fetches attachments that are due.
type FetchWorker struct {
	river.WorkerDefaults[FetchArgs]
	Store *Store
}

// Work fetches a round of due attachments.
func (w *FetchWorker) Work(ctx context.Context, _ *river.Job[FetchArgs]) error {
	_, _, err := w.Store.FetchDue(ctx, 50)
	return err
}

// PeriodicFetch looks for attachments to fetch every interval.
// The first run is one interval after start: nothing is lost by waiting,
// and the jobs that must run at start get the workers first.
func PeriodicFetch(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return FetchArgs{}, nil }, nil)
}

// FetchDue fetches up to limit attachments whose time has come: each is
// leased first, so that two instances never fetch the same one, and a
// failure is noted with the next time to try. An attachment of an item
// whose media is in quarantine is never fetched: it is asked before the
// query, before the request and before the file is kept.
func (s *Store) FetchDue(ctx context.Context, limit int) (fetched, failed int, err error) {
	if err := s.quarantineStragglers(ctx); err != nil {
		return 0, 0, err
	}
	now := s.now()
	rows, err := s.DB.Query(ctx, "SELECT "+attachmentColumns+` FROM archive_attachments WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?
		AND item_id NOT IN (SELECT item_id FROM media_quarantine) ORDER BY next_attempt_at LIMIT ?`, now, limit)
	if err != nil {
		return 0, 0, fmt.Errorf("archive: due attachments: %w", err)
	}
	var due []Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			rows.Close()
			return 0, 0, err
		}
		due = append(due, a)
	}
	rows.Close()
	for _, a := range due {
		res, err := s.DB.Exec(ctx, "UPDATE archive_attachments SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?", now.Add(15*time.Minute), a.ID, a.NextAttempt)
		if err != nil {
			return fetched, failed, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another instance has it
		}
		// The quarantine may have come since the query.
		if q, err := s.quarantined(ctx, a.ItemID); err != nil || q {
			if err == nil {
				err = s.quarantineItem(ctx, a.ItemID)
			}
			if err != nil {
				return fetched, failed, err
			}
			continue
		}
		err = s.fetchOne(ctx, a)
		var q errQuarantined
		if errors.As(err, &q) {
			if err := s.quarantineItem(ctx, a.ItemID); err != nil {
				return fetched, failed, err
			}
			if err := s.deleteUnused(ctx, q.hash); err != nil {
				return fetched, failed, err
			}
			continue
		}
		if err != nil {
			failed++
			s.log().Warn("attachment not fetched", "attachment_id", a.ID, "source_seq", a.SourceSeq, "attempt", a.Attempts+1, "err", err)
			if err := s.noteFailure(ctx, a, err); err != nil {
				return fetched, failed, err
			}
			continue
		}
		fetched++
	}
	return fetched, failed, s.deleteBlobs(ctx)
}

// quarantineStragglers quarantines attachments that a quarantine has not
// reached: those of a version of the item that came after the flag.
func (s *Store) quarantineStragglers(ctx context.Context) error {
	ids, err := int64s(ctx, s.DB, `SELECT DISTINCT a.item_id FROM archive_attachments a JOIN media_quarantine q ON q.item_id = a.item_id
		WHERE a.status IN ('pending', 'failed', 'fetched') ORDER BY a.item_id LIMIT 100`)
	if err != nil {
		return fmt.Errorf("archive: quarantined attachments: %w", err)
	}
	for _, id := range ids {
		if err := s.quarantineItem(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// errQuarantined says that the item was quarantined while its attachment
// was being fetched; hash names the file stored meanwhile.
type errQuarantined struct{ hash string }

func (e errQuarantined) Error() string { return "archive: media in quarantine" }

func (s *Store) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// fetchOne downloads an attachment into the blob store and appends its
// record.
func (s *Store) fetchOne(ctx context.Context, a Attachment) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return err
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body := io.LimitReader(resp.Body, maxAttachment+1)
	hash, size, err := s.Blobs.Put(ctx, body)
	if err != nil {
		return err
	}
	if size > maxAttachment {
		_ = s.Blobs.Delete(ctx, hash)
		return blob.ErrTooLarge
	}
	ctype := a.ContentType
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		ctype = mt
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Under the chain's lock, which a quarantine takes too: if it came
		// during the download the file is not kept.
		if err := LockTx(ctx, tx); err != nil {
			return err
		}
		var quarantined int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM media_quarantine WHERE item_id = ?", a.ItemID).Scan(&quarantined); err != nil {
			return err
		}
		if quarantined > 0 {
			return errQuarantined{hash: hash}
		}
		src, err := getTx(ctx, tx, a.SourceSeq)
		if err != nil {
			return err
		}
		content, err := json.Marshal(AttachmentContent{SourceSeq: a.SourceSeq, Position: a.Position, URL: a.URL, Kind: a.Kind, Title: a.Title,
			ContentType: ctype, SHA256: hash, Size: size, FetchedAt: archiveTime(now)})
		if err != nil {
			return err
		}
		rec, err := AppendTx(ctx, tx, Record{Kind: KindAttachment, ChannelID: src.ChannelID, DepartmentID: src.DepartmentID, ItemID: src.ItemID,
			ItemVersion: src.ItemVersion, ThreadID: src.ThreadID, Platform: src.Platform, ExternalID: src.ExternalID, AuthorID: src.AuthorID,
			AuthorName: src.AuthorName, Direction: src.Direction, OccurredAt: src.OccurredAt, CapturedAt: now, RefSeq: src.Seq,
			Content: content, IndexText: a.Title, Secret: src.Secret, SecrecyGround: src.SecrecyGround})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE archive_attachments SET status = 'fetched', attempts = attempts + 1, last_error = '', content_type = ?,
			blob_sha256 = ?, size = ?, record_seq = ?, fetched_at = ? WHERE id = ?`, ctype, hash, size, rec.Seq, now, a.ID)
		return err
	})
}

// noteFailure records a failed attempt and when to try again: soon at
// first (a passing outage), then daily, since a platform's link may work
// again or be refreshed.
func (s *Store) noteFailure(ctx context.Context, a Attachment, cause error) error {
	attempts := a.Attempts + 1
	wait := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}
	next := 24 * time.Hour
	if attempts-1 < len(wait) {
		next = wait[attempts-1]
	}
	if attempts >= maxAttempts {
		next = 100 * 365 * 24 * time.Hour
	}
	msg := cause.Error()
	if errors.Is(cause, blob.ErrTooLarge) {
		msg = "filen är större än 512 MiB"
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	msg = strings.ToValidUTF8(msg, "")
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE archive_attachments SET status = 'failed', attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
			attempts, msg, now.Add(next), a.ID); err != nil {
			return err
		}
		// The archive says so in a record of its own the first time (the
		// record named an attachment Tilltal does not have yet) and when
		// Tilltal gives up; the attempts between are in the table only.
		switch {
		case attempts == 1 && attempts < maxAttempts:
			at := archiveTime(now.Add(next))
			return failureRecordTx(ctx, tx, a, AttachmentContent{Status: AttachmentNotFetched, Error: msg, Attempts: attempts, NextAttempt: &at}, now)
		case attempts >= maxAttempts:
			return failureRecordTx(ctx, tx, a, AttachmentContent{Status: AttachmentGaveUp, Error: msg, Attempts: attempts}, now)
		}
		return nil
	})
}

// failureRecordTx appends an attachment record that says the attachment
// could not be fetched, beside the record that named it.
func failureRecordTx(ctx context.Context, tx *db.Tx, a Attachment, c AttachmentContent, now time.Time) error {
	src, err := getTx(ctx, tx, a.SourceSeq)
	if err != nil {
		return err
	}
	c.SourceSeq, c.Position, c.URL, c.Kind, c.Title, c.ContentType = a.SourceSeq, a.Position, a.URL, a.Kind, a.Title, a.ContentType
	c.FetchedAt = archiveTime(now)
	content, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = AppendTx(ctx, tx, Record{Kind: KindAttachment, ChannelID: src.ChannelID, DepartmentID: src.DepartmentID, ItemID: src.ItemID,
		ItemVersion: src.ItemVersion, ThreadID: src.ThreadID, Platform: src.Platform, ExternalID: src.ExternalID, AuthorID: src.AuthorID,
		AuthorName: src.AuthorName, Direction: src.Direction, OccurredAt: src.OccurredAt, CapturedAt: now, RefSeq: src.Seq,
		Content: content, IndexText: a.Title, Secret: src.Secret, SecrecyGround: src.SecrecyGround})
	return err
}

// getTx reads a record in tx.
func getTx(ctx context.Context, tx *db.Tx, seq int64) (Record, error) {
	r, err := scanRecord(tx.QueryRow(ctx, "SELECT "+readColumns+" FROM archive_records r WHERE r.seq = ?", seq))
	if err != nil {
		return Record{}, fmt.Errorf("archive: record %d: %w", seq, err)
	}
	return r, nil
}
