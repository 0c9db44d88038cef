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
	"log/slog"
	"slices"
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
	//
	// With Process set, webhook deliveries are the exception: they are
	// acknowledged once stored raw, and the processor stores their events
	// and has Process make their consequences afterwards, in batches (see
	// Kick). Polled and newly routed events still go through AfterStore.
	AfterStore func(ctx context.Context, tx *db.Tx, events []Stored) error
	Process    Consumer
	// Log reports processing that failed and will be retried, and bodies
	// that could not be read or brought events no channel owns.
	Log *slog.Logger

	proc processor
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
	// Prepared is what a Consumer's Prepare made of the event.
	Prepared any
}

// Saved tells what storing a delivery did. With Process set, a delivery is
// only appended as an arrival when it is acknowledged, and Saved is zero:
// its row, and whether it was a replay, are made when it is processed.
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
	// Object, ParseError and Events are what the caller already read from
	// Body, if it did. With Process set they are not used: only the raw
	// body is stored before the acknowledgement, and the processor parses
	// it. Without Process a delivery with none of them set is parsed when
	// it is saved.
	Object string
	// ParseError is why the body could not be read, if so: the raw body is
	// kept all the same, since it was signed and acknowledged.
	ParseError string
	Events     []platform.Event

	// sum is the body's SHA-256 in hex, once computed (see hash).
	sum string
}

// hash is the body's SHA-256 in hex, the key a replay is known by.
func (d *Delivery) hash() string {
	if d.sum == "" {
		d.sum = bodySum(d.Body)
	}
	return d.sum
}

// bodySum is a body's SHA-256 in hex.
func bodySum(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// parsed tells whether the caller read the body already.
func (d *Delivery) parsed() bool {
	return d.Object != "" || d.ParseError != "" || d.Events != nil
}

// SaveDelivery stores a raw delivery in one transaction (and, without
// Process, its events). A body already stored (Meta's redelivery) only
// counts the arrival.
func (s *Store) SaveDelivery(ctx context.Context, d Delivery) (Saved, error) {
	out, err := s.SaveDeliveries(ctx, []Delivery{d})
	if err != nil {
		return Saved{}, fmt.Errorf("intake: save delivery: %w", err)
	}
	return out[0], nil
}

// SaveDeliveries stores several deliveries in one transaction, each as
// SaveDelivery would, and returns their results in order. A body that
// appears twice is stored once; the second is a replay. Either all are
// stored or none is.
//
// With Process set only the raw deliveries are appended, as arrivals —
// that is the acknowledgement — and the processor finds replays, parses
// the bodies, stores their events and makes their consequences later (see
// Kick). Without it the events are
// stored here and AfterStore runs in this transaction.
func (s *Store) SaveDeliveries(ctx context.Context, ds []Delivery) ([]Saved, error) {
	now := s.Now().UTC()
	if s.Process == nil {
		ds = s.parseAll(ds)
	}
	var out []Saved
	var err error
	if s.Process != nil {
		out, err = s.saveArrivals(ctx, now, ds)
	} else {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			out, err = s.saveBatch(ctx, tx, now, ds)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("intake: save deliveries: %w", err)
	}
	if s.Process == nil {
		for i, d := range ds {
			if d.ParseError != "" && !out[i].Replay {
				s.logRead(out[i].DeliveryID, reading{parseError: d.ParseError}, 0)
			}
		}
	}
	s.Kick()
	return out, nil
}

// parseAll returns ds with every body that its caller did not read
// parsed, for saving with its events at once.
func (s *Store) parseAll(ds []Delivery) []Delivery {
	out := slices.Clone(ds)
	for i := range out {
		if d := &out[i]; !d.parsed() {
			r := s.parse(d.Source, d.Body)
			d.Object, d.ParseError, d.Events = r.object, r.parseError, r.events
		}
	}
	return out
}

// deliveryRows and eventRows bound the rows of one multi-row INSERT, so
// that its placeholders stay well under both databases' limits.
const (
	deliveryRows = 200
	eventRows    = 100
)

// saveBatch stores deliveries and their events in tx, without Process:
// the delivery is done when AfterStore has run in this transaction. One
// multi-row INSERT for the deliveries and one for their events (per so
// many rows). A body stored earlier, or earlier in the same batch, is a
// replay and only counts the arrival.
func (s *Store) saveBatch(ctx context.Context, tx *db.Tx, now time.Time, ds []Delivery) ([]Saved, error) {
	out := make([]Saved, len(ds))
	type key struct{ source, hash string }
	keys := make([]key, len(ds))
	first := map[key]int{} // the delivery of the batch that inserts the body
	var fresh []int
	for i := range ds {
		keys[i] = key{ds[i].Source, ds[i].hash()}
		if _, dup := first[keys[i]]; !dup {
			first[keys[i]] = i
			fresh = append(fresh, i)
		}
	}
	for from := 0; from < len(fresh); from += deliveryRows {
		part := fresh[from:min(from+deliveryRows, len(fresh))]
		args := make([]any, 0, 9*len(part))
		for _, i := range part {
			d := ds[i]
			args = append(args, d.Source, keys[i].hash, d.Body, clean(d.Object, 100), len(d.Events), clean(d.ParseError, 1000), now, now, now)
		}
		rows, err := tx.Query(ctx, `INSERT INTO webhook_deliveries (source, body_sha256, body, object_type, event_count, parse_error, received_at, last_received_at, processed_at)
			VALUES `+db.ValuesList(len(part), 9)+` ON CONFLICT (source, body_sha256) DO NOTHING RETURNING id, source, body_sha256`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var k key
			if err := rows.Scan(&id, &k.source, &k.hash); err != nil {
				rows.Close()
				return nil, err
			}
			out[first[k]].DeliveryID = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var stored []Stored
	var events []pendingEvent
	for i, d := range ds {
		if out[i].DeliveryID == 0 || first[keys[i]] != i {
			out[i].Replay = true
			out[i].Duplicates = len(d.Events)
			if _, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET receive_count = receive_count + 1, last_received_at = ? WHERE source = ? AND body_sha256 = ?", now, d.Source, keys[i].hash); err != nil {
				return nil, err
			}
			continue
		}
		for _, e := range d.Events {
			events = append(events, pendingEvent{e: e, delivery: i, deliveryID: out[i].DeliveryID, received: now})
		}
	}
	if err := insertEvents(ctx, tx, events, routes{}); err != nil {
		return nil, err
	}
	for _, p := range events {
		sv := &out[p.delivery]
		if p.id == 0 {
			sv.Duplicates++
			continue
		}
		sv.New++
		if p.channel == 0 {
			sv.Unrouted++
		}
		stored = append(stored, Stored{Event: p.e, ID: p.id, ChannelID: p.channel, DeliveryID: sv.DeliveryID, Source: SourceWebhook, ReceivedAt: now})
	}
	if len(stored) > 0 && s.AfterStore != nil {
		return out, s.AfterStore(ctx, tx, stored)
	}
	return out, nil
}

// pendingEvent is an event of a batch on its way in: id stays 0 for a
// duplicate.
type pendingEvent struct {
	e          platform.Event
	delivery   int // in the batch
	deliveryID int64
	received   time.Time
	channel    int64
	id         int64
}

// insertEvents routes and inserts the events of a batch of deliveries with
// multi-row INSERTs, each event with its delivery's id, and sets the id of
// those that were new. The unique key (platform, account, event id) decides
// what is a duplicate — also between two deliveries of the batch, where the
// first in order keeps it — so that concurrent redeliveries on several
// instances still store an event once.
func insertEvents(ctx context.Context, tx *db.Tx, evs []pendingEvent, rt routes) error {
	for from := 0; from < len(evs); from += eventRows {
		part := evs[from:min(from+eventRows, len(evs))]
		args := make([]any, 0, 17*len(part))
		for i := range part {
			p := &part[i]
			k := accountKey{p.e.Platform, p.e.AccountID}
			ch, seen := rt[k]
			if !seen {
				var err error
				if ch, err = channelFor(ctx, tx, k); err != nil {
					return err
				}
				rt[k] = ch
			}
			p.channel = ch
			row, err := eventArgs(p.e, ch, p.deliveryID, SourceWebhook, p.received)
			if err != nil {
				return err
			}
			args = append(args, row...)
		}
		rows, err := tx.Query(ctx, `INSERT INTO platform_events (`+eventColumns+`) VALUES `+db.ValuesList(len(part), 17)+`
			ON CONFLICT (platform, account_id, event_id) DO NOTHING RETURNING id, platform, account_id, event_id`, args...)
		if err != nil {
			return err
		}
		ids := map[eventKey]int64{}
		for rows.Next() {
			var id int64
			var k eventKey
			if err := rows.Scan(&id, &k.platform, &k.account, &k.event); err != nil {
				rows.Close()
				return err
			}
			ids[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range part {
			p := &part[i]
			k := keyOf(p.e)
			if id, ok := ids[k]; ok {
				p.id = id
				delete(ids, k) // a second of the same event in the batch is a duplicate
			}
		}
	}
	return nil
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
func channelFor(ctx context.Context, q rowQuerier, k accountKey) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM channels WHERE platform = ? AND external_id = ?", string(k.platform), k.account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// insertEvent inserts one event, or returns sql.ErrNoRows when it is a
// duplicate: the unique key (platform, account, event id) decides, so that
// concurrent redeliveries on several instances still store it once.
func insertEvent(ctx context.Context, tx *db.Tx, e platform.Event, channelID, deliveryID int64, source string, now time.Time) (int64, error) {
	args, err := eventArgs(e, channelID, deliveryID, source, now)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO platform_events (`+eventColumns+`) VALUES `+db.ValuesList(1, 17)+`
		ON CONFLICT (platform, account_id, event_id) DO NOTHING RETURNING id`, args...).Scan(&id)
	return id, err
}

const eventColumns = `platform, account_id, event_id, channel_id, delivery_id, source, verb, kind,
	object_id, parent_id, thread_id, author_id, author_name, body, event_json, occurred_at, received_at`

// eventArgs are the values of eventColumns for one event.
func eventArgs(e platform.Event, channelID, deliveryID int64, source string, now time.Time) ([]any, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	o := e.Object
	occurred := e.OccurredAt.UTC()
	if occurred.IsZero() {
		occurred = now
	}
	return []any{string(e.Platform), clean(e.AccountID, 200), clean(e.EventID, 500), nullID(channelID), nullID(deliveryID), source,
		string(e.Verb), string(o.Kind), clean(o.ExternalID, 500), clean(o.ParentID, 500), clean(o.ThreadID, 500),
		clean(o.Author.ExternalID, 200), clean(o.Author.Name, 300), clean(o.Text, 100_000), clean(string(js), 0), occurred, now}, nil
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
