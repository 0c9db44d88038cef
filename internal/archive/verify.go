package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"tilltal/internal/db"
)

// Problem is one thing verification found wrong, at a record.
type Problem struct {
	Seq    int64
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("record %d: %s", p.Seq, p.Reason) }

// Report is the outcome of Verify.
type Report struct {
	Records  int64
	LastSeq  int64
	HeadHash string
	Culled   int64
	// Problems are the first problems found, in chain order; empty when the
	// chain is intact. ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int
	Duration     time.Duration
}

// OK reports whether the chain verified.
func (r Report) OK() bool { return r.ProblemCount == 0 }

// maxProblems bounds the problems kept in a report: the first one is what
// matters, a few more help to see the extent.
const maxProblems = 20

// Verify reads the whole chain in seq order in one query, on a consistent
// snapshot, and checks every record: its seq follows the one before (no
// record removed or moved), its prev_hash is the hash before it, its hash
// matches its metadata and content hash (nothing changed), its content
// matches its content hash, content is missing only where a culling record
// says it was culled, the head names the last record, and every anchor
// (the head written down earlier, see AnchorHead) is still on the chain
// (nothing removed from the end, even with the head moved back).
func Verify(ctx context.Context, d *db.DB) (Report, error) {
	start := time.Now()
	tx, err := readSnapshot(ctx, d)
	if err != nil {
		return Report{}, fmt.Errorf("archive: verify: %w", err)
	}
	defer tx.Rollback()
	var h head
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM archive_chain WHERE id = 1").Scan(&h.seq, &h.hash); err != nil {
		return Report{}, fmt.Errorf("archive: verify: head: %w", err)
	}
	anchored, err := anchors(ctx, tx, d)
	if err != nil {
		return Report{}, fmt.Errorf("archive: verify: anchors: %w", err)
	}
	rows, err := tx.QueryContext(ctx, d.Rebind(`SELECT seq, kind, channel_id, department_id, item_id, item_version, thread_id, platform, external_id,
		author_id, author_name, direction, occurred_at, captured_at, ref_seq, content_type, content_size, content_sha256,
		prev_hash, hash, content FROM archive_records ORDER BY seq`))
	if err != nil {
		return Report{}, fmt.Errorf("archive: verify: %w", err)
	}
	defer rows.Close()
	v := verifier{prev: head{hash: genesis}, unexplained: map[int64]bool{}, anchors: anchored}
	var r Record
	var kind, dir string
	var content sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&r.Seq, &kind, &r.ChannelID, &r.DepartmentID, &r.ItemID, &r.ItemVersion, &r.ThreadID, &r.Platform, &r.ExternalID,
			&r.AuthorID, &r.AuthorName, &dir, &r.OccurredAt, &r.CapturedAt, &r.RefSeq, &r.ContentType, &r.ContentSize, &r.ContentSHA256,
			&r.PrevHash, &r.Hash, &content); err != nil {
			return Report{}, fmt.Errorf("archive: verify: read after record %d: %w", v.prev.seq, err)
		}
		// RawBytes avoids a copy per record; it is only used in check.
		r.Content = []byte(content)
		r.Kind, r.Direction = Kind(kind), Direction(dir)
		v.check(&r)
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("archive: verify: %w", err)
	}
	v.finish(h)
	v.report.Duration = time.Since(start)
	return v.report, nil
}

// readSnapshot opens a read-only transaction that sees one moment of the
// chain, however long the read takes (see db.BeginRead).
func readSnapshot(ctx context.Context, d *db.DB) (*sql.Tx, error) {
	tx, err := d.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	return tx.Tx, nil
}

type verifier struct {
	h           hasher
	prev        head
	report      Report
	unexplained map[int64]bool
	// anchors are the heads written down before (seq → hashes); each is
	// removed when its record is found with the same hash.
	anchors map[int64][]string
}

func (v *verifier) problem(seq int64, format string, args ...any) {
	v.report.ProblemCount++
	if len(v.report.Problems) < maxProblems {
		v.report.Problems = append(v.report.Problems, Problem{Seq: seq, Reason: fmt.Sprintf(format, args...)})
	}
}

// check checks one record against the one before it. After a problem it
// goes on from the record as stored, so that one change is reported once.
func (v *verifier) check(r *Record) {
	v.report.Records++
	switch want := v.prev.seq + 1; {
	case r.Seq > want:
		v.problem(want, "missing: the chain jumps from record %d to record %d (records were deleted)", v.prev.seq, r.Seq)
	case r.Seq < want:
		v.problem(r.Seq, "out of order after record %d", v.prev.seq)
	}
	if r.PrevHash != v.prev.hash && r.Seq == v.prev.seq+1 {
		v.problem(r.Seq, "does not follow record %d: its previous hash is not that record's hash (records were changed, moved or deleted)", v.prev.seq)
	}
	if !matches(v.h.sum(r), r.Hash) {
		v.problem(r.Seq, "hash does not match its metadata (the record was changed after it was written)")
	}
	switch {
	case r.Content != nil:
		if int64(len(r.Content)) != r.ContentSize || !matches(sha256.Sum256(r.Content), r.ContentSHA256) {
			v.problem(r.Seq, "content does not match its SHA-256 (the content was changed after it was written)")
		}
	default:
		v.report.Culled++
		v.unexplained[r.Seq] = true
	}
	if r.Kind == KindCulling && r.Content != nil {
		v.explain(r)
	}
	if hashes, ok := v.anchors[r.Seq]; ok {
		for _, h := range hashes {
			if h != r.Hash {
				v.problem(r.Seq, "does not match the anchor written for it (the chain was rewritten from this record on)")
			}
		}
		delete(v.anchors, r.Seq)
	}
	v.prev = head{seq: r.Seq, hash: r.Hash}
}

// explain clears the records a culling record says it culled.
func (v *verifier) explain(r *Record) {
	var c struct {
		Culled [][2]int64 `json:"culled"`
	}
	if err := json.Unmarshal(r.Content, &c); err != nil {
		v.problem(r.Seq, "culling record cannot be read: %v", err)
		return
	}
	for _, span := range c.Culled {
		for s := span[0]; s <= span[1] && s < r.Seq; s++ {
			delete(v.unexplained, s)
		}
	}
}

// finish checks what can only be checked at the end.
func (v *verifier) finish(h head) {
	if len(v.unexplained) > 0 {
		seqs := make([]int64, 0, len(v.unexplained))
		for s := range v.unexplained {
			seqs = append(seqs, s)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for _, s := range seqs {
			v.problem(s, "content removed without a culling record")
		}
		sort.SliceStable(v.report.Problems, func(i, j int) bool { return v.report.Problems[i].Seq < v.report.Problems[j].Seq })
	}
	var beyond int64
	for s := range v.anchors {
		if s > v.prev.seq {
			beyond = max(beyond, s)
		} else {
			v.problem(s, "missing: the record an anchor names is not in the chain")
		}
	}
	if beyond > 0 {
		v.problem(v.prev.seq+1, "missing: an anchor names record %d but the chain ends at record %d (records were deleted from the end)", beyond, v.prev.seq)
	}
	switch {
	case h.seq > v.prev.seq:
		v.problem(v.prev.seq+1, "missing: the chain's head is record %d but the last record found is %d (records were deleted from the end)", h.seq, v.prev.seq)
	case h.seq < v.prev.seq:
		v.problem(h.seq+1, "not in the chain: records after the head (record %d) were added outside the archive", h.seq)
	case h.hash != v.prev.hash:
		v.problem(h.seq, "the chain's head hash does not match the last record")
	}
	v.report.LastSeq, v.report.HeadHash = h.seq, h.hash
}
