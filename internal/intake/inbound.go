package intake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// inbound is an arrival read for processing: its body parsed and its
// events routed, but not stored yet (their ID is 0). Its DeliveryID is 0
// until the batch's transaction stores the delivery (see claim), except
// for an arrival from before webhook_arrivals, whose row exists.
type inbound struct {
	Unprocessed
	// arrival is its row in webhook_arrivals: how it is held, skipped and
	// claimed.
	arrival int64
	// legacy tells an arrival queued for a delivery an older Tilltal
	// stored (its DeliveryID is that row's).
	legacy   bool
	source   string
	body     []byte
	received time.Time
	// sum is the body's SHA-256 in hex, the key a replay is known by.
	sum  string
	read reading
}

// views are the deliveries of ins as a Consumer sees them. Their events
// share the arrays of ins, so that what Prepare sets stays with them.
func views(ins []inbound) []Unprocessed {
	out := make([]Unprocessed, len(ins))
	for i := range ins {
		out[i] = ins[i].Unprocessed
	}
	return out
}

// unprocessed reads up to limit arrivals, oldest first, and parses their
// bodies. Those in skip are left out.
func (s *Store) unprocessed(ctx context.Context, limit int, skip map[int64]bool) ([]inbound, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, source, body, received_at, COALESCE(delivery_id, 0) FROM webhook_arrivals ORDER BY id LIMIT ?", limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("intake: unprocessed: %w", err)
	}
	defer rows.Close()
	var out []inbound
	for rows.Next() && len(out) < limit {
		var in inbound
		if err := rows.Scan(&in.arrival, &in.source, &in.body, &in.received, &in.DeliveryID); err != nil {
			return nil, fmt.Errorf("intake: unprocessed: %w", err)
		}
		if skip[in.arrival] {
			continue
		}
		in.legacy = in.DeliveryID != 0
		in.received = in.received.UTC()
		s.read(&in)
		out = append(out, in)
	}
	return out, rows.Err()
}

// read parses an arrival's body into its events.
func (s *Store) read(in *inbound) {
	in.read = s.parse(in.source, in.body)
	in.sum = bodySum(in.body)
	in.Events = make([]Stored, len(in.read.events))
	for i, e := range in.read.events {
		in.Events[i] = Stored{Event: e, DeliveryID: in.DeliveryID, Source: SourceWebhook, ReceivedAt: in.received}
	}
}

// rowQuerier is a database or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// route sets the channel of every event of ins, looking each account up
// once, for Prepare. The batch's transaction looks again (see
// storeEvents): a channel registered meanwhile gets its events.
func route(ctx context.Context, q rowQuerier, ins []inbound) error {
	rt := routes{}
	for i := range ins {
		for j := range ins[i].Events {
			e := &ins[i].Events[j]
			k := accountKey{e.Platform, e.AccountID}
			ch, seen := rt[k]
			if !seen {
				var err error
				if ch, err = channelFor(ctx, q, k); err != nil {
					return err
				}
				rt[k] = ch
			}
			e.ChannelID = ch
		}
	}
	return nil
}

// claimKey is what processing learnt of a delivery's body, stored on its
// row.
type claimKey struct {
	object, parseError string
	events             int
}

// keyOfReading is what a reading stores on its delivery's row, cut to
// the columns' lengths.
func keyOfReading(r reading) claimKey {
	return claimKey{clean(r.object, 100), clean(r.parseError, 1000), len(r.events)}
}

// claimLegacy marks the deliveries stored before webhook_arrivals, whose
// arrivals tx took, processed with what their bodies gave, and returns the
// ids of those it marked (all, unless another instance of the old code
// processed them meanwhile). Deliveries alike share an UPDATE.
func claimLegacy(ctx context.Context, tx *db.Tx, ins []*inbound, now time.Time) (map[int64]bool, error) {
	groups := map[claimKey][]int64{}
	var order []claimKey
	for _, in := range ins {
		k := keyOfReading(in.read)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], in.DeliveryID)
	}
	mine := map[int64]bool{}
	for _, k := range order {
		if err := claimGroup(ctx, tx, k, groups[k], now, mine); err != nil {
			return nil, fmt.Errorf("intake: claim deliveries: %w", err)
		}
	}
	return mine, nil
}

// claimMax bounds the ids of one claiming statement: a quiet batch's 512
// in one statement, well within both databases' placeholder limits and the
// SQLite writer's statement cache.
const claimMax = 512

// claimGroup claims ids that share what is stored of them, adding those
// it claimed to mine. The list of ids is padded (with its last) to a power
// of two, so that the statement has one of a few texts that both databases
// compile once and keep.
func claimGroup(ctx context.Context, tx *db.Tx, k claimKey, ids []int64, now time.Time, mine map[int64]bool) error {
	for from := 0; from < len(ids); from += claimMax {
		part := ids[from:min(from+claimMax, len(ids))]
		in, padded := db.InList(anyIDs(part))
		args := append([]any{now, k.object, k.events, k.parseError}, padded...)
		err := collectIDs(ctx, tx, `UPDATE webhook_deliveries SET processed_at = ?, object_type = ?, event_count = ?, parse_error = ?
			WHERE processed_at IS NULL AND id IN (`+in+`) RETURNING id`, args, mine)
		if err != nil {
			return err
		}
	}
	return nil
}

// anyIDs is ids as statement arguments.
func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// collectIDs runs a statement that returns ids and adds them to into.
func collectIDs(ctx context.Context, tx *db.Tx, q string, args []any, into map[int64]bool) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		into[id] = true
	}
	return rows.Err()
}

// storeEvents stores the events of the claimed deliveries in tx, routed
// again in it, and returns the deliveries with the events that were new,
// with their ids, for Apply. An event already stored, by another delivery
// or earlier in the batch, is a duplicate and left out; so is nothing of
// claimed changed.
func storeEvents(ctx context.Context, tx *db.Tx, claimed []inbound) ([]Unprocessed, error) {
	var evs []pendingEvent
	for i, in := range claimed {
		for _, e := range in.Events {
			evs = append(evs, pendingEvent{e: e.Event, delivery: i, deliveryID: in.DeliveryID, received: e.ReceivedAt})
		}
	}
	if err := insertEvents(ctx, tx, evs, routes{}); err != nil {
		return nil, err
	}
	if err := adoptOwn(ctx, tx, evs, legacyOf(claimed)); err != nil {
		return nil, err
	}
	out := make([]Unprocessed, len(claimed))
	k := 0
	for i, in := range claimed {
		out[i].DeliveryID = in.DeliveryID
		for _, e := range in.Events {
			p := evs[k]
			k++
			if p.id == 0 {
				continue
			}
			e.ID, e.ChannelID, e.DeliveryID = p.id, p.channel, in.DeliveryID
			out[i].Events = append(out[i].Events, e)
		}
	}
	return out, nil
}

// adoptOwn gives the duplicates of evs that their own delivery stored
// their stored id and channel, as if new: a delivery acknowledged before
// the acknowledgement stored only the raw body had its events stored with
// it, and they are its to process still. An event is taken once: not when
// this batch stored it, nor a second time. Only the deliveries in legacy
// can have stored events: the others' rows are this batch's.
func adoptOwn(ctx context.Context, tx *db.Tx, evs []pendingEvent, legacy map[int64]bool) error {
	taken := map[int64]bool{}
	for _, p := range evs {
		if p.id != 0 {
			taken[p.id] = true
		}
	}
	looked := map[int64]map[eventKey]pendingEvent{}
	for i := range evs {
		p := &evs[i]
		if p.id != 0 || !legacy[p.deliveryID] {
			continue
		}
		own, ok := looked[p.deliveryID]
		if !ok {
			var err error
			if own, err = storedOf(ctx, tx, p.deliveryID); err != nil {
				return err
			}
			looked[p.deliveryID] = own
		}
		got, ok := own[keyOf(p.e)]
		if ok && !taken[got.id] {
			p.id, p.channel = got.id, got.channel
			taken[got.id] = true
		}
	}
	return nil
}

// legacyOf are the delivery ids of the legacy arrivals among ins.
func legacyOf(ins []inbound) map[int64]bool {
	out := map[int64]bool{}
	for _, in := range ins {
		if in.legacy {
			out[in.DeliveryID] = true
		}
	}
	return out
}

// eventKey is the unique key of a stored event.
type eventKey struct{ platform, account, event string }

func keyOf(e platform.Event) eventKey {
	return eventKey{string(e.Platform), clean(e.AccountID, 200), clean(e.EventID, 500)}
}

// storedOf are the events stored with a delivery, by key.
func storedOf(ctx context.Context, tx *db.Tx, deliveryID int64) (map[eventKey]pendingEvent, error) {
	rows, err := tx.Query(ctx, "SELECT id, COALESCE(channel_id, 0), platform, account_id, event_id FROM platform_events WHERE delivery_id = ?", deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[eventKey]pendingEvent{}
	for rows.Next() {
		var p pendingEvent
		var k eventKey
		if err := rows.Scan(&p.id, &p.channel, &k.platform, &k.account, &k.event); err != nil {
			return nil, err
		}
		out[k] = p
	}
	return out, rows.Err()
}
