package channel

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// DefaultResponseTarget is how long a citizen may wait for a first answer,
// in covered hours, unless the communicator sets another target.
const DefaultResponseTarget = 2 * time.Hour

// ResponseTarget returns the channel's response target.
func (s *Store) ResponseTarget(ctx context.Context, id int64) (time.Duration, error) {
	var minutes int
	if err := s.DB.QueryRow(ctx, "SELECT response_target_minutes FROM channels WHERE id = ?", id).Scan(&minutes); err != nil {
		return 0, errNotFound
	}
	return time.Duration(minutes) * time.Minute, nil
}

// SetResponseTarget sets how long a citizen may wait, in covered hours,
// before whoever is on duty is alerted; between 15 minutes and 3 days.
func (s *Store) SetResponseTarget(ctx context.Context, v Viewer, id int64, target time.Duration) error {
	if target < 15*time.Minute || target > 72*time.Hour {
		return apperr.Invalidf("Svarsmålet måste vara mellan 15 minuter och 72 timmar")
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.communicatorOnly(ctx, tx, v, id)
		if err != nil {
			return err
		}
		minutes := int(target / time.Minute)
		if _, err := tx.Exec(ctx, "UPDATE channels SET response_target_minutes = ?, updated_at = ? WHERE id = ?", minutes, now, id); err != nil {
			return fmt.Errorf("channel: response target: %w", err)
		}
		_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: id, Kind: "response_target", Summary: fmt.Sprintf("Svarsmål ändrat till %d minuter: %s", minutes, c.Name),
			Detail: map[string]any{"minutes": minutes}})
		return err
	})
}
