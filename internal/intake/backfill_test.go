package intake_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
	"tilltal/internal/secret"
)

const pageToken = "EAAGpage"

func backfillSetup(t *testing.T, d *db.DB) (*intake.BackfillWorker, *metafake.Server, int64) {
	t.Helper()
	clock := func() time.Time { return testNow }
	fake := metafake.Start(t)
	fake.SetNow(clock)
	fake.AddPage(pageID, "Exempelby kommun", pageToken)
	box, _ := secret.New(bytes.Repeat([]byte{5}, 32))
	q, err := jobs.New(d, discard(), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conns := map[platform.Name]platform.Connector{platform.Facebook: meta.NewFacebook(meta.Config{GraphURL: fake.URL, Now: clock})}
	creds := &credential.Store{DB: d, Secrets: box, Now: clock, Connectors: conns, Notify: &notify.Outbox{DB: d, Queue: q, Secrets: box, Now: clock}}
	creds.OnConnect = func(ctx context.Context, tx *db.Tx, id int64) error { return intake.EnqueueBackfillTx(ctx, tx, q, id) }
	ch := addChannel(t, d, "facebook", pageID)
	if err := creds.Connect(context.Background(), ch, platform.Credentials{AccessToken: pageToken}); err != nil {
		t.Fatal(err)
	}
	w := &intake.BackfillWorker{Store: newStore(t, d), Credentials: creds, Connectors: conns, Log: discard()}
	return w, fake, ch
}

func runBackfill(w *intake.BackfillWorker, ch int64) error {
	return w.Work(context.Background(), &river.Job[intake.BackfillArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 8}, Args: intake.BackfillArgs{ChannelID: ch}})
}

func TestBackfillReadsWhatWebhooksMissed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, fake, ch := backfillSetup(t, d)
		if n := count(t, d, "river_job"); n != 1 {
			t.Fatalf("connecting enqueued %d jobs, want the back-fill", n)
		}
		fake.PageSize = 3
		post := fake.AddPost(pageID, "Vattenavstängning på Storgatan", testNow.Add(-3*time.Hour))
		for range 7 {
			fake.AddComment(post, "555", "Invånare", "Hur länge?", testNow.Add(-time.Hour))
		}
		if err := runBackfill(w, ch); err != nil {
			t.Fatal(err)
		}
		evs, err := w.Store.Events(ctx, intake.Filter{ChannelID: ch})
		if err != nil || len(evs) != 8 || evs[0].Source != intake.SourcePoll {
			t.Fatalf("%d events %v", len(evs), err)
		}
		// Again: nothing new, nothing twice; the cursor moved on.
		if err := runBackfill(w, ch); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, "platform_events"); n != 8 {
			t.Fatalf("%d events after a second back-fill", n)
		}
		var cur string
		if err := d.QueryRow(ctx, "SELECT cursor_value FROM intake_cursors WHERE channel_id = ?", ch).Scan(&cur); err != nil || cur == "" {
			t.Fatalf("cursor %q %v", cur, err)
		}
	})
}

func TestBackfillWithDeadTokenMarksChannel(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w, fake, ch := backfillSetup(t, d)
		fake.ExpireToken(pageToken)
		var cancel *river.JobCancelError
		if err := runBackfill(w, ch); !errors.As(err, &cancel) {
			t.Fatalf("%v", err)
		}
		if c, _ := w.Credentials.Get(context.Background(), ch); c.Status != credential.StatusNeedsReconnect {
			t.Fatalf("%+v", c)
		}
		// Later runs skip the channel quietly until it is reconnected.
		if err := runBackfill(w, ch); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBackfillThrottledSnoozes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w, fake, ch := backfillSetup(t, d)
		fake.Throttle("GET", "/feed", 1, 3)
		var snooze *river.JobSnoozeError
		if err := runBackfill(w, ch); !errors.As(err, &snooze) || snooze.Duration != 3*time.Minute {
			t.Fatalf("%v", err)
		}
	})
}
