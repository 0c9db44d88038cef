// Package channel is the channel registry (kanalförteckning): every official
// social media account of the municipality with its department, owner,
// deputy and editors, sender rules, graphic profile, comment-field notice
// and retention decision; its status from request to closing, with the
// history of every change; its on-call rota and the coverage policy the
// rota must meet; the rules that keep a channel from going live without
// an owner, an editor and a rota without gaps; the alerts sent ahead of
// time when a gap appears; and the public list for the website.
package channel

import (
	"slices"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
)

// Platform is where a channel lives.
type Platform string

// The platforms. Other is for platforms without a connector yet.
const (
	Facebook  Platform = "facebook"
	Instagram Platform = "instagram"
	LinkedIn  Platform = "linkedin"
	YouTube   Platform = "youtube"
	Other     Platform = "other"
)

// Platforms lists every platform in the order lists show them.
var Platforms = []Platform{Facebook, Instagram, LinkedIn, YouTube, Other}

// ParsePlatform checks a platform name.
func ParsePlatform(s string) (Platform, error) {
	p := Platform(s)
	if slices.Contains(Platforms, p) {
		return p, nil
	}
	return "", apperr.Invalidf("Okänd plattform %q (giltiga: facebook, instagram, linkedin, youtube, other)", s)
}

// Label returns the platform's name as people write it.
func (p Platform) Label() string {
	switch p {
	case Facebook:
		return "Facebook"
	case Instagram:
		return "Instagram"
	case LinkedIn:
		return "LinkedIn"
	case YouTube:
		return "YouTube"
	}
	return "Annan plattform"
}

// Status is where a channel is in its life.
type Status string

// The statuses, in the order a channel passes through them.
const (
	Requested   Status = "requested"
	UnderReview Status = "under_review"
	Active      Status = "active"
	Paused      Status = "paused"
	Closed      Status = "closed"
)

// Statuses lists every status in life order.
var Statuses = []Status{Requested, UnderReview, Active, Paused, Closed}

// ParseStatus checks a status name.
func ParseStatus(s string) (Status, error) {
	st := Status(s)
	if slices.Contains(Statuses, st) {
		return st, nil
	}
	return "", apperr.Invalidf("Okänd status %q (giltiga: requested, under_review, active, paused, closed)", s)
}

// Label returns the status in Swedish.
func (s Status) Label() string {
	switch s {
	case Requested:
		return "Begärd"
	case UnderReview:
		return "Granskas"
	case Active:
		return "Aktiv"
	case Paused:
		return "Pausad"
	case Closed:
		return "Stängd"
	}
	return string(s)
}

// LabelEN returns the status in English.
func (s Status) LabelEN() string {
	switch s {
	case Requested:
		return "Requested"
	case UnderReview:
		return "Under review"
	case Active:
		return "Active"
	case Paused:
		return "Paused"
	case Closed:
		return "Closed"
	}
	return string(s)
}

// MemberRole is what a person does for one channel.
type MemberRole string

// The channel roles.
const (
	RoleOwner  MemberRole = "owner"
	RoleDeputy MemberRole = "deputy"
	RoleEditor MemberRole = "editor"
)

// Label returns the channel role in Swedish.
func (r MemberRole) Label() string {
	switch r {
	case RoleOwner:
		return "Kontoansvarig"
	case RoleDeputy:
		return "Ersättare för kontoansvarig"
	case RoleEditor:
		return "Redaktör"
	}
	return string(r)
}

// Member is a person with a role for a channel.
type Member struct {
	UserID int64
	Name   string
	Email  string
	Role   MemberRole
	// Active is false for a deactivated account: the person has left.
	Active bool
	// HasOwnerRole and HasEditorRole say whether the person holds the
	// organisation roles that let them work as owner or editor at all.
	HasOwnerRole  bool
	HasEditorRole bool
}

// Checklist is the communicator's review of a channel before approval.
// Whether owner and rota are in place is computed, not ticked.
type Checklist struct {
	// Sender: it is clear that the municipality speaks (name, about text,
	// sender rules for replies).
	Sender bool
	// GraphicProfile: the channel follows the municipality's graphic profile.
	GraphicProfile bool
	// NamePicture: name and profile picture follow the naming rules.
	NamePicture bool
}

// Complete reports whether every item is ticked.
func (c Checklist) Complete() bool { return c.Sender && c.GraphicProfile && c.NamePicture }

// Channel is one official account in the registry.
type Channel struct {
	ID             int64
	DepartmentID   int64
	DepartmentName string
	DepartmentCode string
	Platform       Platform
	// ExternalID is the platform's own id (page id, account id, channel id).
	ExternalID string
	// Handle is the name people see and type (@exempelby).
	Handle string
	// URL is the channel's public address.
	URL  string
	Name string
	// Purpose says what the channel is for; it is shown on the public list.
	Purpose  string
	Audience string
	// Upkeep says how the channel will be kept up (how often, by whom).
	Upkeep string
	// SenderRules say how replies are signed.
	SenderRules       string
	GraphicProfileURL string
	// CommentNotice is what the comment field must tell its users: who
	// runs it, who can see posts, that what is written becomes a public
	// record, and what will be removed.
	CommentNotice string
	// RetentionDecision names the retention decision (gallringsbeslut)
	// that applies to the channel's records.
	RetentionDecision string
	Status            Status
	// StatusReason is why the channel was last sent back, paused or closed.
	StatusReason string
	Policy       calendar.Policy
	Checklist    Checklist
	// RequestedBy is who asked for the channel, 0 when unknown.
	RequestedBy int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ActivatedAt *time.Time
	ClosedAt    *time.Time
	Members     []Member
}

// Owner returns the channel's owner, if any.
func (c Channel) Owner() (Member, bool) { return c.member(RoleOwner) }

// OwnerName returns the owner's name, "" when there is none; for lists.
func (c Channel) OwnerName() string {
	o, _ := c.Owner()
	return o.Name
}

// Deputy returns the channel's deputy owner, if any.
func (c Channel) Deputy() (Member, bool) { return c.member(RoleDeputy) }

func (c Channel) member(r MemberRole) (Member, bool) {
	for _, m := range c.Members {
		if m.Role == r {
			return m, true
		}
	}
	return Member{}, false
}

// Editors returns the channel's editors.
func (c Channel) Editors() []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Role == RoleEditor {
			out = append(out, m)
		}
	}
	return out
}

// People returns each member once, owner first; a person with several
// roles is listed under the first.
func (c Channel) People() []Member {
	var out []Member
	for _, r := range []MemberRole{RoleOwner, RoleDeputy, RoleEditor} {
		for _, m := range c.Members {
			if m.Role == r && !slices.ContainsFunc(out, func(o Member) bool { return o.UserID == m.UserID }) {
				out = append(out, m)
			}
		}
	}
	return out
}

// IsMember reports whether the person has any role for the channel.
func (c Channel) IsMember(userID int64) bool {
	return slices.ContainsFunc(c.Members, func(m Member) bool { return m.UserID == userID })
}

// isManager reports whether the person is the channel's owner or deputy.
func (c Channel) isManager(userID int64) bool {
	return slices.ContainsFunc(c.Members, func(m Member) bool {
		return m.UserID == userID && (m.Role == RoleOwner || m.Role == RoleDeputy)
	})
}

// Viewer is who asks: what they may see and change in the registry. The web
// and API layers build it from the signed-in person.
type Viewer struct {
	UserID int64
	// All is true for those who see every channel (communicators,
	// registrars, legal).
	All bool
	// Communicator is true for those who run the registry: they create,
	// review, approve, pause and close channels and set coverage policies.
	Communicator bool
}

// System is the viewer for work Tilltal does itself (jobs, scripts, seeding).
var System = Viewer{All: true, Communicator: true}

// canSee reports whether v may see c: everything for All, otherwise the
// channels the person works on or asked for.
func (v Viewer) canSee(c Channel) bool {
	return v.All || c.IsMember(v.UserID) || (v.UserID != 0 && c.RequestedBy == v.UserID)
}

// CanManage reports whether v may change c's details, people and rota: a
// communicator, the channel's owner or deputy, and, until review starts,
// whoever asked for it, so that they can complete their request.
func (v Viewer) CanManage(c Channel) bool {
	if c.Status == Closed {
		return false
	}
	return v.Communicator || c.isManager(v.UserID) || (c.Status == Requested && v.UserID != 0 && c.RequestedBy == v.UserID)
}
