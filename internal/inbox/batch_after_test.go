package inbox_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/inbox"
)

// itemState is what an event leaves of its item, read in tx.
func itemState(ctx context.Context, tx *db.Tx, r inbox.Ingested) (string, error) {
	if r.ItemID == 0 {
		return "no item", nil
	}
	var version int
	var hidden, removed bool
	var body string
	err := tx.QueryRow(ctx, "SELECT version, hidden, removed, body FROM items WHERE id = ?", r.ItemID).Scan(&version, &hidden, &removed, &body)
	return fmt.Sprintf("item %d v%d hidden=%v removed=%v %q", r.ItemID, version, hidden, removed, body), err
}

// TestIngestBatchAfterSeesEachEventsEffect: IngestBatch calls after once
// for every event, in their order, when that event's effect is written and
// no later change of the same item is: what the callback reads of the
// item, and may change for the events after it (the intake retriages and
// applies the channel's rules there), is what one by one would show after
// that event.
func TestIngestBatchAfterSeesEachEventsEffect(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, single *db.DB) {
		batched := dbtest.New(t, single.Dialect)
		events := batchEvents()
		now := t0.Add(time.Hour)
		for _, d := range []*db.DB{single, batched} {
			setup(t, d)
		}
		var want, got []string
		err := single.InTx(context.Background(), func(tx *db.Tx) error {
			for _, inc := range events {
				ctx := archive.WithSource(context.Background(), inc.Source)
				r, err := inbox.Ingest(ctx, tx, inc.ChannelID, inc.Event, now)
				if err != nil {
					return err
				}
				s, err := itemState(ctx, tx, r)
				if err != nil {
					return err
				}
				want = append(want, s)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ingestBatched(t, batched, events, now, func(ctx context.Context, tx *db.Tx, i int, r inbox.Ingested) error {
			if i != len(got) {
				return fmt.Errorf("after called for event %d after %d calls", i, len(got))
			}
			s, err := itemState(ctx, tx, r)
			if err != nil {
				return fmt.Errorf("event %d: its item is not written when after runs: %w", i, err)
			}
			got = append(got, s)
			return nil
		})
		if !slices.Equal(want, got) {
			for i := range max(len(want), len(got)) {
				if i >= len(want) || i >= len(got) || want[i] != got[i] {
					t.Errorf("event %d: one by one %q, at its callback %q", i, at(want, i), at(got, i))
				}
			}
		}
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}
