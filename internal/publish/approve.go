package publish

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/notify"
)

// blockedError is the refusal of a post whose checks block it.
func blockedError(lead string, fs []Finding) error {
	return &apperr.Error{Kind: apperr.Invalid, Message: lead, Err: &Blocked{Findings: fs}}
}

// Submit sends a draft for approval. When every channel lets its editors
// publish directly and the author works on each, the post is approved at
// once. A post the checks block is not sent.
func (s *Service) Submit(ctx context.Context, v channel.Viewer, id int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if p.AuthorID != v.UserID && !v.Communicator {
			return apperr.Forbiddenf("Bara den som skrev inlägget kan skicka det.")
		}
		if !p.Status.Editable() {
			return apperr.Conflictf("Inlägget är redan %s.", p.Status.Label())
		}
		fs, err := s.check(ctx, p, p.Targets, now)
		if err != nil {
			return err
		}
		if Blocking(fs) {
			return blockedError("Inlägget kan inte skickas för godkännande förrän det här är åtgärdat.", fs)
		}
		direct, err := s.directAllowed(ctx, tx, p, v.UserID)
		if err != nil {
			return err
		}
		if direct {
			if _, err := tx.Exec(ctx, "UPDATE publish_posts SET direct = TRUE WHERE id = ?", id); err != nil {
				return err
			}
			return s.approveTx(ctx, tx, p, v, "", now, true)
		}
		if _, err := tx.Exec(ctx, "UPDATE publish_posts SET status = 'pending', updated_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, now, "submitted", ""); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "publish.submit", ObjectType: "post", ObjectID: audit.ID(id), Summary: "Skickat för godkännande: " + p.Title}); err != nil {
			return err
		}
		return s.tellApproversTx(ctx, tx, p)
	})
}

// directAllowed reports whether every channel of p lets its editors
// publish without approval and the author works on each.
func (s *Service) directAllowed(ctx context.Context, tx *db.Tx, p Post, userID int64) (bool, error) {
	for _, t := range p.Targets {
		var direct bool
		err := tx.QueryRow(ctx, "SELECT direct_publish FROM publish_channel_rules WHERE channel_id = ?", t.ChannelID).Scan(&direct)
		if err != nil || !direct {
			return false, nil
		}
		c, err := s.channel(ctx, t.ChannelID)
		if err != nil {
			return false, err
		}
		if !c.IsMember(userID) {
			return false, nil
		}
	}
	return len(p.Targets) > 0, nil
}

// Decision is an approver's answer.
type Decision string

// The decisions.
const (
	Approve    Decision = "approve"
	AskChanges Decision = "changes"
	Reject     Decision = "reject"
)

// Decide approves a post waiting for approval, sends it back for changes or
// rejects it; a comment is required unless approving. Approving runs the
// checks again and schedules the post on every channel.
func (s *Service) Decide(ctx context.Context, v channel.Viewer, id int64, d Decision, comment string) error {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 2000 {
		return apperr.Invalidf("Kommentaren är för lång (högst 2000 tecken).")
	}
	if (d == AskChanges || d == Reject) && comment == "" {
		return apperr.Invalidf("Skriv en kommentar som säger vad som behöver ändras eller varför inlägget avslås.")
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if p.Status != Pending {
			return apperr.Conflictf("Inlägget väntar inte på godkännande; det är %s.", p.Status.Label())
		}
		if err := s.mayApprove(ctx, v, p); err != nil {
			return err
		}
		switch d {
		case Approve:
			fs, err := s.check(ctx, p, p.Targets, now)
			if err != nil {
				return err
			}
			if Blocking(fs) {
				return blockedError("Inlägget kan inte godkännas förrän det här är åtgärdat.", fs)
			}
			return s.approveTx(ctx, tx, p, v, comment, now, false)
		case AskChanges, Reject:
			status := map[Decision]Status{AskChanges: Changes, Reject: Rejected}[d]
			if _, err := tx.Exec(ctx, "UPDATE publish_posts SET status = ?, decided_by = ?, decided_at = ?, decision_comment = ?, updated_at = ? WHERE id = ?",
				string(status), v.UserID, now, comment, now, id); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, id, now, string(d), comment); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, now, audit.Entry{Action: "publish." + string(d), ObjectType: "post", ObjectID: audit.ID(id), Summary: p.Title + ": " + comment}); err != nil {
				return err
			}
			subject := map[Decision]string{AskChanges: "Ändringar behövs i ditt inlägg", Reject: "Ditt inlägg avslogs"}[d]
			return s.tellAuthorTx(ctx, tx, id, subject, fmt.Sprintf("%s\n\nKommentar: %s", p.Title, comment), fmt.Sprintf("publish-decision:%d:%s:%d", id, d, now.UnixNano()))
		}
		return apperr.Invalidf("Okänt beslut %q.", d)
	})
}

// mayApprove: the chosen approver, or without one the owners and deputies
// of every channel; communicators always; never the author.
func (s *Service) mayApprove(ctx context.Context, v channel.Viewer, p Post) error {
	if v.UserID == p.AuthorID {
		return apperr.Forbiddenf("Du kan inte godkänna ditt eget inlägg; någon annan måste granska det.")
	}
	if v.Communicator {
		return nil
	}
	if p.ApproverID != 0 {
		if v.UserID == p.ApproverID {
			return nil
		}
		return apperr.Forbiddenf("%s ska godkänna inlägget.", p.ApproverName)
	}
	for _, t := range p.Targets {
		c, err := s.channel(ctx, t.ChannelID)
		if err != nil {
			return err
		}
		if !isManager(c, v.UserID) {
			return apperr.Forbiddenf("Bara kontoansvarig för %s (eller en kommunikatör) kan godkänna inlägget.", c.Name)
		}
	}
	return nil
}

// MayApprove reports whether v may decide on p now, for showing the form.
func (s *Service) MayApprove(ctx context.Context, v channel.Viewer, p Post) bool {
	return p.Status == Pending && s.mayApprove(ctx, v, p) == nil
}

// approveTx approves p and schedules it on every channel.
func (s *Service) approveTx(ctx context.Context, tx *db.Tx, p Post, v channel.Viewer, comment string, now time.Time, direct bool) error {
	if _, err := tx.Exec(ctx, "UPDATE publish_posts SET status = 'approved', decided_by = ?, decided_at = ?, decision_comment = ?, updated_at = ? WHERE id = ?",
		v.UserID, now, comment, now, p.ID); err != nil {
		return err
	}
	kind := "approved"
	if direct {
		kind = "published_directly"
	}
	if err := addEvent(ctx, tx, p.ID, now, kind, comment); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{Action: "publish." + kind, ObjectType: "post", ObjectID: audit.ID(p.ID), Summary: p.Title}); err != nil {
		return err
	}
	at := now
	if p.ScheduledAt != nil && p.ScheduledAt.After(now) {
		at = *p.ScheduledAt
	}
	for _, t := range p.Targets {
		if err := s.scheduleTx(ctx, tx, t, at, now); err != nil {
			return err
		}
	}
	if direct {
		return nil
	}
	when := "så snart som möjligt"
	if at.After(now) {
		when = calendar.FormatDateTime(at)
	}
	return s.tellAuthorTx(ctx, tx, p.ID, "Ditt inlägg är godkänt", fmt.Sprintf("%s\n\nDet publiceras %s.", p.Title, when), fmt.Sprintf("publish-approved:%d:%d", p.ID, now.UnixNano()))
}

// scheduleTx plans a target's publication at at with a new round, so that
// a job of an earlier schedule does nothing.
func (s *Service) scheduleTx(ctx context.Context, tx *db.Tx, t Target, at, now time.Time) error {
	round := t.Round + 1
	if _, err := tx.Exec(ctx, "UPDATE publish_targets SET status = 'planned', job_round = ?, error = '', updated_at = ? WHERE id = ?", round, now, t.ID); err != nil {
		return err
	}
	_, err := s.Queue.InsertTx(ctx, tx, PublishArgs{TargetID: t.ID, Round: round}, &river.InsertOpts{ScheduledAt: at})
	return err
}

// PublishNow publishes an approved post at once on every channel it is
// still planned for, instead of at its set time.
func (s *Service) PublishNow(ctx context.Context, v channel.Viewer, id int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if err := s.mayReschedule(ctx, v, p); err != nil {
			return err
		}
		n := 0
		for _, t := range p.Targets {
			if t.Status == TargetPlanned || t.Status == TargetFailed {
				n++
				if err := s.scheduleTx(ctx, tx, t, now, now); err != nil {
					return err
				}
			}
		}
		if n == 0 {
			return apperr.Conflictf("Inlägget är redan publicerat eller på väg ut i alla kanaler.")
		}
		if _, err := tx.Exec(ctx, "UPDATE publish_posts SET scheduled_at = ?, updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, now, "publish_now", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.now", ObjectType: "post", ObjectID: audit.ID(id), Summary: p.Title})
	})
}

// mayReschedule: an approved post may be published now or cancelled by its
// author, its approver, the channels' managers and communicators.
func (s *Service) mayReschedule(ctx context.Context, v channel.Viewer, p Post) error {
	if p.Status != Approved {
		return apperr.Conflictf("Inlägget är inte godkänt; det är %s.", p.Status.Label())
	}
	if v.Communicator || v.UserID == p.AuthorID || (p.DecidedBy != 0 && v.UserID == p.DecidedBy) {
		return nil
	}
	for _, t := range p.Targets {
		c, err := s.channel(ctx, t.ChannelID)
		if err != nil {
			return err
		}
		if isManager(c, v.UserID) {
			return nil
		}
	}
	return apperr.Forbiddenf("Du kan inte ändra när inlägget publiceras.")
}

// Cancel stops a post before it is published anywhere.
func (s *Service) Cancel(ctx context.Context, v channel.Viewer, id int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, v, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case Approved:
			if err := s.mayReschedule(ctx, v, p); err != nil {
				return err
			}
		case Draft, Pending, Changes:
			if p.AuthorID != v.UserID && !v.Communicator {
				return apperr.Forbiddenf("Bara den som skrev inlägget kan ställa in det.")
			}
		default:
			return apperr.Conflictf("Inlägget är redan %s.", p.Status.Label())
		}
		for _, t := range p.Targets {
			if t.Status == TargetQueued || t.Status == TargetPublished {
				return apperr.Conflictf("Inlägget har redan publicerats eller skickats till %s och kan inte ställas in där; ta bort det på plattformen.", t.ChannelName)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE publish_targets SET status = 'cancelled', updated_at = ? WHERE post_id = ?", now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE publish_posts SET status = 'cancelled', updated_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, now, "cancelled", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.cancel", ObjectType: "post", ObjectID: audit.ID(id), Summary: p.Title})
	})
}

// SetDirectPublish sets whether a channel's editors may publish without
// approval; its owner, deputy or a communicator decides.
func (s *Service) SetDirectPublish(ctx context.Context, v channel.Viewer, channelID int64, direct bool) error {
	c, err := s.Channels.Get(ctx, v, channelID)
	if err != nil {
		return err
	}
	if !v.CanManage(c) {
		return apperr.Forbiddenf("Bara kanalens kontoansvarig eller en kommunikatör kan ändra regeln.")
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO publish_channel_rules (channel_id, direct_publish, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET direct_publish = excluded.direct_publish, updated_at = excluded.updated_at`, channelID, direct, now); err != nil {
			return err
		}
		summary := "Redaktörerna i " + c.Name + " måste få inlägg godkända"
		if direct {
			summary = "Redaktörerna i " + c.Name + " får publicera direkt"
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.channel_rule", ObjectType: "channel", ObjectID: audit.ID(channelID),
			DepartmentID: c.DepartmentID, Summary: summary})
	})
}

// DirectPublish returns the channels whose editors may publish directly.
func (s *Service) DirectPublish(ctx context.Context) (map[int64]bool, error) {
	ids, err := s.ids(ctx, "SELECT channel_id FROM publish_channel_rules WHERE direct_publish = TRUE")
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// addEvent writes a step of the post's history for the context's actor.
func addEvent(ctx context.Context, tx *db.Tx, postID int64, now time.Time, kind, comment string) error {
	a := audit.ActorFrom(ctx)
	label := a.Label
	if label == "" {
		label = "Tilltal"
	}
	if a.UserID != 0 {
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", a.UserID).Scan(&name); err == nil {
			label = name
		}
	}
	_, err := tx.Exec(ctx, "INSERT INTO publish_events (post_id, at, user_id, actor, kind, comment) VALUES (?, ?, ?, ?, ?, ?)",
		postID, now, nullID(a.UserID), label, kind, comment)
	return err
}

// tellAuthorTx notifies a post's author.
func (s *Service) tellAuthorTx(ctx context.Context, tx *db.Tx, postID int64, subject, body, dedupe string) error {
	if s.Outbox == nil {
		return nil
	}
	var author int64
	if err := tx.QueryRow(ctx, "SELECT author_id FROM publish_posts WHERE id = ?", postID).Scan(&author); err != nil {
		return err
	}
	_, err := s.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: author, Subject: subject, Body: body, Link: s.postLink(postID), DedupeKey: dedupe})
	return err
}

// tellApproversTx asks the chosen approver, or the channels' owners and
// deputies, to look at a post.
func (s *Service) tellApproversTx(ctx context.Context, tx *db.Tx, p Post) error {
	if s.Outbox == nil {
		return nil
	}
	var users []int64
	if p.ApproverID != 0 {
		users = []int64{p.ApproverID}
	} else {
		for _, t := range p.Targets {
			c, err := s.channel(ctx, t.ChannelID)
			if err != nil {
				return err
			}
			for _, m := range c.Members {
				if (m.Role == channel.RoleOwner || m.Role == channel.RoleDeputy) && m.Active && m.UserID != p.AuthorID && !containsID(users, m.UserID) {
					users = append(users, m.UserID)
				}
			}
		}
	}
	for _, u := range users {
		if _, err := s.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: u, Subject: "Ett inlägg väntar på ditt godkännande",
			Body: fmt.Sprintf("%s har skrivit ett inlägg som ska godkännas innan det publiceras:\n\n%s", p.AuthorName, p.Title),
			Link: s.postLink(p.ID), DedupeKey: fmt.Sprintf("publish-approve:%d:%d:%d", p.ID, u, s.now().UnixNano())}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) postLink(id int64) string {
	return strings.TrimRight(s.BaseURL, "/") + fmt.Sprintf("/publicera/%d", id)
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}
