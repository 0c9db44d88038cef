package channel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// manageable loads a channel in tx for a change by v: NotFound when v may
// not see it, Forbidden when v may see but not change it.
func (s *Store) manageable(ctx context.Context, tx *db.Tx, v Viewer, id int64) (Channel, error) {
	c, err := getChannel(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if !v.canSee(c) {
		return Channel{}, errNotFound
	}
	if c.Status == Closed {
		return c, apperr.Conflictf("Kanalen är stängd och kan inte ändras")
	}
	if !v.CanManage(c) {
		return c, apperr.Forbiddenf("Bara kommunikatören och kanalens kontoansvarig kan ändra kanalen")
	}
	return c, nil
}

// communicatorOnly loads a channel in tx for a change that only a
// communicator makes.
func (s *Store) communicatorOnly(ctx context.Context, tx *db.Tx, v Viewer, id int64) (Channel, error) {
	c, err := getChannel(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if !v.canSee(c) {
		return Channel{}, errNotFound
	}
	if !v.Communicator {
		return c, apperr.Forbiddenf("Bara kommunikatören kan göra detta")
	}
	return c, nil
}

// Update changes a channel's details. Only a communicator moves a channel
// to another department. A change to what the public list shows is a
// public event in the channel list's feed while the channel is active.
func (s *Store) Update(ctx context.Context, v Viewer, id int64, d Details) error {
	now := s.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.manageable(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if d.ExternalID == "" && !c.HasExternalID() {
			d.ExternalID = c.ExternalID // still pending
		}
		if err := d.normalise(c.HasExternalID()); err != nil {
			return err
		}
		if d.DepartmentID != c.DepartmentID && !v.Communicator {
			return apperr.Forbiddenf("Bara kommunikatören kan flytta en kanal till en annan verksamhet")
		}
		if _, err := checkDepartment(ctx, tx, d.DepartmentID); err != nil {
			return err
		}
		changed := changedFields(DetailsOf(c), d)
		if len(changed) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE channels SET department_id = ?, platform = ?, external_id = ?, handle = ?, url = ?, name = ?,
			purpose = ?, audience = ?, upkeep = ?, sender_rules = ?, graphic_profile_url = ?, comment_notice = ?, retention_decision = ?, updated_at = ?
			WHERE id = ?`, d.DepartmentID, string(d.Platform), d.ExternalID, d.Handle, d.URL, d.Name,
			d.Purpose, d.Audience, d.Upkeep, d.SenderRules, d.GraphicProfileURL, d.CommentNotice, d.RetentionDecision, now, id)
		if db.IsUniqueViolation(err) {
			return duplicateError(d)
		}
		if err != nil {
			return fmt.Errorf("channel: update: %w", err)
		}
		public := false
		for _, f := range changed {
			public = public || publicFields[f]
		}
		_, err = record(ctx, tx, now, d.DepartmentID, Event{ChannelID: id, Kind: "updated", Summary: "Uppgifter ändrade: " + d.Name,
			Detail: map[string]any{"fields": changed}, Public: public && c.Status == Active})
		return err
	})
	if err != nil {
		return err
	}
	return s.identified(ctx, id)
}

// SetMembers replaces a channel's owner, deputy and editors. An active
// channel must keep an owner and an editor besides the owner.
func (s *Store) SetMembers(ctx context.Context, v Viewer, id int64, p People) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.manageable(ctx, tx, v, id)
		if err != nil {
			return err
		}
		members, err := resolvePeople(ctx, tx, p, c.Status != Requested)
		if err != nil {
			return err
		}
		if c.Status == Active {
			after := c
			after.Members = members
			if problems := peopleProblems(after); len(problems) > 0 {
				return refuse("Kanalen är aktiv och ändringen skulle bryta mot reglerna:", problems)
			}
		}
		if err := writeMembers(ctx, tx, id, members); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE channels SET updated_at = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("channel: members: %w", err)
		}
		_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: id, Kind: "members", Summary: "Personer ändrade: " + c.Name,
			Detail: map[string]any{"members": emails(members)}})
		if err != nil {
			return err
		}
		return s.checkSoon(ctx, tx, c)
	})
}

// SetPolicy sets when a channel must be watched; only a communicator does.
func (s *Store) SetPolicy(ctx context.Context, v Viewer, id int64, p calendar.Policy) error {
	for _, w := range []calendar.Window{p.Weekday, p.Weekend, p.Holiday} {
		if err := w.Validate(); err != nil {
			return err
		}
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.communicatorOnly(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if c.Status == Closed {
			return apperr.Conflictf("Kanalen är stängd och kan inte ändras")
		}
		_, err = tx.Exec(ctx, "UPDATE channels SET policy_weekday = ?, policy_weekend = ?, policy_holiday = ?, updated_at = ? WHERE id = ?",
			encodeWindow(p.Weekday), encodeWindow(p.Weekend), encodeWindow(p.Holiday), now, id)
		if err != nil {
			return fmt.Errorf("channel: policy: %w", err)
		}
		_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: id, Kind: "policy", Summary: "Bevakningstid ändrad: " + c.Name,
			Detail: map[string]any{"weekday": p.Weekday.String(), "weekend": p.Weekend.String(), "holiday": p.Holiday.String()}})
		if err != nil {
			return err
		}
		return s.checkSoon(ctx, tx, c)
	})
}

// SetChecklist saves the communicator's review checklist.
func (s *Store) SetChecklist(ctx context.Context, v Viewer, id int64, cl Checklist) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.communicatorOnly(ctx, tx, v, id)
		if err != nil {
			return err
		}
		return saveChecklist(ctx, tx, now, c, cl)
	})
}

func saveChecklist(ctx context.Context, tx *db.Tx, now time.Time, c Channel, cl Checklist) error {
	if cl == c.Checklist {
		return nil
	}
	if c.Status == Closed {
		return apperr.Conflictf("Kanalen är stängd och kan inte ändras")
	}
	_, err := tx.Exec(ctx, "UPDATE channels SET check_sender = ?, check_graphic_profile = ?, check_name_picture = ?, updated_at = ? WHERE id = ?",
		cl.Sender, cl.GraphicProfile, cl.NamePicture, now, c.ID)
	if err != nil {
		return fmt.Errorf("channel: checklist: %w", err)
	}
	_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: c.ID, Kind: "review", Summary: "Granskning: " + c.Name + " (" + checklistSummary(cl) + ")",
		Detail: map[string]any{"sender": cl.Sender, "graphic_profile": cl.GraphicProfile, "name_picture": cl.NamePicture}})
	return err
}

func checklistSummary(cl Checklist) string {
	var parts []string
	mark := func(ok bool, what string) {
		if ok {
			parts = append(parts, what+" ja")
		} else {
			parts = append(parts, what+" nej")
		}
	}
	mark(cl.Sender, "tydlig avsändare")
	mark(cl.GraphicProfile, "grafisk profil")
	mark(cl.NamePicture, "namn och bild")
	return strings.Join(parts, ", ")
}
