package intake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// inbound is a stored delivery read for processing: its body parsed and
// its events routed, but not stored yet (their ID is 0).
type inbound struct {
	Unprocessed
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

// unprocessed reads up to limit unprocessed deliveries, oldest first, and
// parses their bodies. Those in skip are left out.
func (s *Store) unprocessed(ctx context.Context, limit int, skip map[int64]bool) ([]inbound, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, source, body, received_at FROM webhook_deliveries WHERE processed_at IS NULL ORDER BY id LIMIT ?", limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("intake: unprocessed: %w", err)
	}
	defer rows.Close()
	var out []inbound
	for rows.Next() && len(out) < limit {
		var id int64
		var source string
		var body []byte
		var received time.Time
		if err := rows.Scan(&id, &source, &body, &received); err != nil {
			return nil, fmt.Errorf("intake: unprocessed: %w", err)
		}
		if skip[id] {
			continue
		}
		out = append(out, s.read(id, source, body, received.UTC()))
	}
	return out, rows.Err()
}

// read parses a stored delivery's body into its events.
func (s *Store) read(id int64, source string, body []byte, received time.Time) inbound {
	in := inbound{Unprocessed: Unprocessed{DeliveryID: id}, read: s.parse(source, body)}
	in.Events = make([]Stored, len(in.read.events))
	for i, e := range in.read.events {
		in.Events[i] = Stored{Event: e, DeliveryID: id, Source: SourceWebhook, ReceivedAt: received}
	}
	return in
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
// row when it is claimed.
type claimKey struct {
	object, parseError string
	events             int
}

// claim marks the deliveries of ins processed in tx, with what their
// bodies gave, and returns those it marked: the others were processed
// meanwhile (by another instance). Deliveries alike share an UPDATE.
func claim(ctx context.Context, tx *db.Tx, ins []inbound, now time.Time) ([]inbound, error) {
	groups := map[claimKey][]int64{}
	var order []claimKey
	for _, in := range ins {
		k := claimKey{clean(in.read.object, 100), clean(in.read.parseError, 1000), len(in.read.events)}
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
	if len(mine) == len(ins) {
		return ins, nil
	}
	var out []inbound
	for _, in := range ins {
		if mine[in.DeliveryID] {
			out = append(out, in)
		}
	}
	return out, nil
}

// claimMax bounds the ids of one claiming UPDATE: a quiet batch's 512 in
// one statement, well within both databases' placeholder limits and the
// SQLite writer's statement cache.
const claimMax = 512

// claimGroup claims ids that share what is stored of them, adding those
// it claimed to mine. The list of ids is padded (with its last) to a power
// of two, so that the statement has one of a few texts that both databases
// compile once and keep.
func claimGroup(ctx context.Context, tx *db.Tx, k claimKey, ids []int64, now time.Time, mine map[int64]bool) error {
	for from := 0; from < len(ids); from += claimMax {
		part := ids[from:min(from+claimMax, len(ids))]
		vals := make([]any, len(part))
		for i, id := range part {
			vals[i] = id
		}
		in, padded := db.InList(vals)
		args := append([]any{now, k.object, k.events, k.parseError}, padded...)
		rows, err := tx.Query(ctx, `UPDATE webhook_deliveries SET processed_at = ?, object_type = ?, event_count = ?, parse_error = ?
			WHERE processed_at IS NULL AND id IN (`+in+`) RETURNING id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			mine[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
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
	if err := adoptOwn(ctx, tx, evs); err != nil {
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
			e.ID, e.ChannelID = p.id, p.channel
			out[i].Events = append(out[i].Events, e)
		}
	}
	return out, nil
}

// adoptOwn gives the duplicates of evs that their own delivery stored
// their stored id and channel, as if new: a delivery acknowledged before
// the acknowledgement stored only the raw body had its events stored with
// it, and they are its to process still. An event is taken once: not when
// this batch stored it, nor a second time.
func adoptOwn(ctx context.Context, tx *db.Tx, evs []pendingEvent) error {
	taken := map[int64]bool{}
	for _, p := range evs {
		if p.id != 0 {
			taken[p.id] = true
		}
	}
	looked := map[int64]map[eventKey]pendingEvent{}
	for i := range evs {
		p := &evs[i]
		if p.id != 0 {
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
