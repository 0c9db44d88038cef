package archive

import (
	"context"
	"fmt"
	"strconv"

	"tilltal/internal/db"
)

// Page returns up to limit records, content included, matching where (SQL
// over the alias r, with ? placeholders) in the given order: how the
// e-archive export pages through a whole year of records without holding it.
func Page(ctx context.Context, d *db.DB, where string, args []any, orderBy string, limit int) ([]Record, error) {
	rows, err := d.Query(ctx, "SELECT "+readColumns+" FROM archive_records r WHERE "+where+" ORDER BY "+orderBy+" LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("archive: page: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("archive: page: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
