package incident

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// PreserveArgs is the job that takes a case's evidence snapshot.
type PreserveArgs struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job.
func (PreserveArgs) Kind() string { return "incident.preserve" }

// InsertOpts makes the job unique per case.
func (PreserveArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RemoveArgs is the job that hides a case's content on the platform.
type RemoveArgs struct {
	IncidentID int64 `json:"incident_id"`
}

// Kind names the job.
func (RemoveArgs) Kind() string { return "incident.remove" }

// InsertOpts makes the job unique per case.
func (RemoveArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// HideArgs is the job that hides an item pending review, for a rule that
// hides without opening a case.
type HideArgs struct {
	ItemID int64 `json:"item_id"`
}

// Kind names the job.
func (HideArgs) Kind() string { return "incident.hide" }

// InsertOpts makes the job unique per item.
func (HideArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WatchArgs is the periodic job that alerts on missed removal targets and
// reminds owners of unreported cases.
type WatchArgs struct{}

// Kind names the job.
func (WatchArgs) Kind() string { return "incident.watch" }

func (s *Store) enqueue(ctx context.Context, tx *db.Tx, args river.JobArgs) error {
	if s.Queue == nil {
		return nil // scripts and tests without a queue run the work themselves
	}
	_, err := s.Queue.InsertTx(ctx, tx, args, nil)
	return err
}

// cancelIfGone stops a job whose case or item no longer exists: retrying
// cannot help.
func cancelIfGone(err error) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return river.JobCancel(err)
	}
	return err
}

// PreserveWorker takes evidence snapshots.
type PreserveWorker struct {
	river.WorkerDefaults[PreserveArgs]
	Store *Store
}

// Work preserves one case.
func (w *PreserveWorker) Work(ctx context.Context, job *river.Job[PreserveArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("incident"))
	return cancelIfGone(w.Store.Preserve(ctx, job.Args.IncidentID))
}

// RemoveWorker hides cases' content.
type RemoveWorker struct {
	river.WorkerDefaults[RemoveArgs]
	Store *Store
}

// Work removes one case's content.
func (w *RemoveWorker) Work(ctx context.Context, job *river.Job[RemoveArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("incident"))
	return cancelIfGone(w.Store.Remove(ctx, job.Args.IncidentID))
}

// HideWorker hides items pending review.
type HideWorker struct {
	river.WorkerDefaults[HideArgs]
	Store *Store
}

// Work hides one item.
func (w *HideWorker) Work(ctx context.Context, job *river.Job[HideArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("incident"))
	return cancelIfGone(w.Store.HidePending(ctx, job.Args.ItemID))
}

// WatchWorker runs the periodic checks.
type WatchWorker struct {
	river.WorkerDefaults[WatchArgs]
	Store *Store
}

// Work runs one round.
func (w *WatchWorker) Work(ctx context.Context, _ *river.Job[WatchArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("incident"))
	return errors.Join(w.Store.AlertLateRemovals(ctx), w.Store.RemindUnreported(ctx))
}

// PeriodicWatch runs the checks every interval.
func PeriodicWatch(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return WatchArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}

// AddWorkers registers the package's job kinds.
func AddWorkers(w *river.Workers, s *Store) {
	river.AddWorker(w, &PreserveWorker{Store: s})
	river.AddWorker(w, &RemoveWorker{Store: s})
	river.AddWorker(w, &HideWorker{Store: s})
	river.AddWorker(w, &WatchWorker{Store: s})
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("incident: %s: %w", op, err)
}
