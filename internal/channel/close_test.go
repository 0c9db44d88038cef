package channel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestCloseTakesTheSnapshotFirst: closing a channel in use runs the
// BeforeClose hook (the snapshot) in the closing transaction; when it
// fails the channel stays as it was, with a clear message, and nothing the
// hook wrote is kept; a request closed before it was ever used needs none.
func TestCloseTakesTheSnapshotFirst(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		c, err := f.store.Request(f.ctx, f.viewer("kontakt"), f.newChannel("page-1"))
		if err != nil {
			t.Fatal(err)
		}
		f.activate(c.ID)
		var calls []int64
		fail := true
		f.store.BeforeClose = func(ctx context.Context, tx *db.Tx, id int64) error {
			calls = append(calls, id)
			// What the hook writes is undone with the close when it fails.
			if _, err := tx.Exec(ctx, "UPDATE channels SET purpose = 'ändrad av kroken' WHERE id = ?", id); err != nil {
				return err
			}
			if fail {
				return errors.New("blob store full")
			}
			return nil
		}
		err = f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Läggs ner"})
		if apperr.KindOf(err) != apperr.Unavailable || !strings.Contains(apperr.Message(err), "ögonblicksbilden") {
			t.Fatalf("close with a failing snapshot: %v", err)
		}
		got, _ := f.store.Get(f.ctx, comm, c.ID)
		if got.Status != channel.Active || strings.Contains(got.Purpose, "kroken") {
			t.Fatalf("after the refused close: %s %q", got.Status, got.Purpose)
		}
		fail = false
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Läggs ner"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.store.Get(f.ctx, comm, c.ID); got.Status != channel.Closed || got.Purpose != "ändrad av kroken" {
			t.Fatalf("after the close: %s %q", got.Status, got.Purpose)
		}
		if len(calls) != 2 || calls[0] != c.ID {
			t.Fatalf("hook calls: %v", calls)
		}
		// A request closed before it was ever active has nothing to keep.
		r, err := f.store.Request(f.ctx, f.viewer("kontakt"), f.newChannel("page-2"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Transition(f.ctx, comm, r.ID, channel.Change{To: channel.Closed, Reason: "Behövs inte"}); err != nil {
			t.Fatal(err)
		}
		if len(calls) != 2 {
			t.Fatalf("the hook ran for a request: %v", calls)
		}
	})
}
