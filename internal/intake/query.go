package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// Filter selects events.
type Filter struct {
	// ChannelID limits to one channel's events.
	ChannelID int64
	// Unrouted limits to events no channel owns.
	Unrouted bool
	Platform platform.Name
	// AfterID reads forward from an event id: a consumer keeps the last id
	// it processed and asks for what came after.
	AfterID int64
	Limit   int
}

// Events lists events in the order they were stored.
func (s *Store) Events(ctx context.Context, f Filter) ([]Stored, error) {
	var where []string
	var args []any
	if f.ChannelID != 0 {
		where, args = append(where, "channel_id = ?"), append(args, f.ChannelID)
	}
	if f.Unrouted {
		where = append(where, "channel_id IS NULL")
	}
	if f.Platform != "" {
		where, args = append(where, "platform = ?"), append(args, string(f.Platform))
	}
	if f.AfterID != 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := "SELECT id, COALESCE(channel_id, 0), COALESCE(delivery_id, 0), source, received_at, event_json FROM platform_events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY id LIMIT "+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("intake: events: %w", err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var e Stored
		var js string
		if err := rows.Scan(&e.ID, &e.ChannelID, &e.DeliveryID, &e.Source, &e.ReceivedAt, &js); err != nil {
			return nil, fmt.Errorf("intake: events: %w", err)
		}
		if err := json.Unmarshal([]byte(js), &e.Event); err != nil {
			return nil, fmt.Errorf("intake: event %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Unrouted lists events that no channel owns, oldest first, so that the
// communicator sees them (and can register the account as a channel).
func (s *Store) Unrouted(ctx context.Context, limit int) ([]Stored, error) {
	return s.Events(ctx, Filter{Unrouted: true, Limit: limit})
}

// UnroutedAccount is an account that events arrived for without a channel.
type UnroutedAccount struct {
	Platform  platform.Name
	AccountID string
	Events    int
	Last      time.Time
}

// UnroutedAccounts summarises unrouted events by account.
func (s *Store) UnroutedAccounts(ctx context.Context) ([]UnroutedAccount, error) {
	rows, err := s.DB.Query(ctx, `SELECT platform, account_id, COUNT(*), MAX(received_at) FROM platform_events
		WHERE channel_id IS NULL GROUP BY platform, account_id ORDER BY platform, account_id`)
	if err != nil {
		return nil, fmt.Errorf("intake: unrouted accounts: %w", err)
	}
	defer rows.Close()
	var out []UnroutedAccount
	for rows.Next() {
		var a UnroutedAccount
		var last any
		if err := rows.Scan(&a.Platform, &a.AccountID, &a.Events, &last); err != nil {
			return nil, err
		}
		a.Last = anyTime(last)
		out = append(out, a)
	}
	return out, rows.Err()
}

// RouteUnrouted hands the unrouted events of a channel's account to the
// channel, once it has been registered, and returns how many moved. The
// AfterStore hook sees them then, as if they had just arrived.
func (s *Store) RouteUnrouted(ctx context.Context, channelID int64) (int, error) {
	var moved []Stored
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		moved = nil
		var name, account string
		err := tx.QueryRow(ctx, "SELECT platform, external_id FROM channels WHERE id = ?", channelID).Scan(&name, &account)
		if err == sql.ErrNoRows {
			return apperr.NotFoundf("Kanalen finns inte")
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, COALESCE(delivery_id, 0), source, received_at, event_json FROM platform_events
			WHERE channel_id IS NULL AND platform = ? AND account_id = ? ORDER BY id`, name, account)
		if err != nil {
			return err
		}
		for rows.Next() {
			e := Stored{ChannelID: channelID}
			var js string
			if err := rows.Scan(&e.ID, &e.DeliveryID, &e.Source, &e.ReceivedAt, &js); err != nil {
				rows.Close()
				return err
			}
			_ = json.Unmarshal([]byte(js), &e.Event)
			moved = append(moved, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE platform_events SET channel_id = ? WHERE channel_id IS NULL AND platform = ? AND account_id = ?", channelID, name, account); err != nil {
			return err
		}
		if len(moved) > 0 && s.AfterStore != nil {
			return s.AfterStore(ctx, tx, moved)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("intake: route unrouted: %w", err)
	}
	return len(moved), nil
}

// RawDelivery is a stored webhook delivery.
type RawDelivery struct {
	ID             int64
	Source         string
	Object         string
	Body           []byte
	EventCount     int
	ParseError     string
	ReceivedAt     time.Time
	LastReceivedAt time.Time
	ReceiveCount   int
}

// Deliveries lists raw deliveries, newest first; onlyFailed keeps those
// that could not be parsed, which a person should look at.
func (s *Store) Deliveries(ctx context.Context, onlyFailed bool, limit int) ([]RawDelivery, error) {
	q := "SELECT id, source, object_type, body, event_count, parse_error, received_at, last_received_at, receive_count FROM webhook_deliveries"
	if onlyFailed {
		q += " WHERE parse_error <> ''"
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("intake: deliveries: %w", err)
	}
	defer rows.Close()
	var out []RawDelivery
	for rows.Next() {
		var d RawDelivery
		if err := rows.Scan(&d.ID, &d.Source, &d.Object, &d.Body, &d.EventCount, &d.ParseError, &d.ReceivedAt, &d.LastReceivedAt, &d.ReceiveCount); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// anyTime reads an aggregate over a time column: PostgreSQL gives a time,
// SQLite (which loses the column's type in an aggregate) its text.
func anyTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC()
			}
		}
	case []byte:
		return anyTime(string(t))
	}
	return time.Time{}
}
