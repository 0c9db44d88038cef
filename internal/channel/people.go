package channel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// People names a channel's owner, deputy and editors by e-mail address.
type People struct {
	Owner   string
	Deputy  string
	Editors []string
}

// PeopleOf returns c's people, to change and pass to SetMembers.
func PeopleOf(c Channel) People {
	var p People
	if o, ok := c.Owner(); ok {
		p.Owner = o.Email
	}
	if d, ok := c.Deputy(); ok {
		p.Deputy = d.Email
	}
	for _, e := range c.Editors() {
		p.Editors = append(p.Editors, e.Email)
	}
	return p
}

// maxEditors bounds a channel's editors: more is a mistake, not a team.
const maxEditors = 50

// resolvePeople looks the people up by e-mail in tx and returns them as
// members. Everyone named must have an active account.
func resolvePeople(ctx context.Context, tx *db.Tx, p People, requireOwner bool) ([]Member, error) {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	owner, deputy := norm(p.Owner), norm(p.Deputy)
	if owner == "" && requireOwner {
		return nil, apperr.Invalidf("Ange kanalens kontoansvarig")
	}
	if owner != "" && owner == deputy {
		return nil, apperr.Invalidf("Kontoansvarig och ersättare måste vara olika personer")
	}
	var out []Member
	add := func(email string, role MemberRole) error {
		if email == "" {
			return nil
		}
		m, err := lookupUser(ctx, tx, email, role)
		if err != nil {
			return err
		}
		m.Role = role
		out = append(out, m)
		return nil
	}
	if err := add(owner, RoleOwner); err != nil {
		return nil, err
	}
	if err := add(deputy, RoleDeputy); err != nil {
		return nil, err
	}
	var editors []string
	for _, e := range p.Editors {
		if e = norm(e); e != "" && !slices.Contains(editors, e) {
			editors = append(editors, e)
		}
	}
	if len(editors) > maxEditors {
		return nil, apperr.Invalidf("En kanal kan ha högst %d redaktörer", maxEditors)
	}
	for _, e := range editors {
		if err := add(e, RoleEditor); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func lookupUser(ctx context.Context, tx *db.Tx, email string, role MemberRole) (Member, error) {
	m := Member{Email: email}
	err := tx.QueryRow(ctx, `SELECT id, name, active,
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'owner'),
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'editor')
		FROM users WHERE email = ?`, email).Scan(&m.UserID, &m.Name, &m.Active, &m.HasOwnerRole, &m.HasEditorRole)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.Invalidf("Det finns ingen användare med e-postadressen %s. %s måste ha ett konto i Tilltal.", email, role.Label())
	}
	if err != nil {
		return m, fmt.Errorf("channel: look up %s: %w", role, err)
	}
	if !m.Active {
		return m, apperr.Invalidf("%s (%s) har inget aktivt konto och kan inte vara %s", m.Name, email, strings.ToLower(role.Label()))
	}
	return m, nil
}

// writeMembers replaces a channel's people. Rota entries of people no
// longer on the channel go with them: they no longer watch it.
func writeMembers(ctx context.Context, tx *db.Tx, channelID int64, members []Member) error {
	if _, err := tx.Exec(ctx, "DELETE FROM channel_members WHERE channel_id = ?", channelID); err != nil {
		return fmt.Errorf("channel: members: %w", err)
	}
	var ids []any
	for _, m := range members {
		if _, err := tx.Exec(ctx, "INSERT INTO channel_members (channel_id, user_id, role) VALUES (?, ?, ?)", channelID, m.UserID, string(m.Role)); err != nil {
			return fmt.Errorf("channel: members: %w", err)
		}
		ids = append(ids, m.UserID)
	}
	for _, table := range []string{"channel_rota_shifts", "channel_rota_absences", "channel_rota_extra"} {
		q := "DELETE FROM " + table + " WHERE channel_id = ?"
		args := []any{channelID}
		if len(ids) > 0 {
			q += " AND user_id NOT IN (" + db.Placeholders(len(ids)) + ")"
			args = append(args, ids...)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("channel: members: %w", err)
		}
	}
	return nil
}

// emails lists members' addresses for the history.
func emails(ms []Member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, string(m.Role)+":"+m.Email)
	}
	return out
}
