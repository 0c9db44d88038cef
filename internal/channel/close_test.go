package channel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestCloseTakesTheSnapshotFirst: closing a channel in use runs the
// BeforeClose hook (the snapshot) before the closing transaction and its
// step in it; when either fails the channel stays as it was, with a clear
// message, and nothing the step wrote is kept; a request closed before it
// was ever used needs none.
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
		var calls, steps []int64
		failPrepare, failStep := true, true
		f.store.BeforeClose = func(ctx context.Context, id int64) (channel.CloseStep, error) {
			calls = append(calls, id)
			if failPrepare {
				return nil, errors.New("blob store full")
			}
			return func(ctx context.Context, tx *db.Tx) error {
				steps = append(steps, id)
				// What the step writes is undone with the close when it fails.
				if _, err := tx.Exec(ctx, "UPDATE channels SET purpose = 'ändrad av kroken' WHERE id = ?", id); err != nil {
					return err
				}
				if failStep {
					return errors.New("archive append failed")
				}
				return nil
			}, nil
		}
		refused := func(what string) {
			t.Helper()
			err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Läggs ner"})
			if apperr.KindOf(err) != apperr.Unavailable || !strings.Contains(apperr.Message(err), "ögonblicksbilden") {
				t.Fatalf("close with a failing %s: %v", what, err)
			}
			got, _ := f.store.Get(f.ctx, comm, c.ID)
			if got.Status != channel.Active || strings.Contains(got.Purpose, "kroken") {
				t.Fatalf("after the refused close (%s): %s %q", what, got.Status, got.Purpose)
			}
		}
		refused("preparation")
		if len(steps) != 0 {
			t.Fatalf("the step ran after a failed preparation: %v", steps)
		}
		failPrepare = false
		refused("step")
		failStep = false
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Läggs ner"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.store.Get(f.ctx, comm, c.ID); got.Status != channel.Closed || got.Purpose != "ändrad av kroken" {
			t.Fatalf("after the close: %s %q", got.Status, got.Purpose)
		}
		if len(calls) != 3 || calls[0] != c.ID || len(steps) != 2 {
			t.Fatalf("hook calls: %v, steps: %v", calls, steps)
		}
		// A request closed before it was ever active has nothing to keep.
		r, err := f.store.Request(f.ctx, f.viewer("kontakt"), f.newChannel("page-2"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Transition(f.ctx, comm, r.ID, channel.Change{To: channel.Closed, Reason: "Behövs inte"}); err != nil {
			t.Fatal(err)
		}
		// Nor is anything prepared for someone who may not close it.
		a, err := f.store.Request(f.ctx, f.viewer("kontakt"), f.newChannel("page-3"))
		if err != nil {
			t.Fatal(err)
		}
		f.activate(a.ID)
		if err := f.store.Transition(f.ctx, f.viewer("kontakt"), a.ID, channel.Change{To: channel.Closed, Reason: "Nej"}); err == nil {
			t.Fatal("a contact closed a channel")
		}
		if len(calls) != 3 {
			t.Fatalf("the hook ran for a request or a refused viewer: %v", calls)
		}
	})
}

// TestClosePreparesOutsideTheTransaction: the slow part of the snapshot
// (rendering, storing the files) runs while no write transaction is open,
// so other writers — here an archive append, which needs the archive's
// lock that the closing transaction takes — go on meanwhile. Were it run
// inside the closing transaction, the append would wait for the close,
// which waits for the hook: the deadline below would end it.
func TestClosePreparesOutsideTheTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		c, err := f.store.Request(f.ctx, f.viewer("kontakt"), f.newChannel("page-1"))
		if err != nil {
			t.Fatal(err)
		}
		f.activate(c.ID)
		var appended, recorded int64
		f.store.BeforeClose = func(ctx context.Context, id int64) (channel.CloseStep, error) {
			wctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			err := d.InTx(wctx, func(tx *db.Tx) error {
				r, err := archive.AppendTx(wctx, tx, archive.Record{Kind: archive.KindPost, ChannelID: id, Direction: archive.Internal,
					CapturedAt: time.Now(), Content: []byte(`{"text":"skrivet medan ögonblicksbilden togs"}`)})
				appended = r.Seq
				return err
			})
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, tx *db.Tx) error {
				r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindSnapshot, ChannelID: id, Direction: archive.Internal,
					CapturedAt: time.Now(), Content: []byte(`{}`)})
				recorded = r.Seq
				return err
			}, nil
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Läggs ner"}); err != nil {
			t.Fatalf("close: %v", err)
		}
		if appended == 0 || recorded != appended+1 {
			t.Fatalf("appended meanwhile %d, snapshot record %d", appended, recorded)
		}
		if got, _ := f.store.Get(f.ctx, comm, c.ID); got.Status != channel.Closed {
			t.Fatalf("after the close: %s", got.Status)
		}
	})
}
