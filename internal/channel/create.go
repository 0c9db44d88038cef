package channel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// NewChannel is what it takes to add a channel: its details, its people
// and, optionally, its rota.
type NewChannel struct {
	Details
	People
	Rota Rota
}

// Request records a department's request for a new account and notifies
// the communicators. Anyone signed in may ask; the platform id may be left
// out while the account does not exist yet, but an owner with an account
// must be named.
func (s *Store) Request(ctx context.Context, v Viewer, n NewChannel) (Channel, error) {
	if v.UserID == 0 && !v.Communicator {
		return Channel{}, apperr.ErrUnauthorized
	}
	return s.create(ctx, v, n, true)
}

// Create adds a channel to the registry as a communicator or a script does:
// the platform id is required, nobody is notified. The channel starts as
// requested and goes live through review like every other.
func (s *Store) Create(ctx context.Context, v Viewer, n NewChannel) (Channel, error) {
	if !v.Communicator {
		return Channel{}, apperr.Forbiddenf("Bara kommunikatören kan lägga till kanaler direkt; begär en ny kanal i stället")
	}
	return s.create(ctx, v, n, false)
}

func (s *Store) create(ctx context.Context, v Viewer, n NewChannel, request bool) (Channel, error) {
	if err := n.Details.normalise(!request); err != nil {
		return Channel{}, err
	}
	now := s.Now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		dept, err := checkDepartment(ctx, tx, n.DepartmentID)
		if err != nil {
			return err
		}
		if n.CommentNotice == "" {
			n.CommentNotice = DefaultCommentNotice(municipalityName(ctx, tx), dept)
		}
		members, err := resolvePeople(ctx, tx, n.People, request)
		if err != nil {
			return err
		}
		rota, err := n.Rota.resolve(members)
		if err != nil {
			return err
		}
		id, err = insertChannel(ctx, tx, n.Details, v.UserID, now)
		if err != nil {
			return err
		}
		if err := writeMembers(ctx, tx, id, members); err != nil {
			return err
		}
		if err := writeRota(ctx, tx, id, rota); err != nil {
			return err
		}
		kind, summary := "created", "Kanal tillagd i registret: "+n.Name
		if request {
			kind, summary = "requested", "Ny kanal begärd: "+n.Name
		}
		_, err = record(ctx, tx, now, n.DepartmentID, Event{ChannelID: id, Kind: kind, ToStatus: Requested, Summary: summary,
			Detail: map[string]any{"platform": n.Platform, "external_id": n.ExternalID, "members": emails(members)}})
		if err != nil || !request {
			return err
		}
		return s.notifyCommunicators(ctx, tx, id, "Ny kanal begärd: "+n.Name,
			fmt.Sprintf("%s har begärt en ny kanal på %s för %s.\n\nSyfte: %s\n\nGranska begäran i Tilltal.", requesterName(ctx, tx, v.UserID), n.Platform.Label(), dept, n.Purpose),
			fmt.Sprintf("channel:%d:requested", id))
	})
	if err != nil {
		return Channel{}, err
	}
	if err := s.identified(ctx, id); err != nil {
		return Channel{}, err
	}
	return s.Get(ctx, System, id)
}

func insertChannel(ctx context.Context, tx *db.Tx, d Details, requestedBy int64, now time.Time) (int64, error) {
	var by any
	if requestedBy != 0 {
		by = requestedBy
	}
	id, err := tx.InsertID(ctx, `INSERT INTO channels (department_id, platform, external_id, handle, url, name, purpose, audience, upkeep,
		sender_rules, graphic_profile_url, comment_notice, retention_decision, status, requested_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.DepartmentID, string(d.Platform), d.ExternalID, d.Handle, d.URL, d.Name, d.Purpose, d.Audience, d.Upkeep,
		d.SenderRules, d.GraphicProfileURL, d.CommentNotice, d.RetentionDecision, string(Requested), by, now, now)
	if db.IsUniqueViolation(err) {
		return 0, duplicateError(d)
	}
	if err != nil {
		return 0, fmt.Errorf("channel: create: %w", err)
	}
	return id, nil
}

func municipalityName(ctx context.Context, tx *db.Tx) string {
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM municipality WHERE id = 1").Scan(&name); err != nil {
		return "Kommunen"
	}
	return name
}

func requesterName(ctx context.Context, tx *db.Tx, userID int64) string {
	var name string
	err := tx.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return "Någon"
	}
	return name
}

// DefaultCommentNotice is the notice a comment field must show its users
// (lagen om ansvar för elektroniska anslagstavlor, and the public records
// rules), filled in for a new channel so that nobody starts from nothing.
func DefaultCommentNotice(municipality, department string) string {
	return fmt.Sprintf("Den här kanalen drivs av %s, %s. Det du skriver här kan läsas av alla och blir en allmän handling som sparas hos kommunen. "+
		"Skriv inte personuppgifter om dig själv eller andra. Inlägg som är brottsliga, kränkande, reklam eller inte hör till ämnet tas bort. "+
		"Vill du ha svar i ett ärende som rör dig, kontakta kommunen direkt.", municipality, department)
}
