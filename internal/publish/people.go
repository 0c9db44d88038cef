package publish

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"tilltal/internal/channel"
)

// Publishable returns the active channels v may publish to: every one for
// a communicator, otherwise those v works on, on platforms Tilltal
// publishes to.
func (s *Service) Publishable(ctx context.Context, v channel.Viewer) ([]channel.Channel, error) {
	list, err := s.Channels.List(ctx, v, channel.Filter{Status: channel.Active})
	if err != nil {
		return nil, err
	}
	var out []channel.Channel
	for _, c := range list {
		if _, ok := RulesFor(string(c.Platform)); ok && (v.Communicator || c.IsMember(v.UserID)) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Person is someone who may approve posts.
type Person struct {
	ID   int64
	Name string
	// Why says in what capacity: "Kommunikatör", "Kontoansvarig för X".
	Why string
}

// Approvers lists who may be chosen to approve posts to channels: the
// communicators and the channels' owners and deputies, never v.
func (s *Service) Approvers(ctx context.Context, v channel.Viewer, channels []channel.Channel) ([]Person, error) {
	rows, err := s.DB.Query(ctx, `SELECT u.id, u.name FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'communicator' AND u.active ORDER BY u.name, u.id`)
	if err != nil {
		return nil, fmt.Errorf("publish: approvers: %w", err)
	}
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return nil, err
		}
		p.Why = "Kommunikatör"
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	why := map[int64][]string{}
	names := map[int64]string{}
	for _, c := range channels {
		for _, m := range c.Members {
			if (m.Role == channel.RoleOwner || m.Role == channel.RoleDeputy) && m.Active {
				why[m.UserID] = append(why[m.UserID], c.Name)
				names[m.UserID] = m.Name
			}
		}
	}
	for id, chans := range why {
		if !slices.ContainsFunc(out, func(p Person) bool { return p.ID == id }) {
			out = append(out, Person{ID: id, Name: names[id], Why: "Kontoansvarig för " + strings.Join(chans, ", ")})
		}
	}
	out = slices.DeleteFunc(out, func(p Person) bool { return p.ID == v.UserID })
	slices.SortStableFunc(out, func(a, b Person) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
