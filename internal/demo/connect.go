package demo

import (
	"context"
	"fmt"

	"tilltal/internal/audit"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/platform"
	"tilltal/internal/platform/sim"
)

// Connectors are the demo's platforms: one simulated platform per real one,
// each producing Swedish traffic on every demo channel of its kind.
func Connectors(seed uint64) map[platform.Name]platform.Connector {
	out := map[platform.Name]platform.Connector{}
	for i, name := range []platform.Name{platform.Facebook, platform.Instagram, platform.LinkedIn, platform.YouTube} {
		out[name] = sim.New(sim.Config{Platform: name, Seed: seed + uint64(i)})
	}
	return out
}

// Connect gives every channel that is not yet connected a demo token, so
// that the back-fill job polls the simulated platform for it.
func Connect(ctx context.Context, d *db.DB, creds *credential.Store) (int, error) {
	ctx = audit.WithActor(ctx, audit.System("demo"))
	rows, err := d.Query(ctx, `SELECT c.id, c.external_id FROM channels c LEFT JOIN channel_credentials k ON k.channel_id = c.id
		WHERE k.channel_id IS NULL AND c.platform IN ('facebook', 'instagram', 'linkedin', 'youtube') ORDER BY c.id`)
	if err != nil {
		return 0, fmt.Errorf("demo: connect: %w", err)
	}
	type ch struct {
		id      int64
		account string
	}
	var list []ch
	for rows.Next() {
		var c ch
		if err := rows.Scan(&c.id, &c.account); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, c)
	}
	rows.Close()
	for _, c := range list {
		if err := creds.Connect(ctx, c.id, platform.Credentials{AccountID: c.account, AccessToken: fmt.Sprintf("demo-token-%d", c.id)}); err != nil {
			return 0, fmt.Errorf("demo: connect channel %d: %w", c.id, err)
		}
	}
	return len(list), nil
}
