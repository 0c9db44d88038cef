package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/inbox"
	"tilltal/internal/jobs"
	"tilltal/internal/loadtest"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
	"tilltal/internal/secret"
)

const (
	crashPage  = "1000000077"
	crashToken = "EAAGcrashpage"
)

// jobCrash is a database and a fake Meta shared by server processes that
// the test starts and kills.
type jobCrash struct {
	t       *testing.T
	dir     string
	dsn     string
	d       *db.DB
	fake    *metafake.Server
	post    string
	actions *inbox.Actions
	server  *exec.Cmd
	addr    string
}

func newJobCrash(t *testing.T) *jobCrash {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c := &jobCrash{t: t, dir: dir, dsn: "sqlite:" + filepath.Join(dir, "tilltal.db"), fake: metafake.Start(t)}
	c.fake.AddPage(crashPage, "Exempelby kommun", crashToken)
	c.post = c.fake.AddPost(crashPage, "Snöröjning i natt", time.Now().Add(-time.Hour))
	var err error
	if c.d, err = db.Open(ctx, c.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.d.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := migrations.Up(ctx, c.d, log); err != nil {
		t.Fatal(err)
	}
	box, err := secret.LoadOrCreate(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	// The test asks for replies as the web would; the server processes
	// send them. Its queue only inserts jobs.
	q, err := jobs.New(c.d, log, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conns := map[platform.Name]platform.Connector{platform.Facebook: meta.NewFacebook(meta.Config{GraphURL: c.fake.URL})}
	creds := &credential.Store{DB: c.d, Secrets: box, Connectors: conns, Now: time.Now, BaseURL: "http://tilltal.test"}
	out := &outbound.Service{DB: c.d, Queue: q, Credentials: creds, Connectors: conns, Now: time.Now}
	c.actions = &inbox.Actions{Store: &inbox.Store{DB: c.d, Now: time.Now}, Outbound: out}
	var channel int64
	err = c.d.InTx(ctx, func(tx *db.Tx) error {
		now := time.Now()
		dep, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunikation', 'KOM', ?, ?)", now, now)
		if err != nil {
			return err
		}
		channel, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, 'Exempelby kommun', 'active', ?, ?)", dep, crashPage, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := creds.Connect(ctx, channel, platform.Credentials{AccessToken: crashToken}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.kill)
	return c
}

// start runs a server process on the database and waits until it is ready.
func (c *jobCrash) start() {
	c.t.Helper()
	c.addr = freeAddr(c.t)
	c.server = exec.Command(os.Args[0], "-test.run=^$")
	c.server.Env = append(os.Environ(), serveEnv+"=1", "TILLTAL_DATABASE="+c.dsn, "TILLTAL_DATA_DIR="+c.dir, "TILLTAL_LISTEN="+c.addr,
		"TILLTAL_META_APP_SECRET="+crashSecret, "TILLTAL_META_GRAPH_URL="+c.fake.URL)
	if err := c.server.Start(); err != nil {
		c.t.Fatal(err)
	}
	waitReady(c.t, "http://"+c.addr)
}

// kill ends the server process with SIGKILL: no shutdown, no last commit.
func (c *jobCrash) kill() {
	if c.server == nil {
		return
	}
	_ = c.server.Process.Signal(syscall.SIGKILL)
	_ = c.server.Wait()
	c.server = nil
}

// comment puts a citizen's comment on the fake and delivers it to the
// server by webhook; it returns the comment's id and its inbox item.
func (c *jobCrash) comment(text string) (string, int64) {
	c.t.Helper()
	at := time.Now().Add(-time.Minute)
	id := c.fake.AddComment(c.post, "5550001", "Karin", text, at)
	body := fmt.Appendf(nil, `{"object":"page","entry":[{"id":%q,"time":%d,"changes":[{"field":"feed","value":{"from":{"id":"5550001","name":"Karin"},"post_id":%q,"comment_id":%q,"parent_id":%q,"created_time":%d,"item":"comment","verb":"add","message":%q}}]}]}`,
		crashPage, at.Unix(), c.post, id, c.post, at.Unix(), text)
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.addr+"/webhooks/meta", bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", loadtest.Sign(crashSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("delivery of the comment answered %d", resp.StatusCode)
	}
	// The 200 says the delivery is stored; the item is made after it.
	var item int64
	c.waitFor("the comment becomes an inbox item", func() bool {
		return c.d.QueryRow(context.Background(), "SELECT id FROM items WHERE external_id = ?", id).Scan(&item) == nil
	})
	return id, item
}

func (c *jobCrash) reply(item int64, text string) int64 {
	c.t.Helper()
	ctx := audit.WithActor(context.Background(), audit.System("crash-test"))
	id, err := c.actions.Reply(ctx, item, text, "", "")
	if err != nil {
		c.t.Fatal(err)
	}
	return id
}

// waitFor polls cond until it holds, failing after a generous deadline.
func (c *jobCrash) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *jobCrash) jobRunning() bool {
	var n int
	_ = c.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'running'", outbound.ActionArgs{}.Kind()).Scan(&n)
	return n > 0
}

// lockWrites takes the database's write lock, as a long transaction
// would: the server can then commit nothing until it is released.
func (c *jobCrash) lockWrites() *db.Tx {
	c.t.Helper()
	tx, err := c.d.Begin(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return tx
}

// TestCrashReplyJobCompletesOnce kills the server while a reply job runs,
// at each moment where a crash could lose or double a reply: before the
// platform has the reply, while the platform holds the request (before and
// after it took effect), and after the platform answered but before
// Tilltal recorded the answer. After a restart each reply is on the
// platform exactly once and the item shows it with the platform's id.
func TestCrashReplyJobCompletesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	c := newJobCrash(t)
	c.start()
	moments := []struct {
		name string
		// crash arms the fake for comment and kills the server at the
		// moment; it runs after the reply was asked for.
		arm   func(comment string) *metafake.Hold
		crash func(h *metafake.Hold)
	}{
		{"job running, before the platform has the reply",
			func(comment string) *metafake.Hold {
				return c.fake.Hold(metafake.Hold{Method: http.MethodPost, PathContains: comment + "/comments"})
			},
			func(h *metafake.Hold) {
				c.waitFor("the job runs", c.jobRunning)
				tx := c.lockWrites()
				c.kill()
				tx.Rollback()
				h.Release()
			}},
		{"platform holds the request, not yet done",
			func(comment string) *metafake.Hold {
				return c.fake.Hold(metafake.Hold{Method: http.MethodPost, PathContains: comment + "/comments"})
			},
			func(h *metafake.Hold) {
				<-h.Arrived()
				c.kill()
				<-h.Answered()
			}},
		{"platform did it and holds the answer",
			func(comment string) *metafake.Hold {
				return c.fake.Hold(metafake.Hold{Method: http.MethodPost, PathContains: comment + "/comments", Apply: true})
			},
			func(h *metafake.Hold) {
				<-h.Arrived()
				c.kill()
				<-h.Answered()
			}},
		{"platform answered, Tilltal had not committed",
			func(comment string) *metafake.Hold {
				return c.fake.Hold(metafake.Hold{Method: http.MethodPost, PathContains: comment + "/comments", Apply: true})
			},
			func(h *metafake.Hold) {
				<-h.Arrived()
				tx := c.lockWrites()
				h.Release()
				<-h.Answered()
				c.kill()
				tx.Rollback()
			}},
	}
	for i, m := range moments {
		comment, item := c.comment(fmt.Sprintf("Fråga %d: plogas det i centrum i natt?", i))
		hold := m.arm(comment)
		text := "Ja, centrum plogas först i natt. " + []string{"Tack för frågan!", "Hälsningar kommunen.", "Ha en fin kväll!", "Välkommen att höra av dig igen."}[i]
		action := c.reply(item, text)
		m.crash(hold)
		c.start()
		var a outbound.Action
		c.waitFor(m.name+": the reply is done after the restart", func() bool {
			var err error
			a, err = c.actions.Outbound.Get(context.Background(), action)
			return err == nil && a.Status != outbound.StatusPending
		})
		var ours []metafake.Node
		for _, n := range c.fake.Children(comment) {
			if n.FromID == crashPage {
				ours = append(ours, n)
			}
		}
		if len(ours) != 1 || ours[0].Text != text {
			t.Fatalf("%s: %d replies on the platform: %+v", m.name, len(ours), ours)
		}
		if a.Status != outbound.StatusDone || a.ResultID != ours[0].ID {
			t.Fatalf("%s: action %+v, platform reply %s", m.name, a, ours[0].ID)
		}
		var replies int
		var status string
		if err := c.d.QueryRow(context.Background(), "SELECT COUNT(*) FROM items WHERE external_id = ?", ours[0].ID).Scan(&replies); err != nil {
			t.Fatal(err)
		}
		if err := c.d.QueryRow(context.Background(), "SELECT status FROM items WHERE id = ?", item).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if replies != 1 || status != "answered" {
			t.Fatalf("%s: the reply %s is %d items; the question is %s", m.name, ours[0].ID, replies, status)
		}
		t.Logf("%s: one reply (%s) after %d attempts, %d requests to the platform", m.name, a.ResultID, a.Attempts, c.fake.Count(http.MethodPost, comment+"/comments"))
	}
}
