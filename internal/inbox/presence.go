package inbox

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/apperr"
)

// PresenceTTL is how long a mark of presence counts: the page renews it
// every 15 seconds while it is open.
const PresenceTTL = 60 * time.Second

// Presence is someone else at an item.
type Presence struct {
	UserID int64
	Name   string
	// Writing is true when they are writing a reply, not only reading.
	Writing bool
	SeenAt  time.Time
}

// MarkPresence records that a person has an item open ("viewing") or is
// writing a reply ("writing"). It is kept in the database, so people on
// different instances see each other.
func (s *Store) MarkPresence(ctx context.Context, itemID, userID int64, state string) error {
	if state != "viewing" && state != "writing" {
		return apperr.Invalidf("Okänt läge %q", state)
	}
	now := s.Now()
	_, err := s.DB.Exec(ctx, `INSERT INTO item_presence (item_id, user_id, state, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (item_id, user_id) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at`, itemID, userID, state, now)
	if err != nil {
		return fmt.Errorf("inbox: presence: %w", err)
	}
	return nil
}

// Others returns who else is at an item now.
func (s *Store) Others(ctx context.Context, itemID, userID int64) ([]Presence, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.user_id, u.name, p.state, p.seen_at FROM item_presence p JOIN users u ON u.id = p.user_id
		WHERE p.item_id = ? AND p.user_id <> ? AND p.seen_at > ? ORDER BY u.name`, itemID, userID, s.Now().Add(-PresenceTTL))
	if err != nil {
		return nil, fmt.Errorf("inbox: presence: %w", err)
	}
	defer rows.Close()
	var out []Presence
	for rows.Next() {
		var p Presence
		var state string
		if err := rows.Scan(&p.UserID, &p.Name, &state, &p.SeenAt); err != nil {
			return nil, err
		}
		p.Writing = state == "writing"
		out = append(out, p)
	}
	return out, rows.Err()
}
