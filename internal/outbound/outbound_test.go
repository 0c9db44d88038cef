package outbound_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
	"tilltal/internal/secret"
)

const (
	pageID = "1000000001"
	token  = "EAAGpage"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	d       *db.DB
	fake    *metafake.Server
	svc     *outbound.Service
	worker  *outbound.Worker
	creds   *credential.Store
	channel int64
	post    string
	comment string
}

func setup(t *testing.T, d *db.DB, workers *river.Workers) fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	box, _ := secret.New(bytes.Repeat([]byte{3}, 32))
	fake := metafake.Start(t)
	fake.SetNow(func() time.Time { return now })
	fake.AddPage(pageID, "Exempelby kommun", token)
	clock := func() time.Time { return now }
	conns := map[platform.Name]platform.Connector{platform.Facebook: meta.NewFacebook(meta.Config{GraphURL: fake.URL, Now: clock})}
	f := fixture{d: d, fake: fake}
	f.creds = &credential.Store{DB: d, Secrets: box, Now: clock, Connectors: conns, BaseURL: "https://tilltal.exempelby.se"}
	f.svc = &outbound.Service{DB: d, Credentials: f.creds, Connectors: conns, Now: clock}
	f.worker = &outbound.Worker{Service: f.svc, Backoff: func(int) time.Duration { return 10 * time.Millisecond }}
	if workers != nil {
		river.AddWorker(workers, f.worker)
	}
	q, err := jobs.New(d, log, jobs.Options{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Queue = q
	f.creds.Notify = &notify.Outbox{DB: d, Queue: q, Secrets: box, Now: clock}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		dep, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunikation', 'KOM', ?, ?)", now, now)
		if err != nil {
			return err
		}
		f.channel, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, 'Exempelby kommun', 'active', ?, ?)", dep, pageID, now, now)
		if err != nil {
			return err
		}
		owner, err := tx.InsertID(ctx, "INSERT INTO users (email, name, created_at, updated_at) VALUES ('agare@exempelby.se', 'Ägare', ?, ?)", now, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, 'owner')", f.channel, owner)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.creds.Connect(ctx, f.channel, platform.Credentials{AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	f.post = fake.AddPost(pageID, "Snöröjning i natt", now.Add(-2*time.Hour))
	f.comment = fake.AddComment(f.post, "5550001", "Karin", "Plogas Storgatan?", now.Add(-time.Hour))
	return f
}

func (f fixture) enqueue(t *testing.T, r outbound.Request) int64 {
	t.Helper()
	if r.ChannelID == 0 {
		r.ChannelID = f.channel
	}
	id, err := f.svc.Enqueue(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// work runs the job once as River would on the given attempt.
func (f fixture) work(id int64, attempt int) error {
	job := &river.Job[outbound.ActionArgs]{JobRow: &rivertype.JobRow{ID: id, Attempt: attempt, MaxAttempts: outbound.MaxAttempts}, Args: outbound.ActionArgs{ActionID: id}}
	return f.worker.Work(context.Background(), job)
}

func (f fixture) action(t *testing.T, id int64) outbound.Action {
	t.Helper()
	a, err := f.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f fixture) notifications(t *testing.T) []notify.Notification {
	t.Helper()
	list, err := f.creds.Notify.List(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func isCancel(err error) bool {
	var c *river.JobCancelError
	return errors.As(err, &c)
}

func TestReplyIsPostedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		req := outbound.Request{Key: "reply:item:1:draft:1", Kind: outbound.KindReply, TargetID: f.comment, Text: "Ja, först av allt."}
		id := f.enqueue(t, req)
		if again := f.enqueue(t, req); again != id {
			t.Fatalf("same key gave a new action %d", again)
		}
		for attempt := 1; attempt <= 3; attempt++ {
			if err := f.work(id, attempt); err != nil {
				t.Fatal(err)
			}
		}
		a := f.action(t, id)
		if a.Status != outbound.StatusDone || a.ResultID == "" || !strings.Contains(a.Raw, a.ResultID) || a.Attempts != 1 {
			t.Fatalf("%+v", a)
		}
		if n := len(f.fake.Children(f.comment)); n != 1 {
			t.Fatalf("%d replies on the platform", n)
		}
	})
}

func TestReplyAcceptedButAnswerLostIsAdopted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		// Meta posts the reply, but we get a 500: it looks like a failure.
		f.fake.Fail(metafake.Fault{Method: http.MethodPost, PathContains: f.comment + "/comments", Status: 500, Apply: true,
			Body: metafake.GraphError(2, 0, "OAuthException", "An unexpected error has occurred.")})
		id := f.enqueue(t, outbound.Request{Key: "reply:lost", Kind: outbound.KindReply, TargetID: f.comment, Text: "Vi plogar Storgatan först."})
		if err := f.work(id, 1); err == nil || isCancel(err) {
			t.Fatalf("first attempt: %v", err)
		}
		if a := f.action(t, id); a.Status != outbound.StatusPending || !strings.Contains(a.Raw, "unexpected") {
			t.Fatalf("after the lost answer %+v", a)
		}
		if err := f.work(id, 2); err != nil {
			t.Fatal(err)
		}
		replies := f.fake.Children(f.comment)
		a := f.action(t, id)
		if len(replies) != 1 || a.Status != outbound.StatusDone || a.ResultID != replies[0].ID {
			t.Fatalf("%d replies, action %+v", len(replies), a)
		}
		if n := f.fake.Count(http.MethodPost, f.comment+"/comments"); n != 1 {
			t.Errorf("posted %d times", n)
		}
	})
}

func TestRetryableErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		f.fake.Throttle(http.MethodPost, f.comment, 1, 7)
		id := f.enqueue(t, outbound.Request{Key: "hide:1", Kind: outbound.KindHide, TargetID: f.comment})
		var snooze *river.JobSnoozeError
		if err := f.work(id, 1); !errors.As(err, &snooze) || snooze.Duration != 7*time.Minute {
			t.Fatalf("throttled: %v", err)
		}
		if a := f.action(t, id); a.Status != outbound.StatusPending || !strings.Contains(a.Error, "begränsar") || !strings.Contains(a.Raw, "(#4)") {
			t.Fatalf("%+v", a)
		}
		f.fake.ServerError(http.MethodPost, f.comment, 1)
		if err := f.work(id, 1); err == nil || isCancel(err) {
			t.Fatalf("5xx should retry: %v", err)
		}
		if err := f.work(id, 2); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.fake.Node(f.comment); !n.Hidden {
			t.Fatal("not hidden")
		}
		// A 5xx on the last attempt fails the action for good.
		f.fake.ServerError(http.MethodPost, f.comment, 1)
		id2 := f.enqueue(t, outbound.Request{Key: "unhide:1", Kind: outbound.KindUnhide, TargetID: f.comment})
		if err := f.work(id2, outbound.MaxAttempts); !isCancel(err) {
			t.Fatalf("last attempt: %v", err)
		}
		if a := f.action(t, id2); a.Status != outbound.StatusFailed || !strings.Contains(a.Error, "flera försök") {
			t.Fatalf("%+v", a)
		}
	})
}

func TestPermanentErrorsFailAndAlert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		script  func(f fixture)
		req     func(f fixture) outbound.Request
		summary string
	}{
		{"deleted comment", func(f fixture) { f.fake.Delete(f.comment) },
			func(f fixture) outbound.Request {
				return outbound.Request{Kind: outbound.KindReply, TargetID: f.comment, Text: "Svar"}
			}, "raderats"},
		{"permission", func(f fixture) {
			f.fake.Fail(metafake.Fault{PathContains: "_", Status: 403, Body: metafake.GraphError(200, 0, "OAuthException", "(#200) Permissions error")})
		}, func(f fixture) outbound.Request {
			return outbound.Request{Kind: outbound.KindDelete, TargetID: f.comment}
		}, "nekade"},
		{"closed message window", func(f fixture) {}, func(f fixture) outbound.Request {
			mid := f.fake.AddMessage(pageID, "777", "Lisa", "Hej", now.Add(-48*time.Hour))
			return outbound.Request{Kind: outbound.KindReply, TargetID: "m:777:" + mid, Text: "Sent svar"}
		}, "Svarsfönstret"},
		{"stale private reply", func(f fixture) {}, func(f fixture) outbound.Request {
			old := f.fake.AddComment(f.post, "888", "Ola", "Gammal", now.Add(-8*24*time.Hour))
			return outbound.Request{Kind: outbound.KindPrivateReply, TargetID: old, Text: "Privat"}
		}, "7 dagar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				f := setup(t, d, nil)
				tt.script(f)
				r := tt.req(f)
				r.Key = "k:" + tt.name
				id := f.enqueue(t, r)
				if err := f.work(id, 1); !isCancel(err) {
					t.Fatalf("want a cancelled job, got %v", err)
				}
				a := f.action(t, id)
				if a.Status != outbound.StatusFailed || !strings.Contains(a.Error, tt.summary) {
					t.Fatalf("%+v", a)
				}
				list := f.notifications(t)
				if len(list) != 1 || list[0].To != "agare@exempelby.se" || !strings.HasPrefix(list[0].Subject, "Det gick inte att") {
					t.Fatalf("alerts %+v", list)
				}
				if c, _ := f.creds.Get(context.Background(), f.channel); c.Status != credential.StatusOK {
					t.Error("a non-token error marked the channel for reconnection")
				}
			})
		})
	}
}

func TestDeadTokenMarksChannel(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		f.fake.ExpireToken(token)
		id := f.enqueue(t, outbound.Request{Key: "r1", Kind: outbound.KindReply, TargetID: f.comment, Text: "Svar"})
		if err := f.work(id, 1); !isCancel(err) {
			t.Fatalf("%v", err)
		}
		if a := f.action(t, id); a.Status != outbound.StatusFailed || !strings.Contains(a.Error, "Anslut kanalen") || !strings.Contains(a.Raw, "190") {
			t.Fatalf("%+v", a)
		}
		if c, _ := f.creds.Get(context.Background(), f.channel); c.Status != credential.StatusNeedsReconnect {
			t.Fatalf("credential %+v", c)
		}
		before := len(f.fake.Requests())
		id2 := f.enqueue(t, outbound.Request{Key: "r2", Kind: outbound.KindReply, TargetID: f.comment, Text: "Svar igen"})
		if err := f.work(id2, 1); !isCancel(err) {
			t.Fatalf("%v", err)
		}
		if a := f.action(t, id2); a.Status != outbound.StatusFailed || !strings.Contains(a.Error, "anslutas på nytt") {
			t.Fatalf("%+v", a)
		}
		if len(f.fake.Requests()) != before {
			t.Error("called the platform with a dead token")
		}
		// One alert for the dead token, one for the failed reply; none for
		// the action that never went out.
		if n := len(f.notifications(t)); n != 2 {
			t.Errorf("%d notifications", n)
		}
	})
}

func TestActionsOnThePlatform(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		ctx := context.Background()
		pub := f.enqueue(t, outbound.Request{Key: "p", Kind: outbound.KindPublish, Post: platform.PostRequest{Text: "Biblioteket har öppet i kväll", Link: "https://exempelby.se/bibliotek"}})
		hide := f.enqueue(t, outbound.Request{Key: "h", Kind: outbound.KindHide, TargetID: f.comment})
		priv := f.enqueue(t, outbound.Request{Key: "pr", Kind: outbound.KindPrivateReply, TargetID: f.comment, Text: "Vi hör av oss privat."})
		del := f.enqueue(t, outbound.Request{Key: "d", Kind: outbound.KindDelete, TargetID: f.comment})
		for _, id := range []int64{pub, hide, priv, del} {
			if err := f.work(id, 1); err != nil {
				t.Fatalf("action %d: %v", id, err)
			}
			if a := f.action(t, id); a.Status != outbound.StatusDone || a.Raw == "" {
				t.Fatalf("%+v", a)
			}
		}
		p, _ := f.svc.Get(ctx, pub)
		if n, ok := f.fake.Node(p.ResultID); !ok || n.Link != "https://exempelby.se/bibliotek" || p.Post.Link == "" {
			t.Errorf("published %+v", n)
		}
		if n, _ := f.fake.Node(f.comment); !n.Deleted || !n.Hidden {
			t.Errorf("comment %+v", n)
		}
		done, err := f.svc.List(ctx, f.channel, outbound.StatusDone, 10)
		if err != nil || len(done) != 4 {
			t.Errorf("listed %d %v", len(done), err)
		}
	})
}

func TestRequestValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		bad := []outbound.Request{
			{Kind: outbound.KindReply, TargetID: "x", Text: "t"},
			{Key: "a", Kind: outbound.KindReply, TargetID: "x"},
			{Key: "b", Kind: outbound.KindHide},
			{Key: "c", Kind: "like", TargetID: "x"},
			{Key: "d", Kind: outbound.KindPublish},
			{Key: "e", ChannelID: 999, Kind: outbound.KindHide, TargetID: "x"},
		}
		for _, r := range bad {
			if r.ChannelID == 0 {
				r.ChannelID = f.channel
			}
			if _, err := f.svc.Enqueue(context.Background(), r); err == nil {
				t.Errorf("accepted %+v", r)
			}
		}
	})
}

func TestThroughTheQueue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, river.NewWorkers())
		f.fake.ServerError(http.MethodPost, "/comments", 2)
		ctx := context.Background()
		if err := f.svc.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = f.svc.Queue.Stop(ctx)
		})
		id := f.enqueue(t, outbound.Request{Key: "q", Kind: outbound.KindReply, TargetID: f.comment, Text: "Via kön"})
		deadline := time.Now().Add(20 * time.Second)
		for f.action(t, id).Status == outbound.StatusPending {
			if time.Now().After(deadline) {
				t.Fatalf("still pending: %+v", f.action(t, id))
			}
			time.Sleep(20 * time.Millisecond)
		}
		a := f.action(t, id)
		if a.Status != outbound.StatusDone || a.Attempts != 3 || len(f.fake.Children(f.comment)) != 1 {
			t.Fatalf("%+v, %d replies", a, len(f.fake.Children(f.comment)))
		}
	})
}

func TestPublishAndDeleteSurviveLostAnswers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		f.fake.Fail(metafake.Fault{Method: http.MethodPost, PathContains: pageID + "/feed", Status: 502, Apply: true, Body: "Bad Gateway"})
		f.fake.Fail(metafake.Fault{Method: http.MethodDelete, PathContains: f.comment, Status: 500, Apply: true,
			Body: metafake.GraphError(2, 0, "OAuthException", "An unexpected error has occurred.")})
		pub := f.enqueue(t, outbound.Request{Key: "pub", Kind: outbound.KindPublish, Post: platform.PostRequest{Text: "Simhallen stänger tidigare i dag"}})
		del := f.enqueue(t, outbound.Request{Key: "del", Kind: outbound.KindDelete, TargetID: f.comment})
		for _, id := range []int64{pub, del} {
			if err := f.work(id, 1); err == nil || isCancel(err) {
				t.Fatalf("first attempt of %d: %v", id, err)
			}
			if err := f.work(id, 2); err != nil {
				t.Fatalf("second attempt of %d: %v", id, err)
			}
			if a := f.action(t, id); a.Status != outbound.StatusDone {
				t.Fatalf("%+v", a)
			}
		}
		if n := f.fake.Count(http.MethodPost, pageID+"/feed"); n != 1 {
			t.Errorf("published %d times", n)
		}
		if a := f.action(t, del); !strings.Contains(a.Raw, "does not exist") {
			t.Errorf("delete's raw answer %q", a.Raw)
		}
	})
}

func TestSameTextTwiceIsTwoReplies(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, nil)
		text := "Tack, vi tittar på det."
		first := f.enqueue(t, outbound.Request{Key: "reply:same:1", Kind: outbound.KindReply, TargetID: f.comment, Text: text})
		if err := f.work(first, 1); err != nil {
			t.Fatal(err)
		}
		// The second reply's first attempt fails before Meta does anything;
		// its retry looks on the platform first and finds the first reply,
		// which is not its own.
		f.fake.ServerError(http.MethodPost, f.comment+"/comments", 1)
		second := f.enqueue(t, outbound.Request{Key: "reply:same:2", Kind: outbound.KindReply, TargetID: f.comment, Text: text})
		if err := f.work(second, 1); err == nil {
			t.Fatal("the scripted failure did not fail")
		}
		if err := f.work(second, 2); err != nil {
			t.Fatal(err)
		}
		a, b := f.action(t, first), f.action(t, second)
		replies := f.fake.Children(f.comment)
		if len(replies) != 2 || a.ResultID == b.ResultID || b.Status != outbound.StatusDone {
			t.Fatalf("%d replies; first %s, second %s (%s)", len(replies), a.ResultID, b.ResultID, b.Status)
		}
	})
}
