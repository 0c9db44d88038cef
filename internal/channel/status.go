package channel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/db"
)

// transitions are the status changes the registry allows. Going back from
// review to requested is sending a request back with a reason; closed is
// final, and a closed channel's records stay.
var transitions = map[Status][]Status{
	Requested:   {UnderReview, Closed},
	UnderReview: {Active, Requested, Closed},
	Active:      {Paused, Closed},
	Paused:      {Active, Closed},
}

// Next returns the statuses a channel in st may move to.
func Next(st Status) []Status { return slices.Clone(transitions[st]) }

// Change is a status change with its reason; with Checklist set, the review
// checklist is saved in the same transaction first.
type Change struct {
	To        Status
	Reason    string
	Checklist *Checklist
}

// Transition moves a channel to another status; only communicators do.
// Becoming active is refused, with every rule broken, unless the review
// checklist is complete and Problems is empty.
func (s *Store) Transition(ctx context.Context, v Viewer, id int64, ch Change) error {
	if err := checkText("Motiveringen", ch.Reason, 2000); err != nil {
		return err
	}
	ch.Reason = strings.TrimSpace(ch.Reason)
	var step CloseStep
	if ch.To == Closed && s.BeforeClose != nil {
		var err error
		if step, err = s.prepareClose(ctx, v, id); err != nil {
			return err
		}
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if ch.To == Closed && s.BeforeClose != nil {
			// The snapshot before closing is appended to the archive;
			// the archive's lock comes before the channel's row, as in
			// every append.
			if err := archive.LockTx(ctx, tx); err != nil {
				return err
			}
		}
		c, err := s.communicatorOnly(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if ch.Checklist != nil {
			if err := saveChecklist(ctx, tx, now, c, *ch.Checklist); err != nil {
				return err
			}
			c.Checklist = *ch.Checklist
		}
		if ch.To == "" {
			return nil
		}
		if err := allowed(c, ch); err != nil {
			return err
		}
		if ch.To == Active {
			r, err := loadRota(ctx, tx, id)
			if err != nil {
				return err
			}
			if problems := append(reviewProblems(c.Checklist), activationProblems(c, r, now)...); len(problems) > 0 {
				return refuse("Kanalen kan inte bli aktiv:", problems)
			}
		}
		if ch.To == Closed && inUse(c) && s.BeforeClose != nil {
			if step == nil {
				// The channel came into use after prepareClose read it.
				return apperr.Conflictf("Kanalen ändrades medan den stängdes. Försök igen.")
			}
			if err := step(ctx, tx); err != nil {
				return closeRefused(err)
			}
		}
		return s.moveTx(ctx, tx, now, c, ch)
	})
}

// inUse says whether closing c needs a snapshot first.
func inUse(c Channel) bool { return c.Status == Active || c.Status == Paused }

// prepareClose runs BeforeClose, before the closing transaction, for a
// channel in use that v may close; for any other the transaction refuses
// the close or needs no snapshot, and it returns no step. What it prepares
// shows the channel a moment before it closes; items that arrive in
// between are archived as records of their own, as every item is.
func (s *Store) prepareClose(ctx context.Context, v Viewer, id int64) (CloseStep, error) {
	c, err := getChannel(ctx, s.DB, id)
	if err != nil && apperr.KindOf(err) == apperr.Internal {
		return nil, err
	}
	if err != nil || !v.canSee(c) || !v.Communicator || !inUse(c) {
		// The transaction reads the channel again and says what is wrong.
		return nil, nil
	}
	step, err := s.BeforeClose(ctx, c.ID)
	if err != nil {
		return nil, closeRefused(err)
	}
	return step, nil
}

// closeRefused says why a channel stays open when its snapshot failed.
func closeRefused(err error) error {
	if apperr.KindOf(err) != apperr.Internal {
		return err
	}
	return &apperr.Error{Kind: apperr.Unavailable, Err: err,
		Message: "Kanalen stängdes inte: ögonblicksbilden som ska tas före stängningen kunde inte skapas. Försök igen om en stund."}
}

// allowed checks that the change is one the registry allows.
func allowed(c Channel, ch Change) error {
	if _, err := ParseStatus(string(ch.To)); err != nil {
		return err
	}
	if ch.To == c.Status {
		return apperr.Conflictf("Kanalen har redan status %s", strings.ToLower(c.Status.Label()))
	}
	if c.Status == Requested && ch.To == Active {
		return apperr.Conflictf("Kanalen måste granskas innan den kan bli aktiv")
	}
	if !slices.Contains(transitions[c.Status], ch.To) {
		return apperr.Conflictf("Kanalen kan inte gå från %s till %s", strings.ToLower(c.Status.Label()), strings.ToLower(ch.To.Label()))
	}
	if ch.To == Requested && ch.Reason == "" {
		return apperr.Invalidf("Skriv varför begäran skickas tillbaka, så att den som begärde kanalen vet vad som ska rättas")
	}
	return nil
}

func (s *Store) moveTx(ctx context.Context, tx *db.Tx, now time.Time, c Channel, ch Change) error {
	q := "UPDATE channels SET status = ?, status_reason = ?, updated_at = ?"
	args := []any{string(ch.To), ch.Reason, now}
	switch ch.To {
	case Active:
		q += ", activated_at = ?, closed_at = NULL"
		args = append(args, now)
	case Closed:
		q += ", closed_at = ?"
		args = append(args, now)
	}
	if _, err := tx.Exec(ctx, q+" WHERE id = ?", append(args, c.ID)...); err != nil {
		return fmt.Errorf("channel: status: %w", err)
	}
	summary := fmt.Sprintf("%s: %s → %s", c.Name, c.Status.Label(), ch.To.Label())
	if ch.Reason != "" {
		summary += " (" + ch.Reason + ")"
	}
	eventID, err := record(ctx, tx, now, c.DepartmentID, Event{ChannelID: c.ID, Kind: "status", FromStatus: c.Status, ToStatus: ch.To,
		Summary: summary, Detail: map[string]any{"reason": ch.Reason}, Public: ch.To == Active || c.Status == Active})
	if err != nil {
		return err
	}
	return s.announce(ctx, tx, c, ch, fmt.Sprintf("channel:%d:event:%d", c.ID, eventID))
}

// announce tells the people concerned about a status change.
func (s *Store) announce(ctx context.Context, tx *db.Tx, c Channel, ch Change, dedupe string) error {
	reason := ""
	if ch.Reason != "" {
		reason = "\n\nMotivering: " + ch.Reason
	}
	who := append(managers(c), c.RequestedBy)
	var subject, body string
	switch ch.To {
	case UnderReview:
		who = []int64{c.RequestedBy}
		subject, body = "Kanalen granskas: "+c.Name, "Kommunikatören granskar nu begäran om kanalen "+c.Name+"."
	case Requested:
		subject, body = "Begäran skickad tillbaka: "+c.Name, "Begäran om kanalen "+c.Name+" har skickats tillbaka för komplettering."+reason
	case Active:
		subject, body = "Kanalen är aktiv: "+c.Name, "Kanalen "+c.Name+" är godkänd och finns nu i kommunens kanalförteckning."
	case Paused:
		subject, body = "Kanalen är pausad: "+c.Name, "Kanalen "+c.Name+" är pausad och visas inte i kanalförteckningen."+reason
	case Closed:
		subject, body = "Kanalen är stängd: "+c.Name, "Kanalen "+c.Name+" är stängd och borttagen ur kanalförteckningen. Det som skrivits i kanalen finns kvar som allmän handling."+reason
	}
	return s.notifyUsers(ctx, tx, c.ID, who, subject, body, dedupe)
}
