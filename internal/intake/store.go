// Package intake keeps what the platforms send Tilltal: every signed webhook
// delivery, raw and durable before it is acknowledged, and the events
// normalised from it, once each (Meta retries, so the same event arrives
// again), routed to the channel that owns the account or kept as unrouted
// for the communicator to see. Polled events (the back-fill) go the same way.
package intake

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// Sources of an event.
const (
	SourceWebhook = "webhook"
	SourcePoll    = "poll"
)

// Store keeps deliveries and events.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// AfterStore, when set, runs in the transaction that stored new events
	// (never for duplicates), so that their consumer — the inbox — can
	// enqueue its work in the same transaction: an event is stored exactly
	// when its processing is scheduled.
	AfterStore func(ctx context.Context, tx *db.Tx, events []Stored) error
}

// Stored is an event as kept.
type Stored struct {
	platform.Event
	ID int64
	// ChannelID is 0 for an unrouted event.
	ChannelID  int64
	DeliveryID int64
	Source     string
	ReceivedAt time.Time
}

// Saved tells what storing a delivery did.
type Saved struct {
	DeliveryID int64
	// Replay is true when the same body had been stored before.
	Replay     bool
	New        int
	Duplicates int
	Unrouted   int
}

// Delivery is one raw webhook delivery to record.
type Delivery struct {
	Source string // "meta"
	Body   []byte
	Object string
	// ParseError is why the body could not be read, if so: the raw body is
	// kept all the same, since it was signed and acknowledged.
	ParseError string
	Events     []platform.Event
}

// SaveDelivery stores a raw delivery and its events in one transaction.
// A body already stored (Meta's redelivery) only counts the arrival.
func (s *Store) SaveDelivery(ctx context.Context, d Delivery) (Saved, error) {
	now := s.Now().UTC()
	var out Saved
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.saveDelivery(ctx, tx, now, d, routes{})
		return err
	})
	if err != nil {
		return Saved{}, fmt.Errorf("intake: save delivery: %w", err)
	}
	return out, nil
}

// saveDelivery stores one delivery in tx, which may hold others (group
// commit): a body stored earlier, even in the same transaction, is a replay.
// The routes found are kept in rt for the other deliveries of tx.
func (s *Store) saveDelivery(ctx context.Context, tx *db.Tx, now time.Time, d Delivery, rt routes) (Saved, error) {
	sum := sha256.Sum256(d.Body)
	hash := hex.EncodeToString(sum[:])
	var out Saved
	err := tx.QueryRow(ctx, `INSERT INTO webhook_deliveries (source, body_sha256, body, object_type, event_count, parse_error, received_at, last_received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, body_sha256) DO NOTHING RETURNING id`,
		d.Source, hash, d.Body, clean(d.Object, 100), len(d.Events), clean(d.ParseError, 1000), now, now).Scan(&out.DeliveryID)
	if errors.Is(err, sql.ErrNoRows) {
		out.Replay = true
		_, err = tx.Exec(ctx, "UPDATE webhook_deliveries SET receive_count = receive_count + 1, last_received_at = ? WHERE source = ? AND body_sha256 = ?", now, d.Source, hash)
		out.Duplicates = len(d.Events)
		return out, err
	}
	if err != nil {
		return out, err
	}
	err = s.saveRouted(ctx, tx, now, SourceWebhook, out.DeliveryID, d.Events, rt, &out)
	return out, err
}

// SaveEvents stores polled events; those already known are skipped.
func (s *Store) SaveEvents(ctx context.Context, events []platform.Event) (Saved, error) {
	now := s.Now().UTC()
	var out Saved
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		out = Saved{}
		return s.saveEvents(ctx, tx, now, SourcePoll, 0, events, &out)
	})
	if err != nil {
		return Saved{}, fmt.Errorf("intake: save events: %w", err)
	}
	return out, nil
}

type accountKey struct {
	platform platform.Name
	account  string
}

// routes are the channels of the accounts met in one transaction (0 for
// none): one look-up per account, not per event.
type routes map[accountKey]int64

func (s *Store) saveEvents(ctx context.Context, tx *db.Tx, now time.Time, source string, deliveryID int64, events []platform.Event, out *Saved) error {
	return s.saveRouted(ctx, tx, now, source, deliveryID, events, routes{}, out)
}

func (s *Store) saveRouted(ctx context.Context, tx *db.Tx, now time.Time, source string, deliveryID int64, events []platform.Event, routes routes, out *Saved) error {
	var stored []Stored
	for _, e := range events {
		k := accountKey{e.Platform, e.AccountID}
		ch, seen := routes[k]
		if !seen {
			var err error
			if ch, err = channelFor(ctx, tx, k); err != nil {
				return err
			}
			routes[k] = ch
		}
		id, err := insertEvent(ctx, tx, e, ch, deliveryID, source, now)
		if errors.Is(err, sql.ErrNoRows) {
			out.Duplicates++
			continue
		}
		if err != nil {
			return err
		}
		out.New++
		if ch == 0 {
			out.Unrouted++
		}
		stored = append(stored, Stored{Event: e, ID: id, ChannelID: ch, DeliveryID: deliveryID, Source: source, ReceivedAt: now})
	}
	if len(stored) > 0 && s.AfterStore != nil {
		return s.AfterStore(ctx, tx, stored)
	}
	return nil
}

// channelFor finds the channel that owns an account, 0 when none does.
func channelFor(ctx context.Context, tx *db.Tx, k accountKey) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM channels WHERE platform = ? AND external_id = ?", string(k.platform), k.account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// insertEvent inserts one event, or returns sql.ErrNoRows when it is a
// duplicate: the unique key (platform, account, event id) decides, so that
// concurrent redeliveries on several instances still store it once.
func insertEvent(ctx context.Context, tx *db.Tx, e platform.Event, channelID, deliveryID int64, source string, now time.Time) (int64, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	o := e.Object
	occurred := e.OccurredAt.UTC()
	if occurred.IsZero() {
		occurred = now
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO platform_events (platform, account_id, event_id, channel_id, delivery_id, source, verb, kind,
			object_id, parent_id, thread_id, author_id, author_name, body, event_json, occurred_at, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, account_id, event_id) DO NOTHING RETURNING id`,
		string(e.Platform), clean(e.AccountID, 200), clean(e.EventID, 500), nullID(channelID), nullID(deliveryID), source,
		string(e.Verb), string(o.Kind), clean(o.ExternalID, 500), clean(o.ParentID, 500), clean(o.ThreadID, 500),
		clean(o.Author.ExternalID, 200), clean(o.Author.Name, 300), clean(o.Text, 100_000), clean(string(js), 0), occurred, now).Scan(&id)
	return id, err
}

// clean makes text storable in both databases: valid UTF-8 without NUL
// (PostgreSQL refuses both in TEXT), cut to max bytes when max > 0.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if max > 0 && len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
