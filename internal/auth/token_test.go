package auth

import (
	"context"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/org"
)

// A token's last use is recorded to the minute: repeated calls within a
// minute do not write, a call after it does, and a revoked token stops.
func TestBearerRecordsUseToTheMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		o := &org.Store{DB: d, Now: clock}
		u, err := o.CreateUser(ctx, org.NewUser{Email: "r@exempelby.se", Name: "R", Roles: []org.Role{org.Editor}})
		if err != nil {
			t.Fatal(err)
		}
		s := &Service{DB: d, Org: o, Now: clock}
		plain, tok, err := s.CreateToken(ctx, u.ID, "skript")
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			ts, err := s.Tokens(ctx, u.ID)
			if err != nil || len(ts) != 1 || ts[0].LastUsedAt == nil {
				t.Fatalf("tokens: %v %+v", err, ts)
			}
			return ts[0].LastUsedAt.UTC()
		}
		use := func() {
			t.Helper()
			if p, _, err := s.Bearer(ctx, plain); err != nil || p.User.ID != u.ID {
				t.Fatalf("bearer: %v", err)
			}
		}
		use()
		if got := lastUsed(); !got.Equal(now) {
			t.Fatalf("first use recorded %v, want %v", got, now)
		}
		first := now
		now = now.Add(30 * time.Second)
		use()
		if got := lastUsed(); !got.Equal(first) {
			t.Fatalf("a use within the minute wrote %v", got)
		}
		now = now.Add(31 * time.Second)
		use()
		if got := lastUsed(); !got.Equal(now) {
			t.Fatalf("a use after the minute recorded %v, want %v", got, now)
		}
		if err := s.RevokeToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Bearer(ctx, plain); err != ErrBadToken {
			t.Fatalf("revoked token: %v", err)
		}
	})
}
