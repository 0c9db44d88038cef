package inbox_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
	"tilltal/internal/swedish"
)

// TestIngestBatchOnExistingState: IngestBatch matches Ingest one by one
// also on an inbox that has items and threads already — edits of existing
// items, an edit of a culled item, an earlier event than a thread's last
// activity, attachments, two channels — and indexes the text as cleaned
// (a NUL removed), not as sent, even when the caller analysed it before.
func TestIngestBatchOnExistingState(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, single *db.DB) {
		batched := dbtest.New(t, single.Dialect)
		now := t0.Add(time.Hour)
		mk := func(ch int64, id, thread, text string, verb platform.Verb, min int) inbox.Incoming {
			ev := comment(id, text, verb)
			ev.EventID = fmt.Sprintf("%s-%s-%d", id, verb, min)
			ev.OccurredAt = t0.Add(time.Duration(min) * time.Minute)
			ev.Object.CreatedAt = ev.OccurredAt
			ev.Object.ParentID, ev.Object.ThreadID = thread, thread
			return inbox.Incoming{ChannelID: ch, Event: ev, Source: archive.Source{EventID: int64(min)}}
		}
		before := []inbox.Incoming{mk(1, "old1", "pA", "Gammal fråga om bygglov", platform.VerbCreate, 30), mk(2, "old2", "pB", "Video fråga", platform.VerbCreate, 30),
			mk(1, "old3", "pA", "Ska gallras", platform.VerbCreate, 31)}
		for _, d := range []*db.DB{single, batched} {
			setup(t, d)
			if err := d.InTx(context.Background(), func(tx *db.Tx) error {
				for _, inc := range before {
					if _, err := inbox.Ingest(context.Background(), tx, inc.ChannelID, inc.Event, now); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			mustExec(t, d, "UPDATE items SET culled_at = ?, body = 'gallrad' WHERE external_id = 'old3'", now)
		}
		att := mk(1, "a1", "pA", "Se bilden", platform.VerbCreate, 40)
		att.Event.Object.Attachments = []platform.Attachment{{Kind: "image", URL: "https://example.org/a.jpg"}}
		nul := mk(2, "n1", "pB", "bygg\x00lov ansökan", platform.VerbCreate, 41)
		nul.SearchText = swedish.IndexText(nul.Event.Object.Text) // as Prepare does, from the raw text
		events := []inbox.Incoming{
			mk(1, "x1", "pA", "Ny fråga tidigare", platform.VerbCreate, 10), // earlier than thread's activity
			mk(2, "x2", "pB", "Ny fråga senare", platform.VerbCreate, 50),
			att, nul,
			mk(1, "old1", "pA", "Gammal fråga om bygglov, rättad", platform.VerbEdit, 42),
			mk(1, "old3", "pA", "Ny text efter gallring", platform.VerbEdit, 43),
			mk(1, "x3", "pA", "Ännu en", platform.VerbCreate, 44),
			mk(2, "x4", "pC", "Ny tråd", platform.VerbCreate, 45),
		}
		err := single.InTx(context.Background(), func(tx *db.Tx) error {
			for _, inc := range events {
				if _, err := inbox.Ingest(archive.WithSource(context.Background(), inc.Source), tx, inc.ChannelID, inc.Event, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ingestBatched(t, batched, events, now, nil)
		qs := append(slices.Clone(comparedState), "SELECT source_seq, position, item_id, url, status FROM archive_attachments ORDER BY source_seq, position")
		for _, q := range qs {
			a, b := dump(t, single, q), dump(t, batched, q)
			if !slices.Equal(a, b) {
				t.Errorf("%s\none by one:\n  %s\nbatched:\n  %s", q, strings.Join(a, "\n  "), strings.Join(b, "\n  "))
			}
		}
	})
}
