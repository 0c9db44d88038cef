package archive

import (
	"context"
	"fmt"
	"strings"

	"tilltal/internal/db"
	"tilltal/internal/swedish"
)

// maxRowsPerInsert bounds the rows of one multi-row INSERT (and the ids of
// one IN list): 26 columns of 128 rows stay far below both databases'
// limits on placeholders.
const maxRowsPerInsert = 128

// head is the chain's last seq and hash.
type head struct {
	seq  int64
	hash string
}

// lockHead reads the chain's head and holds it for the rest of tx. On
// PostgreSQL the row lock makes every other appending transaction, on any
// instance, wait here until tx ends, and then read the head tx left; on
// SQLite the transaction already holds the database's only write lock
// (transactions begin IMMEDIATE), so a plain read is enough.
func lockHead(ctx context.Context, tx *db.Tx) (head, error) {
	held := heldIn(ctx, tx)
	if held != nil && held.locked {
		return held.h, nil
	}
	q := "SELECT seq, hash FROM archive_chain WHERE id = 1"
	if tx.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	var h head
	if err := tx.QueryRow(ctx, q).Scan(&h.seq, &h.hash); err != nil {
		return head{}, fmt.Errorf("archive: chain head: %w", err)
	}
	if held != nil {
		held.h, held.locked = h, true
	}
	return h, nil
}

// heldHead is the chain's head kept in a transaction's context between
// appends (HoldHead).
type heldHead struct {
	tx     *db.Tx
	h      head
	locked bool
	moved  bool
}

type heldKey struct{}

// HoldHead returns a context in which the appends of tx read and lock the
// chain's head once and keep it in memory, instead of reading and writing
// the head row for every record; ReleaseHeadTx writes it back and must be
// called before tx commits. A batch of deliveries appends a few records
// each: two statements per record saved.
func HoldHead(ctx context.Context, tx *db.Tx) context.Context {
	return context.WithValue(ctx, heldKey{}, &heldHead{tx: tx})
}

// ReleaseHeadTx writes the head held since HoldHead, if any record moved
// it.
func ReleaseHeadTx(ctx context.Context, tx *db.Tx) error {
	held := heldIn(ctx, tx)
	if held == nil || !held.moved {
		return nil
	}
	held.moved = false
	return writeHead(ctx, tx, held.h)
}

func heldIn(ctx context.Context, tx *db.Tx) *heldHead {
	held, _ := ctx.Value(heldKey{}).(*heldHead)
	if held == nil || held.tx != tx {
		return nil
	}
	return held
}

func writeHead(ctx context.Context, tx *db.Tx, h head) error {
	if _, err := tx.Exec(ctx, "UPDATE archive_chain SET seq = ?, hash = ? WHERE id = 1", h.seq, h.hash); err != nil {
		return fmt.Errorf("archive: move head: %w", err)
	}
	return nil
}

// LockTx takes the chain's lock in tx before anything else is locked.
// Appends lock the head anyway; a transaction that goes on to lock other
// rows after appending (an inbox item, a thread) should call LockTx first,
// so that every such transaction takes its locks in the same order and two
// of them never wait for each other.
func LockTx(ctx context.Context, tx *db.Tx) error {
	_, err := lockHead(ctx, tx)
	return err
}

// AppendTx appends one record to the chain in tx and returns it with its
// seq and hashes. It is the archive's one way in: the record exists exactly
// when the change that caused it commits. The caller fills what the record
// is (Kind, ids, platform, author, Direction, times, RefSeq, ContentType,
// Content, IndexText, Secret); AppendTx computes the rest.
func AppendTx(ctx context.Context, tx *db.Tx, r Record) (Record, error) {
	out, err := appendAll(ctx, tx, []Record{r})
	if err != nil {
		return Record{}, err
	}
	return out[0], nil
}

// appendAll appends records in order in one statement per batch; bulk
// loads (the benchmarks) use it directly.
func appendAll(ctx context.Context, tx *db.Tx, rs []Record) ([]Record, error) {
	for i := range rs {
		if err := prepare(&rs[i]); err != nil {
			return nil, err
		}
	}
	h, err := lockHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		r := &rs[i]
		r.Seq = h.seq + 1
		r.PrevHash = h.hash
		r.Hash = computeHash(r)
		h = head{seq: r.Seq, hash: r.Hash}
	}
	start := 0
	for _, n := range db.Chunks(len(rs), maxRowsPerInsert) {
		if err := insertRecords(ctx, tx, rs[start:start+n]); err != nil {
			return nil, err
		}
		start += n
	}
	if held := heldIn(ctx, tx); held != nil {
		held.h, held.moved = h, true
		return rs, nil
	}
	if err := writeHead(ctx, tx, h); err != nil {
		return nil, err
	}
	return rs, nil
}

// prepare checks a record and fills what follows from its content.
func prepare(r *Record) error {
	if !r.Kind.Valid() {
		return fmt.Errorf("archive: append: unknown kind %q", r.Kind)
	}
	switch r.Direction {
	case In, Out, Internal:
	default:
		return fmt.Errorf("archive: append: unknown direction %q", r.Direction)
	}
	if r.CapturedAt.IsZero() {
		return fmt.Errorf("archive: append: %s without a capture time", r.Kind)
	}
	if r.OccurredAt.IsZero() {
		r.OccurredAt = r.CapturedAt
	}
	r.OccurredAt, r.CapturedAt = archiveTime(r.OccurredAt), archiveTime(r.CapturedAt)
	if r.ContentType == "" {
		r.ContentType = ContentJSON
	}
	if len(r.Content) == 0 {
		// Empty content would read back as NULL on some drivers and look
		// culled; every kind has at least a JSON object.
		return fmt.Errorf("archive: append: %s without content", r.Kind)
	}
	r.ContentSize = int64(len(r.Content))
	r.ContentSHA256 = sha256Hex(r.Content)
	r.CulledAt, r.CulledBy = nil, 0
	return nil
}

const recordColumns = `seq, kind, channel_id, department_id, item_id, item_version, thread_id, platform, external_id,
	author_id, author_name, direction, occurred_at, captured_at, ref_seq, content_type, content_size, content_sha256,
	prev_hash, hash, content, search_text, author_key, diary_number, secret, secrecy_ground`

func insertRecords(ctx context.Context, tx *db.Tx, rs []Record) error {
	const n = 26
	args := make([]any, 0, n*len(rs))
	for _, r := range rs {
		search := r.IndexedText
		if search == "" {
			search = swedish.IndexText(r.IndexText)
		}
		args = append(args, r.Seq, string(r.Kind), r.ChannelID, r.DepartmentID, r.ItemID, r.ItemVersion, r.ThreadID, r.Platform, r.ExternalID,
			r.AuthorID, r.AuthorName, string(r.Direction), r.OccurredAt, r.CapturedAt, r.RefSeq, r.ContentType, r.ContentSize, r.ContentSHA256,
			r.PrevHash, r.Hash, r.Content, search, strings.ToLower(strings.TrimSpace(r.AuthorName)), r.DiaryNumber, r.Secret, r.SecrecyGround)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO archive_records ("+recordColumns+") VALUES "+db.ValuesList(len(rs), n), args...); err != nil {
		return fmt.Errorf("archive: append: %w", err)
	}
	return nil
}
