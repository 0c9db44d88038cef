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
)

// batchEvents is a stream as a busy page sends it: new posts and comments
// in several threads, a comment that arrives before its post, repeats,
// edits, hides and removals of items made earlier in the same stream, an
// edit before its create, the page's own answer, a private message and a
// flagged comment.
func batchEvents() []inbox.Incoming {
	var out []inbox.Incoming
	add := func(ev platform.Event, class *inbox.Classification) {
		out = append(out, inbox.Incoming{ChannelID: 1, Event: ev, Class: class,
			Source: archive.Source{EventID: int64(len(out) + 1), PlatformEventID: ev.EventID}})
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	post := func(id, text string, i int) platform.Event {
		return platform.Event{Platform: platform.Facebook, AccountID: "page-1", EventID: "e-" + id, Verb: platform.VerbCreate, OccurredAt: at(i),
			Object: platform.Object{ExternalID: id, Kind: platform.KindPost, Text: text, Permalink: "https://www.facebook.com/" + id,
				Author: platform.Author{ExternalID: "page-1", Name: "Exempelby kommun", IsPage: true}, CreatedAt: at(i)}}
	}
	citizen := func(id, thread, text string, verb platform.Verb, i int) platform.Event {
		ev := comment(id, text, verb)
		ev.EventID = fmt.Sprintf("e-%s-%s-%d", id, verb, i)
		ev.OccurredAt, ev.Object.CreatedAt = at(i), at(i)
		ev.Object.ParentID, ev.Object.ThreadID = thread, thread
		return ev
	}
	positive := &inbox.Classification{Sentiment: "positive"}
	// A comment on a post that comes later: its thread is made by the
	// comment, untitled, and the post joins it.
	add(citizen("c0", "p2", "Tack för informationen om skolan!", platform.VerbCreate, 1), positive)
	add(post("p1", "Nu öppnar badhuset igen efter renoveringen", 2), nil)
	add(post("p2", "Skolvalet 2027 öppnar i januari", 3), nil)
	for i := range 12 {
		thread := []string{"p1", "p2"}[i%2]
		add(citizen(fmt.Sprintf("c%d", i+1), thread, fmt.Sprintf("Fråga %d: när öppnar skolorna på Storgatan?", i+1), platform.VerbCreate, 4+i), &inbox.Classification{Sentiment: "neutral"})
	}
	add(citizen("c3", "p2", "Fråga 3: när öppnar skolorna på Storgatan?", platform.VerbCreate, 20), nil) // a repeat
	add(citizen("c3", "p2", "Fråga 3, rättad: när öppnar skolan?", platform.VerbEdit, 21), &inbox.Classification{Sentiment: "neutral"})
	add(citizen("c4", "p1", "", platform.VerbHide, 22), nil)
	add(citizen("c5", "p2", "", platform.VerbRemove, 23), nil)
	// An edit before its create makes the item; the late create changes
	// nothing.
	add(citizen("c20", "p1", "Rättad text om badhuset", platform.VerbEdit, 24), nil)
	add(citizen("c20", "p1", "Rätad txet", platform.VerbCreate, 25), nil)
	// The page answers c1 on the platform: c1 is answered.
	reply := citizen("r1", "p2", "Hej! Skolorna öppnar den 8 januari. /Karin", platform.VerbCreate, 26)
	reply.Object.ParentID = "c1"
	reply.Object.Author = platform.Author{ExternalID: "page-1", Name: "Exempelby kommun", IsPage: true}
	add(reply, nil)
	// New items after the slow path: the batch goes on gathering.
	add(citizen("c21", "p1", "Hur mycket kostar ett årskort på badhuset?", platform.VerbCreate, 27), &inbox.Classification{Sentiment: "neutral"})
	add(citizen("c22", "p3", "Jag ska slå ihjäl dig", platform.VerbCreate, 28), &inbox.Classification{Sentiment: "negative", Flags: []string{"threat"}})
	msg := citizen("m1", "conv-1", "Hej, jag har en fråga om mitt bygglov.", platform.VerbCreate, 29)
	msg.Object.Kind = platform.KindMessage
	add(msg, &inbox.Classification{Sentiment: "neutral"})
	add(citizen("c23", "p2", "Bra jobbat!", platform.VerbCreate, 30), positive)
	return out
}

// TestIngestBatchMatchesOneByOne: IngestBatch leaves the inbox and the
// archive as Ingest leaves them one event at a time — items, versions,
// threads, statuses, classes and records — and the archive's chain
// verifies.
func TestIngestBatchMatchesOneByOne(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, single *db.DB) {
		batched := dbtest.New(t, single.Dialect)
		events := batchEvents()
		now := t0.Add(time.Hour)
		for _, d := range []*db.DB{single, batched} {
			setup(t, d)
		}
		var want, got []inbox.Ingested
		err := single.InTx(context.Background(), func(tx *db.Tx) error {
			for _, inc := range events {
				r, err := inbox.Ingest(archive.WithSource(context.Background(), inc.Source), tx, inc.ChannelID, inc.Event, now)
				if err != nil {
					return err
				}
				if r.Changed && inc.Class != nil {
					if err := inbox.SetClassification(context.Background(), tx, r.ItemID, *inc.Class); err != nil {
						return err
					}
				}
				want = append(want, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got = ingestBatched(t, batched, events, now, nil)
		if !slices.Equal(want, got) {
			t.Errorf("results differ:\none by one %+v\nbatched    %+v", want, got)
		}
		for _, q := range comparedState {
			a, b := dump(t, single, q), dump(t, batched, q)
			if !slices.Equal(a, b) {
				t.Errorf("%s\none by one:\n  %s\nbatched:\n  %s", q, strings.Join(a, "\n  "), strings.Join(b, "\n  "))
			}
		}
		if rep, err := archive.Verify(context.Background(), batched); err != nil || !rep.OK() || rep.Records == 0 {
			t.Fatalf("batched chain: %+v %v", rep, err)
		}
	})
}

// ingestBatched applies events with IngestBatch in one transaction that
// holds the archive's head, as the intake does, calling after for each
// (after gets the transaction, for reading what the batch wrote).
func ingestBatched(t *testing.T, d *db.DB, events []inbox.Incoming, now time.Time, after func(ctx context.Context, tx *db.Tx, i int, r inbox.Ingested) error) []inbox.Ingested {
	t.Helper()
	var out []inbox.Ingested
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		ctx := archive.HoldHead(context.Background(), tx)
		var each func(int, inbox.Ingested) error
		if after != nil {
			each = func(i int, r inbox.Ingested) error { return after(ctx, tx, i, r) }
		}
		var err error
		if out, err = inbox.IngestBatch(ctx, tx, events, now, each); err != nil {
			return err
		}
		return archive.ReleaseHeadTx(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// comparedState is what both ways must leave alike. Flags are set at
// insert by the batch and after it one by one (the intake retriages
// flagged items either way), so the triage class is compared apart from
// the flagged item.
var comparedState = []string{
	`SELECT i.id, i.external_id, t.external_id, i.kind, i.status, i.body, i.search_text, i.hidden, i.removed, i.version, i.sentiment, i.flags,
		i.from_us, i.author_name, i.parent_external_id, i.permalink, i.attachments, i.posted_at, i.first_response_at
		FROM items i JOIN threads t ON t.id = i.thread_id ORDER BY i.id`,
	`SELECT item_id, version, verb, body, hidden, removed, occurred_at FROM item_versions ORDER BY item_id, version`,
	`SELECT id, external_id, kind, title, permalink, created_at, last_activity_at FROM threads ORDER BY external_id`,
	`SELECT seq, kind, item_id, item_version, thread_id, direction, ref_seq, content, search_text, author_key, secret FROM archive_records ORDER BY item_id, item_version`,
	`SELECT c.item_id, c.class, c.rule_id FROM archive_item_classes c JOIN items i ON i.id = c.item_id WHERE i.flags = '' ORDER BY c.item_id`,
	`SELECT h.item_id, h.class, h.previous_class, h.actor FROM archive_item_class_history h JOIN items i ON i.id = h.item_id WHERE i.flags = '' ORDER BY h.item_id, h.id`,
}

// dump reads a query's rows as strings.
func dump(t *testing.T, d *db.DB, q string) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				vals[i] = string(x)
			case time.Time:
				vals[i] = x.UTC().Format(time.RFC3339Nano)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// BenchmarkIngest compares IngestBatch with Ingest called once per event,
// in the same run and database: each iteration makes batchBenchSize new
// comments in one transaction, as the intake's processor does with a
// batch of deliveries.
//
//	go test ./internal/inbox -run '^$' -bench Ingest -benchtime 20x
func BenchmarkIngest(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			setup(b, d)
			one := benchIngest(b, d, "one", func(ctx context.Context, tx *db.Tx, in []inbox.Incoming, now time.Time) error {
				for _, inc := range in {
					r, err := inbox.Ingest(archive.WithSource(ctx, inc.Source), tx, inc.ChannelID, inc.Event, now)
					if err != nil {
						return err
					}
					if err := inbox.SetClassification(ctx, tx, r.ItemID, *inc.Class); err != nil {
						return err
					}
				}
				return nil
			})
			batched := benchIngest(b, d, "batch", func(ctx context.Context, tx *db.Tx, in []inbox.Incoming, now time.Time) error {
				_, err := inbox.IngestBatch(ctx, tx, in, now, nil)
				return err
			})
			b.ReportMetric(one, "one_by_one_events/s")
			b.ReportMetric(batched, "batched_events/s")
			b.ReportMetric(batched/one, "speedup")
		})
	}
}

const batchBenchSize = 256

// benchIngest runs b.N batches through ingest and returns events/s.
func benchIngest(b *testing.B, d *db.DB, tag string, ingest func(context.Context, *db.Tx, []inbox.Incoming, time.Time) error) float64 {
	var took time.Duration
	for n := range b.N {
		in := make([]inbox.Incoming, batchBenchSize)
		for i := range in {
			ev := comment(fmt.Sprintf("%s-%d-%d", tag, n, i), fmt.Sprintf("När töms soptunnorna på Storgatan %d? Det har inte hämtats på två veckor.", i), platform.VerbCreate)
			ev.Object.ParentID = fmt.Sprintf("%s-post-%d", tag, i%20)
			ev.Object.ThreadID = ev.Object.ParentID
			in[i] = inbox.Incoming{ChannelID: 1, Event: ev, Class: &inbox.Classification{Sentiment: "neutral"},
				Source: archive.Source{EventID: int64(i + 1), PlatformEventID: ev.EventID}}
		}
		start := time.Now()
		err := d.InTx(context.Background(), func(tx *db.Tx) error {
			ctx := archive.HoldHead(context.Background(), tx)
			if err := ingest(ctx, tx, in, t0.Add(time.Hour)); err != nil {
				return err
			}
			return archive.ReleaseHeadTx(ctx, tx)
		})
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(b.N*batchBenchSize) / took.Seconds()
}

// BenchmarkItemsInsertFloor measures what the target for processed events
// is up against: in the same run and database, a bare batched insert of
// raw payloads (an id, a body and a time, 64 rows per INSERT and
// transaction, as the intake's baseline) and the same kind of insert into
// the items table alone — with the indexes the inbox page needs at a
// million items, its search index and foreign keys, and nothing else of
// what processing writes (versions, threads, archive records, classes).
//
//	go test ./internal/inbox -run '^$' -bench ItemsInsertFloor -benchtime 20000x
func BenchmarkItemsInsertFloor(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			setup(b, d)
			mustExec(b, d, "INSERT INTO threads (channel_id, external_id, kind, created_at, last_activity_at) VALUES (1, 'floor', 'post', ?, ?)", t0, t0)
			mustExec(b, d, db.Translate(dialect, "CREATE TABLE floor_bare (id SERIAL_PK, body BYTES NOT NULL, received_at TSTZ NOT NULL)"))
			body := []byte(`{"object":"page","entry":[{"id":"1000000001","time":1767268800,"changes":[{"field":"feed","value":{"from":{"id":"5551","name":"Invånare"},"post_id":"1000000001_1","comment_id":"200_1_0","parent_id":"1000000001_1","created_time":1767268800,"item":"comment","verb":"add","message":"När töms soptunnorna på Storgatan 1? Det har inte hämtats på två veckor."}}]}]}`)
			bare := floorRate(b, d, "floor_bare", "body, received_at", func(int) []any { return []any{body, t0} })
			items := floorRate(b, d, "items", "channel_id, department_id, thread_id, platform, external_id, kind, body, search_text, posted_at, received_at, updated_at", func(i int) []any {
				return []any{1, 1, 1, "facebook", fmt.Sprint("floor-", i), "comment", "När töms soptunnorna på Storgatan? Det har inte hämtats på två veckor.",
					"töms soptunn storgat hämt två veck", t0, t0, t0}
			})
			b.ReportMetric(bare, "bare_rows/s")
			b.ReportMetric(items, "item_rows/s")
			b.ReportMetric(items/bare, "items_ratio")
		})
	}
}

// floorRate inserts b.N rows (rounded up to a whole INSERT) into table, 64 per multi-row
// INSERT and transaction, and returns rows per second.
func floorRate(b *testing.B, d *db.DB, table, cols string, row func(i int) []any) float64 {
	const batch = 64
	n := (max(b.N, 1) + batch - 1) / batch * batch
	q := "INSERT INTO " + table + " (" + cols + ") VALUES " + db.ValuesList(batch, len(row(0)))
	start := time.Now()
	for from := 0; from < n; from += batch {
		args := make([]any, 0, batch*len(row(0)))
		for i := from; i < from+batch; i++ {
			args = append(args, row(i)...)
		}
		if _, err := d.Exec(context.Background(), q, args...); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}
