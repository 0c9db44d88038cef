package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// readColumns are the columns scanRecord reads, content included.
const readColumns = `r.seq, r.kind, r.channel_id, r.department_id, r.item_id, r.item_version, r.thread_id, r.platform, r.external_id,
	r.author_id, r.author_name, r.direction, r.occurred_at, r.captured_at, r.ref_seq, r.content_type, r.content_size, r.content_sha256,
	r.prev_hash, r.hash, r.content, r.diary_number, r.secret, r.secrecy_ground, r.culled_at, r.culled_by`

func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var kind, dir string
	var culled sql.NullTime
	err := row.Scan(&r.Seq, &kind, &r.ChannelID, &r.DepartmentID, &r.ItemID, &r.ItemVersion, &r.ThreadID, &r.Platform, &r.ExternalID,
		&r.AuthorID, &r.AuthorName, &dir, &r.OccurredAt, &r.CapturedAt, &r.RefSeq, &r.ContentType, &r.ContentSize, &r.ContentSHA256,
		&r.PrevHash, &r.Hash, &r.Content, &r.DiaryNumber, &r.Secret, &r.SecrecyGround, &culled, &r.CulledBy)
	r.Kind, r.Direction = Kind(kind), Direction(dir)
	r.OccurredAt, r.CapturedAt = r.OccurredAt.UTC(), r.CapturedAt.UTC()
	if culled.Valid {
		t := culled.Time.UTC()
		r.CulledAt = &t
	}
	return r, err
}

// Get returns one record with its content.
func Get(ctx context.Context, d *db.DB, seq int64) (Record, error) {
	r, err := scanRecord(d.QueryRow(ctx, "SELECT "+readColumns+" FROM archive_records r WHERE r.seq = ?", seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, apperr.NotFoundf("Handlingen finns inte i arkivet")
	}
	if err != nil {
		return Record{}, fmt.Errorf("archive: get %d: %w", seq, err)
	}
	return r, nil
}
