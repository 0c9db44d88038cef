package auth

import (
	"slices"

	"tilltal/internal/org"
)

// Principal is a signed-in person (through a session or an API token) and
// what they may see.
type Principal struct {
	User org.User
	// ChannelDepartments are the departments of the channels the person
	// owns or edits.
	ChannelDepartments []int64
	// Via says how the person authenticated: "session" or "token".
	Via string
	// SessionCSRF is the session's CSRF token; empty for API tokens.
	SessionCSRF string
}

// Has reports whether the person holds role.
func (p *Principal) Has(r org.Role) bool { return p != nil && p.User.Has(r) }

// HasAny reports whether the person holds any of roles.
func (p *Principal) HasAny(roles ...org.Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// SeesAll reports whether the person's roles reach across the whole
// municipality: communicators run it, registrars keep all its records, and
// legal works every incident.
func (p *Principal) SeesAll() bool {
	return p.HasAny(org.Communicator, org.Registrar, org.Legal)
}

// VisibleDepartments returns the departments the person may see, nil when
// they may see all. Owners and editors see the departments of their channels
// and those they belong to; department contacts see their own departments.
func (p *Principal) VisibleDepartments() []int64 {
	if p.SeesAll() {
		return nil
	}
	out := []int64{}
	add := func(ids []int64) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	if p.HasAny(org.Owner, org.Editor, org.DeptContact) {
		add(p.User.Departments)
	}
	if p.HasAny(org.Owner, org.Editor) {
		add(p.ChannelDepartments)
	}
	slices.Sort(out)
	return out
}

// CanSeeDepartment reports whether the person may see a department's data.
func (p *Principal) CanSeeDepartment(id int64) bool {
	if p.SeesAll() {
		return true
	}
	return slices.Contains(p.VisibleDepartments(), id)
}

// CanSeeChannel reports whether the person may see a channel's data: all
// channels for those who see all, their own channels for owners and editors.
// Department contacts see escalations, not channels.
func (p *Principal) CanSeeChannel(channelID int64) bool {
	if p.SeesAll() {
		return true
	}
	return p.HasAny(org.Owner, org.Editor) && slices.Contains(p.User.Channels, channelID)
}

// VisibleChannels returns the channels the person may see, nil when all.
func (p *Principal) VisibleChannels() []int64 {
	if p.SeesAll() {
		return nil
	}
	if !p.HasAny(org.Owner, org.Editor) {
		return []int64{}
	}
	return slices.Clone(p.User.Channels)
}
