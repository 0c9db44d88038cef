package outbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/platform"
)

// ReplyFinder is offered by connectors that can find a reply the account
// already posted; the worker asks before posting a reply again, so that a
// reply the platform accepted but we never recorded (a crash, a lost
// answer) is adopted rather than posted twice.
type ReplyFinder interface {
	FindReply(ctx context.Context, cred platform.Credentials, parentID, text string, since time.Time) (platform.Result, bool, error)
}

// PostFinder is offered by connectors that can find a post the account
// already published; the worker asks before publishing again after a
// failed attempt, for the same reason as ReplyFinder.
type PostFinder interface {
	FindPost(ctx context.Context, cred platform.Credentials, post platform.PostRequest, since time.Time) (platform.Result, bool, error)
}

// PrivateReplier is offered by connectors that can answer a comment with a
// private message (Facebook).
type PrivateReplier interface {
	PrivateReply(ctx context.Context, cred platform.Credentials, commentID, text string) (platform.Result, error)
}

// maxThrottleWaits bounds how often an action waits out throttling before
// it is given up.
const maxThrottleWaits = 20

// Worker performs actions.
type Worker struct {
	river.WorkerDefaults[ActionArgs]
	Service *Service
	// Backoff, when set, replaces River's retry schedule after a failed
	// attempt (tests shorten it).
	Backoff func(attempt int) time.Duration
}

// NextRetry applies Backoff.
func (w *Worker) NextRetry(job *river.Job[ActionArgs]) time.Time {
	if w.Backoff == nil {
		return time.Time{}
	}
	return time.Now().Add(w.Backoff(job.Attempt))
}

// Timeout leaves room for an Instagram container to finish processing.
func (w *Worker) Timeout(*river.Job[ActionArgs]) time.Duration { return 3 * time.Minute }

// Work performs one action. A final action (done or failed) is left alone.
func (w *Worker) Work(ctx context.Context, job *river.Job[ActionArgs]) error {
	s := w.Service
	ctx = audit.WithActor(ctx, audit.System("outbound"))
	a, err := s.Get(ctx, job.Args.ActionID)
	if errors.Is(err, apperr.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("outbound: action %d does not exist", job.Args.ActionID))
	}
	if err != nil {
		return err
	}
	if a.Status != StatusPending {
		return nil
	}
	conn, cred, err := s.connect(ctx, a)
	if err != nil {
		if errors.Is(err, credential.ErrNeedsReconnect) || apperr.KindOf(err) == apperr.NotFound {
			return s.fail(ctx, a, nil, apperr.Message(err), err)
		}
		return err
	}
	if err := s.markAttempt(ctx, a.ID); err != nil {
		return err
	}
	res, actErr := s.perform(ctx, conn, cred, a)
	if actErr == nil {
		return s.succeed(ctx, a, res)
	}
	return w.handleError(ctx, job, a, res, actErr)
}

func (s *Service) connect(ctx context.Context, a Action) (platform.Connector, platform.Credentials, error) {
	var name string
	if err := s.DB.QueryRow(ctx, "SELECT platform FROM channels WHERE id = ?", a.ChannelID).Scan(&name); err != nil {
		return nil, platform.Credentials{}, apperr.NotFoundf("Kanalen finns inte längre")
	}
	conn, ok := s.Connectors[platform.Name(name)]
	if !ok {
		return nil, platform.Credentials{}, apperr.NotFoundf("Tilltal har ingen koppling till %s", name)
	}
	cred, err := s.Credentials.Credentials(ctx, a.ChannelID)
	return conn, cred, err
}

// markAttempt is committed before the platform is called: a later attempt
// then knows that an earlier one may have reached the platform.
func (s *Service) markAttempt(ctx context.Context, id int64) error {
	now := s.Now().UTC()
	_, err := s.DB.Exec(ctx, "UPDATE outbound_actions SET attempts = attempts + 1, last_attempt_at = ?, updated_at = ? WHERE id = ?", now, now, id)
	return err
}

func (s *Service) perform(ctx context.Context, conn platform.Connector, cred platform.Credentials, a Action) (platform.Result, error) {
	switch a.Kind {
	case KindReply:
		if finder, ok := conn.(ReplyFinder); ok && a.Attempts > 0 {
			res, found, err := finder.FindReply(ctx, cred, a.TargetID, a.Text, a.CreatedAt)
			if err != nil {
				return res, err
			}
			if found {
				taken, err := s.adoptedElsewhere(ctx, a, res.ExternalID)
				if err != nil || !taken {
					return res, err
				}
			}
		}
		return conn.Reply(ctx, cred, a.TargetID, a.Text)
	case KindPrivateReply:
		pr, ok := conn.(PrivateReplier)
		if !ok {
			return platform.Result{}, platform.ErrUnsupported
		}
		return pr.PrivateReply(ctx, cred, a.TargetID, a.Text)
	case KindHide, KindUnhide:
		return conn.SetHidden(ctx, cred, a.TargetID, a.Kind == KindHide)
	case KindDelete:
		res, err := conn.Delete(ctx, cred, a.TargetID)
		var pe *platform.Error
		if errors.As(err, &pe) && pe.NotFound {
			// Already gone — by an earlier attempt whose answer was lost,
			// or by its author: either way what was asked for holds. The
			// raw answer shows which.
			return platform.Result{ExternalID: a.TargetID, Raw: pe.Raw}, nil
		}
		return res, err
	case KindPublish:
		if finder, ok := conn.(PostFinder); ok && a.Attempts > 0 {
			res, found, err := finder.FindPost(ctx, cred, a.Post, a.CreatedAt)
			if err != nil || found {
				return res, err
			}
		}
		return conn.Publish(ctx, cred, a.Post)
	}
	return platform.Result{}, platform.ErrUnsupported
}

// adoptedElsewhere reports whether a reply found on the platform is
// already another action's result: the same text sent twice to the same
// comment (a saved answer, say) is two replies, and one must not be
// recorded as both.
func (s *Service) adoptedElsewhere(ctx context.Context, a Action, externalID string) (bool, error) {
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM outbound_actions WHERE result_external_id = ? AND channel_id = ? AND id <> ?",
		externalID, a.ChannelID, a.ID).Scan(&n)
	return n > 0, err
}

func (w *Worker) handleError(ctx context.Context, job *river.Job[ActionArgs], a Action, res platform.Result, actErr error) error {
	s := w.Service
	var pe *platform.Error
	isPlatform := errors.As(actErr, &pe)
	raw := res.Raw
	if isPlatform && len(pe.Raw) > 0 {
		raw = pe.Raw
	}
	if errors.Is(actErr, platform.ErrUnsupported) || (isPlatform && pe.Permanent) {
		return s.fail(ctx, a, raw, summary(actErr), actErr)
	}
	if isPlatform && pe.RetryAfter > 0 {
		if a.Attempts+1 >= maxThrottleWaits {
			return s.fail(ctx, a, raw, "Plattformen begränsade anropen för länge: "+summary(actErr), actErr)
		}
		if err := s.note(ctx, a.ID, raw, "Väntar: "+summary(actErr)); err != nil {
			return err
		}
		// A snooze is not an attempt: throttling says nothing about the
		// action itself.
		return river.JobSnooze(pe.RetryAfter)
	}
	if job.Attempt >= job.MaxAttempts {
		return s.fail(ctx, a, raw, "Det gick inte efter flera försök: "+summary(actErr), actErr)
	}
	if err := s.note(ctx, a.ID, raw, "Försöker igen: "+summary(actErr)); err != nil {
		return err
	}
	return actErr
}

// note records the last answer of an attempt that will be retried.
func (s *Service) note(ctx context.Context, id int64, raw []byte, msg string) error {
	_, err := s.DB.Exec(ctx, "UPDATE outbound_actions SET raw_response = ?, error_summary = ?, updated_at = ? WHERE id = ?",
		rawText(raw), truncate(msg, 1000), s.Now().UTC(), id)
	return err
}

func (s *Service) succeed(ctx context.Context, a Action, res platform.Result) error {
	now := s.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE outbound_actions SET status = 'done', result_external_id = ?, raw_response = ?, error_summary = '', done_at = ?, updated_at = ?
			WHERE id = ? AND status = 'pending'`, res.ExternalID, rawText(res.Raw), now, now, a.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "outbound.done", ObjectType: "outbound_action", ObjectID: audit.ID(a.ID),
			Summary: string(a.Kind) + " " + a.TargetID + " → " + res.ExternalID}); err != nil {
			return err
		}
		a.Status, a.ResultID, a.Raw, a.DoneAt = StatusDone, res.ExternalID, rawText(res.Raw), now
		return s.finish(ctx, tx, a)
	})
}

// fail marks the action failed for good, tells the channel's owner, marks
// the channel for reconnection when its token died, and stops the job.
func (s *Service) fail(ctx context.Context, a Action, raw []byte, why string, cause error) error {
	now := s.Now().UTC()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `UPDATE outbound_actions SET status = 'failed', raw_response = CASE WHEN ? = '' THEN raw_response ELSE ? END,
			error_summary = ?, done_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
			rawText(raw), rawText(raw), truncate(why, 1000), now, now, a.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "outbound.failed", ObjectType: "outbound_action", ObjectID: audit.ID(a.ID),
			Summary: string(a.Kind) + " " + a.TargetID + ": " + truncate(why, 300)}); err != nil {
			return err
		}
		if platform.IsTokenInvalid(cause) {
			if err := s.Credentials.MarkNeedsReconnectTx(ctx, tx, a.ChannelID, summary(cause)); err != nil {
				return err
			}
		}
		if !errors.Is(cause, credential.ErrNeedsReconnect) {
			if err := s.alert(ctx, tx, a, why); err != nil {
				return err
			}
		}
		a.Status, a.Error, a.DoneAt = StatusFailed, why, now
		return s.finish(ctx, tx, a)
	})
	if err != nil {
		return err
	}
	return river.JobCancel(cause)
}

func (s *Service) alert(ctx context.Context, tx *db.Tx, a Action, why string) error {
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM channels WHERE id = ?", a.ChannelID).Scan(&name); err != nil {
		return err
	}
	what := verbSv(a.Kind)
	return s.Credentials.TellOwnersTx(ctx, tx, a.ChannelID, notify.Message{
		Subject:   fmt.Sprintf("Det gick inte att %s i %s", what, name),
		Body:      fmt.Sprintf("Tilltal försökte %s (%s) i kanalen %s men plattformen sa nej:\n\n%s", what, targetLabel(a), name, why),
		Link:      strings.TrimRight(s.Credentials.BaseURL, "/") + fmt.Sprintf("/kanaler/%d", a.ChannelID),
		DedupeKey: fmt.Sprintf("outbound-failed:%d", a.ID),
	})
}

func (s *Service) finish(ctx context.Context, tx *db.Tx, a Action) error {
	if s.OnFinish != nil {
		return s.OnFinish(ctx, tx, a)
	}
	return nil
}
