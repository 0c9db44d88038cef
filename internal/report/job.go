package report

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// RefreshArgs is the job that brings report_days up to date.
type RefreshArgs struct{}

// Kind names the job.
func (RefreshArgs) Kind() string { return "report.refresh" }

// InsertOpts keep one refresh waiting or running at a time; a second
// would find nothing the first did not.
func (RefreshArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// RefreshWorker works RefreshArgs.
type RefreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	Store *Store
}

// Work refreshes. On a database whose figures were never computed (a new
// installation, or the first start after an upgrade with years of items)
// it asks for a rebuild instead, which works through the backlog in steps
// and leaves the marks from which later refreshes go on.
func (w *RefreshWorker) Work(ctx context.Context, _ *river.Job[RefreshArgs]) error {
	var marks int
	if err := w.Store.DB.QueryRow(ctx, "SELECT COUNT(*) FROM report_marks").Scan(&marks); err != nil {
		return err
	}
	if marks == 0 {
		_, err := w.Store.Queue.Insert(ctx, RebuildArgs{}, nil)
		return err
	}
	_, err := w.Store.Refresh(ctx)
	return err
}

// PeriodicRefresh schedules the refresh, at start and then every interval.
func PeriodicRefresh(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return RefreshArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}

// RebuildArgs is one step of a full rebuild of report_days.
type RebuildArgs struct {
	Cursor Cursor `json:"cursor"`
}

// Kind names the job.
func (RebuildArgs) Kind() string { return "report.rebuild" }

// InsertOpts make a second request for a rebuild within ten minutes of
// the first the same job: it is already under way.
func (RebuildArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// RebuildWorker works RebuildArgs: a minute's work, then the next step.
type RebuildWorker struct {
	river.WorkerDefaults[RebuildArgs]
	Store *Store
}

// stepBudget keeps a step well inside the queue's job timeout.
const stepBudget = time.Minute

// Work runs a step and enqueues the next.
func (w *RebuildWorker) Work(ctx context.Context, job *river.Job[RebuildArgs]) error {
	next, done, err := w.Store.RebuildStep(ctx, job.Args.Cursor, stepBudget)
	if err != nil || done {
		return err
	}
	return w.Store.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := w.Store.Queue.InsertTx(ctx, tx, RebuildArgs{Cursor: next}, nil)
		return err
	})
}

// RequestRebuild enqueues a full rebuild, recorded in the audit log.
func (s *Store) RequestRebuild(ctx context.Context) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.Queue.InsertTx(ctx, tx, RebuildArgs{}, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "report.rebuild", ObjectType: "report",
			Summary: "Rapportunderlaget byggs om från alla inlägg"})
	})
}
