package publish_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/jobs"
	"tilltal/internal/publish"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	svc                           *publish.Service
	d                             *db.DB
	channel                       int64
	owner, editor, other, outside channel.Viewer
	jpeg                          []byte
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	f := fixture{d: d, svc: &publish.Service{DB: d, Queue: q, Channels: &channel.Store{DB: d, Now: clock}, Now: clock, BaseURL: "https://tilltal.exempelby.se"}}
	if f.jpeg, err = os.ReadFile("testdata/simhall.jpg"); err != nil {
		t.Fatal(err)
	}
	user := func(tx *db.Tx, email string) int64 {
		id, err := tx.InsertID(ctx, "INSERT INTO users (email, name, created_at, updated_at) VALUES (?, ?, ?, ?)", email, email, now, now)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		dep, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kultur', 'KFF', ?, ?)", now, now)
		if err != nil {
			return err
		}
		f.channel, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', '1001', 'Kultur i Exempelby', 'active', ?, ?)", dep, now, now)
		if err != nil {
			return err
		}
		f.owner.UserID, f.editor.UserID, f.other.UserID, f.outside.UserID = user(tx, "agare@x.se"), user(tx, "redaktor@x.se"), user(tx, "redaktor2@x.se"), user(tx, "annan@x.se")
		for _, m := range []struct {
			user int64
			role string
		}{{f.owner.UserID, "owner"}, {f.editor.UserID, "editor"}, {f.other.UserID, "editor"}} {
			if _, err := tx.Exec(ctx, "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, ?)", f.channel, m.user, m.role); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "INSERT INTO channel_credentials (channel_id, account_id, access_token_enc, status, connected_at, updated_at) VALUES (?, '1001', ?, 'ok', ?, ?)", f.channel, []byte("x"), now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// draft writes a post by the editor with the image covered by consent.
func (f fixture) draft(t *testing.T, consent int64) int64 {
	t.Helper()
	ctx := context.Background()
	img, err := f.svc.PutImage(ctx, f.editor, f.jpeg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.svc.Create(ctx, f.editor, publish.Input{Title: "Simhallen", Body: "Simhallen öppnar i dag.", Channels: []int64{f.channel},
		CheckSender: true, CheckGraphicProfile: true, Image: &publish.InputImage{SHA256: img.SHA256, AltText: "Bassängen", Consents: []int64{consent}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) consent(t *testing.T, lastDay string) int64 {
	t.Helper()
	id, err := f.svc.AddConsent(context.Background(), f.owner, publish.NewConsent{Person: "Elsa", Purpose: "Sociala medier", SignedBy: "Elsa", SignedOn: "2026-01-10", LastDay: lastDay})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAddConsentRefusesBadInput(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ok := publish.NewConsent{Person: "Elsa", Purpose: "Sociala medier", SignedBy: "Elsas vårdnadshavare", SignedOn: "2026-01-10", LastDay: "2026-12-31"}
		tests := []struct {
			name   string
			change func(n *publish.NewConsent)
			want   string
		}{
			{"no person", func(n *publish.NewConsent) { n.Person = " " }, "Vem som syns saknas"},
			{"no signer", func(n *publish.NewConsent) { n.SignedBy = "" }, "Vem som har skrivit under saknas"},
			{"bad date", func(n *publish.NewConsent) { n.LastDay = "31/12" }, "ÅÅÅÅ-MM-DD"},
			{"ends before signed", func(n *publish.NewConsent) { n.LastDay = "2025-12-31" }, "innan det skrevs under"},
			{"signed in the future", func(n *publish.NewConsent) { n.SignedOn = "2026-04-01" }, "i framtiden"},
		}
		for _, tc := range tests {
			n := ok
			tc.change(&n)
			if _, err := f.svc.AddConsent(context.Background(), f.owner, n); apperr.KindOf(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), tc.want) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		id, err := f.svc.AddConsent(context.Background(), f.owner, ok)
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Consent(context.Background(), id)
		if err != nil || c.LastDay().String() != "2026-12-31" || c.State(now) != publish.ConsentValid || c.State(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) != publish.ConsentExpired {
			t.Fatalf("%+v %v", c, err)
		}
	})
}

func TestApprovalNeedsAnotherPerson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		id := f.draft(t, f.consent(t, "2026-12-31"))
		if _, err := f.svc.Get(ctx, f.outside, id); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("outsider sees the post: %v", err)
		}
		if err := f.svc.Submit(ctx, f.editor, id); err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]channel.Viewer{"author": f.editor, "another editor": f.other} {
			if err := f.svc.Decide(ctx, v, id, publish.Approve, ""); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("%s approved: %v", name, err)
			}
		}
		if err := f.svc.Decide(ctx, f.owner, id, publish.Approve, ""); err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.Get(ctx, f.owner, id)
		if err != nil || p.Status != publish.Approved || p.Targets[0].Status != publish.TargetPlanned || p.Targets[0].Round != 1 {
			t.Fatalf("%+v %v", p, err)
		}
		var jobs int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM river_job WHERE kind = 'publish.target'").Scan(&jobs); err != nil || jobs != 1 {
			t.Fatalf("%d jobs, %v", jobs, err)
		}
		if err := f.svc.Decide(ctx, f.owner, id, publish.Approve, ""); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("approved twice: %v", err)
		}
	})
}

func TestConsentEndFlagsPosts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		withdrawn, expiring := f.consent(t, "2026-12-31"), f.consent(t, "2026-03-01")
		first := f.draft(t, withdrawn)
		refs, err := f.svc.Withdraw(ctx, f.owner, withdrawn, "Ringde")
		if err != nil || len(refs) != 1 || refs[0].ID != first {
			t.Fatalf("%+v %v", refs, err)
		}
		if _, err := f.svc.Withdraw(ctx, f.owner, withdrawn, ""); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("withdrawn twice: %v", err)
		}
		err = f.svc.Submit(ctx, f.editor, first)
		var b *publish.Blocked
		if !errors.As(err, &b) || !strings.Contains(apperr.Message(err), "kan inte skickas") {
			t.Fatalf("submit with a withdrawn consent: %v", err)
		}
		second := f.draft(t, expiring)
		for range 2 {
			if err := f.svc.FlagExpired(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p, err := f.svc.Get(ctx, f.owner, second)
		if err != nil || len(p.Flags) != 1 || !strings.Contains(p.Flags[0].Reason, "gått ut") {
			t.Fatalf("%+v %v", p.Flags, err)
		}
	})
}
