package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/jobs"
)

type effectArgs struct {
	Key string `json:"key"`
}

func (effectArgs) Kind() string { return "test.effect" }

// effectWorker writes one row per key, idempotently, after a pause that lets
// the test stop the queue while the job runs.
type effectWorker struct {
	river.WorkerDefaults[effectArgs]
	db      *db.DB
	started chan string
	pause   time.Duration
}

func (w *effectWorker) Work(ctx context.Context, job *river.Job[effectArgs]) error {
	select {
	case w.started <- job.Args.Key:
	default:
	}
	time.Sleep(w.pause)
	_, err := w.db.Exec(ctx, "INSERT INTO job_effects (key) VALUES (?) ON CONFLICT (key) DO NOTHING", job.Args.Key)
	return err
}

func newQueue(t *testing.T, d *db.DB, withWorkers bool, w *effectWorker) *jobs.Queue {
	t.Helper()
	o := jobs.Options{FetchPollInterval: 50 * time.Millisecond}
	if withWorkers {
		o.Workers = river.NewWorkers()
		river.AddWorker(o.Workers, w)
	}
	q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), o)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func prepare(t *testing.T, d *db.DB) {
	if _, err := d.Exec(context.Background(), "CREATE TABLE job_effects (key TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
}

func effects(t *testing.T, d *db.DB) int {
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM job_effects").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGracefulStopFinishesRunningJob: a job that is running when the queue
// is told to stop completes before Stop returns.
func TestGracefulStopFinishesRunningJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		prepare(t, d)
		w := &effectWorker{db: d, started: make(chan string, 1), pause: 400 * time.Millisecond}
		q := newQueue(t, d, true, w)
		ctx := context.Background()
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := q.Insert(ctx, effectArgs{Key: "a"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.started:
		case <-time.After(10 * time.Second):
			t.Fatal("job never started")
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := q.Stop(sctx); err != nil {
			t.Fatal(err)
		}
		if n := effects(t, d); n != 1 {
			t.Fatalf("effects after stop = %d, want 1", n)
		}
		job, err := q.Client().JobGet(ctx, res.Job.ID)
		if err != nil || job.State != rivertype.JobStateCompleted {
			t.Fatalf("job state %v, %v", job.State, err)
		}
	})
}

// TestJobsSurviveRestart: jobs enqueued in a transaction by a process that
// stops before working them are worked by the next process.
func TestJobsSurviveRestart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		prepare(t, d)
		ctx := context.Background()
		inserter := newQueue(t, d, false, nil)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for _, k := range []string{"x", "y", "z"} {
				if _, err := inserter.InsertTx(ctx, tx, effectArgs{Key: k}, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A rolled-back transaction leaves no job behind.
		_ = d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := inserter.InsertTx(ctx, tx, effectArgs{Key: "rolled-back"}, nil); err != nil {
				return err
			}
			return context.Canceled
		})
		workUntil(t, d, 3)
		time.Sleep(200 * time.Millisecond)
		var rolled int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM job_effects WHERE key = 'rolled-back'").Scan(&rolled); err != nil || rolled != 0 {
			t.Fatalf("rolled-back job ran: %d %v", rolled, err)
		}
	})
}

// TestSQLiteRunsJobsLeftRunning: a job a killed process left running is
// worked as soon as the next process starts, not after the rescue delay.
func TestSQLiteRunsJobsLeftRunning(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, db.SQLite)
	prepare(t, d)
	ctx := context.Background()
	res, err := newQueue(t, d, false, nil).Insert(ctx, effectArgs{Key: "orphan"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What a process killed mid-job leaves behind.
	if _, err := d.Exec(ctx, "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE id = ?", res.Job.ID); err != nil {
		t.Fatal(err)
	}
	workUntil(t, d, 1)
}

// workUntil starts a worker on d, stopped when the test ends, and waits
// until n effects were made — well before River's rescue delay of three
// minutes.
func workUntil(t *testing.T, d *db.DB, n int) {
	t.Helper()
	q := newQueue(t, d, true, &effectWorker{db: d, started: make(chan string, 8)})
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	deadline := time.Now().Add(30 * time.Second)
	for effects(t, d) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d jobs ran", effects(t, d), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
