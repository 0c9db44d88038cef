package publish

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/outbound"
)

// PublishArgs is the job that publishes a post on one channel at its time.
type PublishArgs struct {
	TargetID int64 `json:"target_id"`
	Round    int   `json:"round"`
}

// Kind names the job.
func (PublishArgs) Kind() string { return "publish.target" }

// InsertOpts makes the job unique per target and round.
func (PublishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Worker runs PublishArgs jobs.
type Worker struct {
	river.WorkerDefaults[PublishArgs]
	Service *Service
}

// Work hands a target to outbound, which publishes it once. The checks run
// again first: a consent may have expired or the channel closed since the
// post was approved, and then nothing is published on that channel.
func (w *Worker) Work(ctx context.Context, job *river.Job[PublishArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("publish"))
	return w.Service.dispatch(ctx, job.Args.TargetID, job.Args.Round)
}

func (s *Service) dispatch(ctx context.Context, targetID int64, round int) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var postID int64
		if err := tx.QueryRow(ctx, "SELECT post_id FROM publish_targets WHERE id = ?", targetID).Scan(&postID); err != nil {
			return river.JobCancel(fmt.Errorf("publish: target %d: %w", targetID, err))
		}
		p, err := s.load(ctx, tx, allViewer, postID)
		if err != nil {
			return err
		}
		t, ok := targetByID(p, targetID)
		if !ok || p.Status != Approved || t.Status != TargetPlanned || t.Round != round {
			return nil // cancelled, rescheduled or already handed over
		}
		fs, err := s.check(ctx, p, []Target{t}, now)
		if err != nil {
			return err
		}
		if Blocking(fs) {
			return s.failTargetTx(ctx, tx, p, t, blockMessages(fs), now)
		}
		id, _, err := s.Outbound.EnqueueTx(ctx, tx, outbound.Request{Key: fmt.Sprintf("publish:target:%d:round:%d", t.ID, round),
			ChannelID: t.ChannelID, Kind: outbound.KindPublish, Post: p.Request(t, s.BaseURL), UserID: p.AuthorID})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE publish_targets SET status = 'queued', action_id = ?, updated_at = ? WHERE id = ?", id, now, t.ID)
		return err
	})
}

func targetByID(p Post, id int64) (Target, bool) {
	for _, t := range p.Targets {
		if t.ID == id {
			return t, true
		}
	}
	return Target{}, false
}

func blockMessages(fs []Finding) string {
	var msgs []string
	for _, f := range fs {
		if f.Severity == Block {
			msgs = append(msgs, f.Message)
		}
	}
	return "Publiceringen stoppades: " + strings.Join(msgs, " ")
}

// failTargetTx records that a target could not be published and tells the
// author which channel failed and why.
func (s *Service) failTargetTx(ctx context.Context, tx *db.Tx, p Post, t Target, why string, now time.Time) error {
	if _, err := tx.Exec(ctx, "UPDATE publish_targets SET status = 'failed', error = ?, updated_at = ? WHERE id = ?", why, now, t.ID); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, p.ID, now, "failed", t.ChannelName+": "+why); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{Action: "publish.failed", ObjectType: "post", ObjectID: audit.ID(p.ID),
		Summary: p.Title + " i " + t.ChannelName + ": " + why}); err != nil {
		return err
	}
	return s.tellAuthorTx(ctx, tx, p.ID, "Inlägget kunde inte publiceras i "+t.ChannelName,
		fmt.Sprintf("%s\n\nKanal: %s\nOrsak: %s\n\nDe andra kanalerna påverkas inte; se inlägget för hur det gick i var och en.", p.Title, t.ChannelName, why),
		fmt.Sprintf("publish-failed:%d:%d", t.ID, t.Round))
}

// allViewer sees every post; for the jobs.
var allViewer = channel.System

// ExpiryArgs is the periodic job that flags posts whose image consents
// have expired.
type ExpiryArgs struct{}

// Kind names the job.
func (ExpiryArgs) Kind() string { return "publish.consent_expiry" }

// ExpiryWorker runs ExpiryArgs jobs.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	Service *Service
}

// Work flags the posts of newly expired consents.
func (w *ExpiryWorker) Work(ctx context.Context, _ *river.Job[ExpiryArgs]) error {
	return w.Service.FlagExpired(audit.WithActor(ctx, audit.System("publish")))
}

// PeriodicExpiry checks consents every interval.
func PeriodicExpiry(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ExpiryArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
