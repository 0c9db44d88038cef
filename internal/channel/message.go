package channel

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/org"
)

// link is where a person acts on a channel in Tilltal.
func (s *Store) link(id int64) string {
	return strings.TrimRight(s.BaseURL, "/") + "/admin/kanaler/" + itoa(id)
}

// notifyCommunicators tells every communicator, once per dedupe key.
func (s *Store) notifyCommunicators(ctx context.Context, tx *db.Tx, channelID int64, subject, body, dedupe string) error {
	if s.Outbox == nil {
		return nil
	}
	err := s.Outbox.ToRoleTx(ctx, tx, org.Communicator, notify.Message{Subject: subject, Body: body, Link: s.link(channelID), DedupeKey: dedupe})
	if err != nil {
		return fmt.Errorf("channel: notify communicators: %w", err)
	}
	return nil
}

// notifyUsers tells each person once; the dedupe key is made per person
// the way the outbox does for roles, so that a person who is both owner
// and communicator gets one message.
func (s *Store) notifyUsers(ctx context.Context, tx *db.Tx, channelID int64, users []int64, subject, body, dedupe string) error {
	if s.Outbox == nil {
		return nil
	}
	var done []int64
	for _, u := range users {
		if u == 0 || slices.Contains(done, u) {
			continue
		}
		done = append(done, u)
		m := notify.Message{UserID: u, Subject: subject, Body: body, Link: s.link(channelID)}
		if dedupe != "" {
			m.DedupeKey = fmt.Sprintf("%s:user:%d", dedupe, u)
		}
		if _, err := s.Outbox.EnqueueTx(ctx, tx, m); err != nil {
			return fmt.Errorf("channel: notify: %w", err)
		}
	}
	return nil
}

// managers returns the ids of the channel's owner and deputy.
func managers(c Channel) []int64 {
	var out []int64
	for _, m := range c.Members {
		if m.Role == RoleOwner || m.Role == RoleDeputy {
			out = append(out, m.UserID)
		}
	}
	return out
}

// checkSoon runs a gap check for an active channel right after a change,
// in the change's transaction, so a new gap is alerted at once.
func (s *Store) checkSoon(ctx context.Context, tx *db.Tx, c Channel) error {
	if s.Queue == nil || c.Status != Active {
		return nil
	}
	_, err := s.Queue.InsertTx(ctx, tx, GapCheckArgs{ChannelID: c.ID}, nil)
	return err
}
