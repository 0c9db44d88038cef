package credential_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform"
	"tilltal/internal/platform/youtube"
	"tilltal/internal/platform/youtubefake"
	"tilltal/internal/secret"
)

// TestRefreshBeforeUse: a YouTube access token about to expire is refreshed
// with the refresh token before use and the new one stored; a refresh token
// the platform refuses marks the channel for reconnecting.
func TestRefreshBeforeUse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		fake := youtubefake.New()
		defer fake.Close()
		const channel = "UCexempelbykommun0000001"
		fake.AddToken("ya29.old", channel)
		fake.AddRefreshToken("1//rt", "ya29.new", channel)
		conn := youtube.New(youtube.Config{APIURL: fake.URL(), TokenURL: fake.TokenURL(), TokenInfoURL: fake.TokenInfoURL(), ClientID: "cid", ClientSecret: "cs", HTTP: fake.Client()})
		box, _ := secret.New(make([]byte, 32))
		clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		s := &credential.Store{DB: d, Secrets: box, Connectors: map[platform.Name]platform.Connector{platform.YouTube: conn}, Now: func() time.Time { return clock }}
		var id int64
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('KFF', 'KFF', ?, ?)", clock, clock); err != nil {
				return err
			}
			var err error
			id, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'youtube', ?, 'Exempelby TV', 'active', ?, ?)", channel, clock, clock)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Connect(ctx, id, platform.Credentials{AccessToken: "ya29.old", RefreshToken: "1//rt", ExpiresAt: clock.Add(2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		c, err := s.Credentials(ctx, id)
		if err != nil || c.AccessToken != "ya29.new" {
			t.Fatalf("after refresh: %q %v", c.AccessToken, err)
		}
		again, err := s.Credentials(ctx, id)
		if err != nil || again.AccessToken != "ya29.new" {
			t.Fatalf("stored token: %q %v", again.AccessToken, err)
		}
		// A revoked refresh token: the channel needs reconnecting.
		if err := s.Connect(ctx, id, platform.Credentials{AccessToken: "ya29.old", RefreshToken: "1//revoked", ExpiresAt: clock.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Credentials(ctx, id); !errors.Is(err, credential.ErrNeedsReconnect) {
			t.Fatalf("revoked refresh token: %v", err)
		}
	})
}
