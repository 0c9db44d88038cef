package archive

import (
	"context"
	"errors"
	"fmt"
	"io"

	"tilltal/internal/blob"
)

// VerifyBlobs reads the blob of every fetched attachment to its end through
// the blob store, which checks it against its SHA-256: after a restore, or
// a move between stores, it proves that every attachment the archive names
// is there unchanged. Problems name the attachment's source record.
func (s *Store) VerifyBlobs(ctx context.Context) (checked int, problems []Problem, count int, err error) {
	rows, err := s.DB.Query(ctx, "SELECT source_seq, blob_sha256 FROM archive_attachments WHERE status = ? ORDER BY source_seq, position", AttachmentFetched)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("archive: verify blobs: %w", err)
	}
	type att struct {
		seq  int64
		hash string
	}
	var atts []att
	for rows.Next() {
		var a att
		if err := rows.Scan(&a.seq, &a.hash); err != nil {
			rows.Close()
			return 0, nil, 0, err
		}
		atts = append(atts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, 0, err
	}
	for _, a := range atts {
		reason, err := s.checkBlob(ctx, a.hash)
		if err != nil {
			return checked, problems, count, err
		}
		checked++
		if reason == "" {
			continue
		}
		count++
		if len(problems) < maxProblems {
			problems = append(problems, Problem{Seq: a.seq, Reason: reason})
		}
	}
	return checked, problems, count, nil
}

// checkBlob says what is wrong with one blob, or fails when the store
// cannot be read at all.
func (s *Store) checkBlob(ctx context.Context, hash string) (string, error) {
	r, err := s.Blobs.Open(ctx, hash)
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return "attachment blob " + hash + " is missing", nil
	case errors.Is(err, blob.ErrInvalidHash):
		return "attachment names no valid blob hash", nil
	case err != nil:
		return "", fmt.Errorf("archive: verify blobs: %w", err)
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	switch {
	case errors.Is(err, blob.ErrCorrupt):
		return "attachment blob " + hash + " does not match its hash", nil
	case err != nil:
		return "", fmt.Errorf("archive: verify blobs: %w", err)
	}
	return "", nil
}
