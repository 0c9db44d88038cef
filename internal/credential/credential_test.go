package credential_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
	"tilltal/internal/platform/metafake"
	"tilltal/internal/secret"
)

const (
	pageID = "1000000001"
	token  = "EAAGsecret-page-token"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	d       *db.DB
	fake    *metafake.Server
	store   *credential.Store
	channel int64
	owner   int64
}

func setup(t *testing.T, d *db.DB, withOwner bool) fixture {
	t.Helper()
	ctx := context.Background()
	box, err := secret.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fake := metafake.Start(t)
	fake.SetNow(func() time.Time { return now })
	fake.AddPage(pageID, "Exempelby kommun", token)
	clock := func() time.Time { return now }
	f := fixture{d: d, fake: fake}
	f.store = &credential.Store{
		DB: d, Secrets: box, Now: clock, BaseURL: "https://tilltal.exempelby.se",
		Notify:     &notify.Outbox{DB: d, Queue: q, Secrets: box, Now: clock},
		Connectors: map[platform.Name]platform.Connector{platform.Facebook: meta.NewFacebook(meta.Config{GraphURL: fake.URL, Now: clock})},
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		dep, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunikation', 'KOM', ?, ?)", now, now)
		if err != nil {
			return err
		}
		f.channel, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, 'Exempelby kommun', 'active', ?, ?)", dep, pageID, now, now)
		if err != nil {
			return err
		}
		f.owner, err = tx.InsertID(ctx, "INSERT INTO users (email, name, created_at, updated_at) VALUES ('agare@exempelby.se', 'Ägare', ?, ?)", now, now)
		if err != nil {
			return err
		}
		comm, err := tx.InsertID(ctx, "INSERT INTO users (email, name, created_at, updated_at) VALUES ('komm@exempelby.se', 'Kommunikatör', ?, ?)", now, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, 'communicator')", comm); err != nil {
			return err
		}
		if withOwner {
			_, err = tx.Exec(ctx, "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, 'owner')", f.channel, f.owner)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) notifications(t *testing.T) []notify.Notification {
	t.Helper()
	list, err := f.store.Notify.List(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestConnectEncryptsAndHooks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, true)
		var hooked int64
		f.store.OnConnect = func(ctx context.Context, tx *db.Tx, id int64) error { hooked = id; return nil }
		exp := now.Add(60 * 24 * time.Hour)
		if err := f.store.Connect(ctx, f.channel, platform.Credentials{AccessToken: token, RefreshToken: "refresh-me", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if hooked != f.channel {
			t.Error("OnConnect not run")
		}
		var raw []byte
		if err := d.QueryRow(ctx, "SELECT access_token_enc FROM channel_credentials WHERE channel_id = ?", f.channel).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(token)) {
			t.Fatal("token stored in the clear")
		}
		c, err := f.store.Credentials(ctx, f.channel)
		if err != nil || c.AccessToken != token || c.RefreshToken != "refresh-me" || c.AccountID != pageID || !c.ExpiresAt.Equal(exp) {
			t.Fatalf("%+v %v", c, err)
		}
		// A sealed token moved to another row does not open.
		if _, err := d.Exec(ctx, "UPDATE channel_credentials SET access_token_enc = ? WHERE channel_id = ?", append([]byte{}, raw[:len(raw)-1]...), f.channel); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Credentials(ctx, f.channel); err == nil {
			t.Error("tampered token opened")
		}
		if err := f.store.Connect(ctx, f.channel, platform.Credentials{}); err == nil {
			t.Error("empty token accepted")
		}
	})
}

func TestCheckWarnsBeforeExpiry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, true)
		if err := f.store.Connect(ctx, f.channel, platform.Credentials{AccessToken: token}); err != nil {
			t.Fatal(err)
		}
		// Data access far off: no warning.
		if err := f.store.CheckAll(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(f.notifications(t)); n != 0 {
			t.Fatalf("%d notifications for a healthy token", n)
		}
		c, _ := f.store.Get(ctx, f.channel)
		if c.CheckedAt.IsZero() || len(c.Scopes) == 0 || c.Status != credential.StatusOK {
			t.Fatalf("after check %+v", c)
		}
		f.fake.SetToken(metafake.Token{Value: token, Accounts: []string{pageID}, Type: "PAGE", Valid: true, ExpiresAt: now.Add(5 * 24 * time.Hour)})
		for range 2 {
			if _, err := f.store.Check(ctx, f.channel); err != nil {
				t.Fatal(err)
			}
		}
		list := f.notifications(t)
		if len(list) != 1 || list[0].To != "agare@exempelby.se" || !strings.Contains(list[0].Subject, "snart anslutas") || !strings.Contains(list[0].Body, "2026-03-07") {
			t.Fatalf("warnings %+v", list)
		}
	})
}

func TestDeadTokenNeedsReconnect(t *testing.T) {
	t.Parallel()
	// Each case gets its own subtest name: dbtest's SQLite path comes from
	// the test name, and a duplicate name's "#01" would cut the file: URI.
	for name, withOwner := range map[string]bool{"owner": true, "no_owner": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				f := setup(t, d, withOwner)
				if err := f.store.Connect(ctx, f.channel, platform.Credentials{AccessToken: token}); err != nil {
					t.Fatal(err)
				}
				f.fake.ExpireToken(token)
				for range 2 {
					if err := f.store.CheckAll(ctx); err != nil {
						t.Fatal(err)
					}
				}
				c, _ := f.store.Get(ctx, f.channel)
				if c.Status != credential.StatusNeedsReconnect || c.StatusDetail == "" {
					t.Fatalf("%+v", c)
				}
				if _, err := f.store.Credentials(ctx, f.channel); !errors.Is(err, credential.ErrNeedsReconnect) {
					t.Fatalf("credentials of a dead channel: %v", err)
				}
				want := "komm@exempelby.se"
				if withOwner {
					want = "agare@exempelby.se"
				}
				list := f.notifications(t)
				if len(list) != 1 || list[0].To != want || !strings.Contains(list[0].Subject, "måste anslutas på nytt") || strings.Contains(list[0].Body, token) {
					t.Fatalf("notifications %+v", list)
				}
				// Reconnecting makes it usable again.
				if err := f.store.Connect(ctx, f.channel, platform.Credentials{AccessToken: "new-token"}); err != nil {
					t.Fatal(err)
				}
				if c, err := f.store.Credentials(ctx, f.channel); err != nil || c.AccessToken != "new-token" {
					t.Fatalf("%+v %v", c, err)
				}
			})
		})
	}
}
