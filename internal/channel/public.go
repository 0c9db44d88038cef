package channel

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// PublicChannel is what the public list shows of an active channel: only
// what the municipality publishes about it, nothing about its people.
type PublicChannel struct {
	ID             int64
	Name           string
	Platform       Platform
	Handle         string
	URL            string
	Purpose        string
	DepartmentID   int64
	DepartmentName string
	DepartmentCode string
	ActivatedAt    time.Time
	UpdatedAt      time.Time
}

// PublicList returns every active channel, by department, platform and name.
func (s *Store) PublicList(ctx context.Context) ([]PublicChannel, error) {
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.name, c.platform, c.handle, c.url, c.purpose, c.department_id, d.name, d.code,
		c.activated_at, c.created_at, c.updated_at
		FROM channels c JOIN departments d ON d.id = c.department_id
		WHERE c.status = ? ORDER BY d.name, c.name, c.id`, string(Active))
	if err != nil {
		return nil, fmt.Errorf("channel: public list: %w", err)
	}
	defer rows.Close()
	var out []PublicChannel
	for rows.Next() {
		var p PublicChannel
		var activated sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.Platform, &p.Handle, &p.URL, &p.Purpose, &p.DepartmentID, &p.DepartmentName, &p.DepartmentCode,
			&activated, &p.ActivatedAt, &p.UpdatedAt); err != nil {
			return nil, fmt.Errorf("channel: public list: %w", err)
		}
		if activated.Valid {
			p.ActivatedAt = activated.Time
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DepartmentGroup is one department's channels on the public list.
type DepartmentGroup struct {
	ID        int64
	Name      string
	Code      string
	Platforms []PlatformGroup
}

// PlatformGroup is one department's channels on one platform.
type PlatformGroup struct {
	Platform Platform
	Channels []PublicChannel
}

// Group arranges a public list by department (in the list's order) and
// platform (in Platforms order).
func Group(list []PublicChannel) []DepartmentGroup {
	var out []DepartmentGroup
	for _, c := range list {
		i := slices.IndexFunc(out, func(g DepartmentGroup) bool { return g.ID == c.DepartmentID })
		if i < 0 {
			out = append(out, DepartmentGroup{ID: c.DepartmentID, Name: c.DepartmentName, Code: c.DepartmentCode})
			i = len(out) - 1
		}
		g := &out[i]
		j := slices.IndexFunc(g.Platforms, func(p PlatformGroup) bool { return p.Platform == c.Platform })
		if j < 0 {
			g.Platforms = append(g.Platforms, PlatformGroup{Platform: c.Platform})
			j = len(g.Platforms) - 1
		}
		g.Platforms[j].Channels = append(g.Platforms[j].Channels, c)
	}
	for i := range out {
		slices.SortStableFunc(out[i].Platforms, func(a, b PlatformGroup) int {
			return slices.Index(Platforms, a.Platform) - slices.Index(Platforms, b.Platform)
		})
	}
	return out
}

// PublicChange is a change to the public list, for its feed.
type PublicChange struct {
	EventID int64
	At      time.Time
	// What is "added", "changed" or "removed".
	What    string
	Channel PublicChannel
}

// Title says the change in Swedish for a feed reader.
func (p PublicChange) Title() string {
	switch p.What {
	case "added":
		return "Ny kanal: " + p.Channel.Name
	case "removed":
		return "Kanal borttagen: " + p.Channel.Name
	}
	return "Kanal ändrad: " + p.Channel.Name
}

// PublicChanges returns the newest changes to the public list first: what
// was added, changed or taken off, never why or by whom.
func (s *Store) PublicChanges(ctx context.Context, limit int) ([]PublicChange, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.DB.Query(ctx, fmt.Sprintf(`SELECT e.id, e.at, e.kind, e.to_status, c.id, c.name, c.platform, c.handle, c.url, c.purpose,
		c.department_id, d.name, d.code, c.activated_at, c.created_at, c.updated_at
		FROM channel_events e JOIN channels c ON c.id = e.channel_id JOIN departments d ON d.id = c.department_id
		WHERE e.public ORDER BY e.id DESC LIMIT %d`, limit))
	if err != nil {
		return nil, fmt.Errorf("channel: public changes: %w", err)
	}
	defer rows.Close()
	var out []PublicChange
	for rows.Next() {
		var p PublicChange
		var kind string
		var to Status
		var activated sql.NullTime
		ch := &p.Channel
		if err := rows.Scan(&p.EventID, &p.At, &kind, &to, &ch.ID, &ch.Name, &ch.Platform, &ch.Handle, &ch.URL, &ch.Purpose,
			&ch.DepartmentID, &ch.DepartmentName, &ch.DepartmentCode, &activated, &ch.ActivatedAt, &ch.UpdatedAt); err != nil {
			return nil, fmt.Errorf("channel: public changes: %w", err)
		}
		if activated.Valid {
			ch.ActivatedAt = activated.Time
		}
		switch {
		case kind == "status" && to == Active:
			p.What = "added"
		case kind == "status":
			p.What = "removed"
		default:
			p.What = "changed"
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
