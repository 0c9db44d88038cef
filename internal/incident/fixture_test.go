package incident_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/diary"
	"tilltal/internal/inbox"
	"tilltal/internal/incident"
	"tilltal/internal/jobs"
	"tilltal/internal/moderation/score"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
	"tilltal/internal/secret"
)

// fixture is a municipality with one Facebook channel of Kultur- och
// fritidsförvaltningen: its owner, an editor, the owner of another channel,
// a communicator and a lawyer. Jobs are enqueued, not run: tests call the
// work themselves.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	d       *db.DB
	now     time.Time
	store   *incident.Store
	inbox   *inbox.Store
	channel int64
	other   int64
	users   map[string]int64
	fetched int
	mu      sync.Mutex
}

var fixedNow = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	f := &fixture{t: t, ctx: ctx, d: d, now: fixedNow, users: map[string]int64{}}
	now := func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	o := &org.Store{DB: d, Now: now}
	q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetMunicipality(ctx, org.Municipality{Name: "Exempelby kommun"}); err != nil {
		t.Fatal(err)
	}
	dep, err := o.CreateDepartment(ctx, org.Department{Name: "Kultur- och fritidsförvaltningen", Code: "KFF"})
	if err != nil {
		t.Fatal(err)
	}
	for key, roles := range map[string][]org.Role{"jurist": {org.Legal}, "agare": {org.Owner, org.Editor}, "redaktor": {org.Editor},
		"annan": {org.Owner, org.Editor}, "kommunikator": {org.Communicator}} {
		u, err := o.CreateUser(ctx, org.NewUser{Email: key + "@exempelby.se", Name: key, Roles: roles, Departments: []int64{dep.ID}})
		if err != nil {
			t.Fatal(err)
		}
		f.users[key] = u.ID
	}
	f.channel = f.insertChannel(dep.ID, "fb-kff", "Kultur i Exempelby", map[string]string{"agare": "owner", "redaktor": "editor"})
	f.other = f.insertChannel(dep.ID, "fb-other", "Annan kanal", map[string]string{"annan": "owner"})
	key := make([]byte, 32)
	box, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	outbox := &notify.Outbox{DB: d, Queue: q, Secrets: box, Now: now}
	f.inbox = &inbox.Store{DB: d, Now: now}
	out := &outbound.Service{DB: d, Queue: q, Now: now}
	chans := &channel.Store{DB: d, Outbox: outbox, Now: now}
	f.store = &incident.Store{DB: d, Queue: q, Secrets: box, Diary: &diary.Store{DB: d, Now: now}, Outbox: outbox,
		Actions: &inbox.Actions{Store: f.inbox, Outbound: out}, Channels: chans, Duty: chans, Now: now, BaseURL: "https://tilltal.exempelby.se",
		Fetch: func(ctx context.Context, url string) ([]byte, string, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.fetched++
			return []byte("\x89PNG picture"), "image/png", nil
		}}
	return f
}

func (f *fixture) insertChannel(dept int64, external, name string, members map[string]string) int64 {
	f.t.Helper()
	var id int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(f.ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, ?, 'active', ?, ?)",
			dept, external, name, f.now, f.now)
		if err != nil {
			return err
		}
		for key, role := range members {
			if _, err := tx.Exec(f.ctx, "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, ?)", id, f.users[key], role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// advance moves the fixture's clock.
func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) viewer(key string) incident.Viewer {
	return incident.Viewer{UserID: f.users[key], Legal: key == "jurist"}
}

// post is a comment to ingest, with its raw delivery.
type post struct {
	id, text   string
	verb       platform.Verb
	attachment string
}

// ingest stores a comment the way intake does: the raw delivery, the
// event, and the inbox item, in one transaction; and returns the item.
func (f *fixture) ingest(p post) int64 {
	f.t.Helper()
	if p.verb == "" {
		p.verb = platform.VerbCreate
	}
	obj := platform.Object{ExternalID: p.id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: p.text,
		Permalink: "https://www.facebook.com/exempelby/posts/1?comment_id=" + p.id, CreatedAt: f.now.Add(-time.Minute),
		Author: platform.Author{ExternalID: "u-901", Name: "Arg Person", Handle: "argperson", ProfileURL: "https://www.facebook.com/argperson"}}
	if p.attachment != "" {
		obj.Attachments = []platform.Attachment{{Kind: "image", URL: p.attachment, ContentType: "image/png"}}
	}
	ev := platform.Event{Platform: platform.Facebook, AccountID: "fb-kff", EventID: p.id + ":" + string(p.verb), Verb: p.verb, Object: obj, OccurredAt: f.now}
	var item int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		body := fmt.Sprintf(`{"object":"page","entry":[{"id":"fb-kff","changes":[{"value":{"comment_id":%q,"message":%q}}]}]}`, p.id, p.text)
		delivery, err := tx.InsertID(f.ctx, "INSERT INTO webhook_deliveries (source, body_sha256, body, received_at, last_received_at) VALUES ('meta', ?, ?, ?, ?)",
			incident.Hash([]byte(body)), []byte(body), f.now, f.now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(f.ctx, `INSERT INTO platform_events (platform, account_id, event_id, channel_id, delivery_id, source, verb, kind, object_id, body, event_json, occurred_at, received_at)
			VALUES ('facebook', 'fb-kff', ?, ?, ?, 'webhook', ?, 'comment', ?, ?, ?, ?, ?)`, ev.EventID, f.channel, delivery, string(p.verb), p.id, p.text,
			fmt.Sprintf(`{"event_id":%q,"text":%q}`, ev.EventID, p.text), f.now, f.now); err != nil {
			return err
		}
		res, err := inbox.Ingest(f.ctx, tx, f.channel, ev, f.now)
		if err != nil || p.text == "" {
			item = res.ItemID
			return err
		}
		item = res.ItemID
		c := inbox.Classification{}
		for _, fl := range score.Classify(p.text).Flags {
			c.Flags = append(c.Flags, fl.String())
		}
		return inbox.SetClassification(f.ctx, tx, item, c)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return item
}

// audits counts audit entries with an action prefix on an object.
func (f *fixture) audits(action, objectType string, id int64) int {
	f.t.Helper()
	list, err := audit.List(f.ctx, f.d, audit.Filter{Action: action, ObjectType: objectType, ObjectID: audit.ID(id), Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(list)
}

// notifications lists the subjects of messages to a person.
func (f *fixture) notifications(key string) []string {
	f.t.Helper()
	rows, err := f.d.Query(f.ctx, "SELECT subject FROM notifications WHERE recipient_user_id = ? ORDER BY id", f.users[key])
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// testdata reads a file of testdata.
func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// withUser makes a person the actor of ctx.
func withUser(ctx context.Context, userID int64) context.Context {
	return audit.WithActor(ctx, audit.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)})
}
