// Package jobs runs Tilltal's background work on River, a job queue that
// lives in the same database as everything else: on SQLite through River's
// SQLite driver, on PostgreSQL through its database/sql driver. Because both
// drivers take a *sql.Tx, a job is enqueued in the very transaction that
// caused it: it exists exactly when the change does.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/db"
)

// Queue is the job queue client.
type Queue struct {
	client *river.Client[*sql.Tx]
	log    *slog.Logger
	// orphans, when set, is the database whose running jobs Start hands
	// back to the queue: on SQLite (see rescueOrphans).
	orphans *db.DB
}

// Options tune the queue.
type Options struct {
	// Workers are the job kinds this process works; nil makes an
	// insert-only client (for CLI commands).
	Workers *river.Workers
	// MaxWorkers is how many jobs run at once.
	MaxWorkers int
	// PeriodicJobs are scheduled jobs (daily checks, digests).
	PeriodicJobs []*river.PeriodicJob
	// FetchPollInterval is how often idle workers look for new jobs.
	FetchPollInterval time.Duration
}

// New makes a queue client on d.
func New(d *db.DB, log *slog.Logger, o Options) (*Queue, error) {
	var driver riverdriver.Driver[*sql.Tx]
	if d.Dialect == db.Postgres {
		driver = riverdatabasesql.New(d.Write)
	} else {
		driver = riversqlite.New(d.Write)
	}
	cfg := &river.Config{
		Logger:      log.With("component", "jobs"),
		MaxAttempts: 12,
		// A job that was running when its process died is handed to another
		// worker after this long; every job finishes well within it.
		RescueStuckJobsAfter: 3 * time.Minute,
		JobTimeout:           2 * time.Minute,
		PeriodicJobs:         o.PeriodicJobs,
		// Poll for work: SQLite has no LISTEN/NOTIFY and the database/sql
		// driver does not use it either; a short interval keeps latency low.
		PollOnly:          true,
		FetchPollInterval: o.FetchPollInterval,
		FetchCooldown:     50 * time.Millisecond,
	}
	if cfg.FetchPollInterval == 0 {
		cfg.FetchPollInterval = 500 * time.Millisecond
	}
	if o.Workers != nil {
		if o.MaxWorkers <= 0 {
			o.MaxWorkers = 10
		}
		cfg.Workers = o.Workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.MaxWorkers}}
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	q := &Queue{client: c, log: log}
	if o.Workers != nil && d.Dialect == db.SQLite {
		q.orphans = d
	}
	return q, nil
}

// Start starts working jobs; it returns at once.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.rescueOrphans(ctx); err != nil {
		return err
	}
	return q.client.Start(ctx)
}

// rescueOrphans makes jobs that a dead process left running available at
// once. On SQLite, Tilltal is one process: a job still marked running when
// the worker starts belongs to a process that died (SIGKILL, power loss),
// and waiting RescueStuckJobsAfter would delay a citizen's reply by
// minutes. Jobs are idempotent, so running one again is safe; a job at its
// last attempt is left to River's rescuer, which discards it. On
// PostgreSQL another instance may be working the job, so River's rescuer
// alone decides there.
func (q *Queue) rescueOrphans(ctx context.Context) error {
	if q.orphans == nil {
		return nil
	}
	res, err := q.orphans.Exec(ctx, "UPDATE river_job SET state = 'available' WHERE state = 'running' AND attempt < max_attempts")
	if err != nil {
		return fmt.Errorf("jobs: rescue jobs left running: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		q.log.Warn("jobs left running by a process that stopped are run again", "jobs", n)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish, up to
// ctx's deadline; jobs still running then are cancelled and, being
// idempotent, run again later. No job is lost either way: a job is only
// marked done by River after its work returned.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cctx)
	}
	return err
}

// InsertTx enqueues a job in tx: it is committed, or not, with the change.
func (q *Queue) InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := q.client.InsertTx(ctx, tx.Tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// Insert enqueues a job on its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// Client exposes River's client for tests and the admin page.
func (q *Queue) Client() *river.Client[*sql.Tx] { return q.client }
