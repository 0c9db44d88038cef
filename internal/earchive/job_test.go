package earchive_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"tilltal/internal/apperr"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/earchive"
	"tilltal/internal/jobs"
)

func newJobs(t *testing.T, f *fixture) *earchive.Jobs {
	t.Helper()
	q, err := jobs.New(f.d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &earchive.Jobs{Exporter: f.ex, Queue: q, Dir: filepath.Join(t.TempDir(), "exports")}
}

func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExportJobRunsToADownloadableZip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		js := newJobs(t, f)
		j, err := js.Start(ctx, year2026, 0)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != earchive.StatusQueued || j.Total == 0 || auditCount(t, d, "earchive.export") != 1 {
			t.Fatalf("started %+v", j)
		}
		var queued int
		d.QueryRow(ctx, "SELECT COUNT(*) FROM river_job WHERE kind = 'earchive.export'").Scan(&queued)
		if queued != 1 {
			t.Errorf("%d export jobs queued", queued)
		}
		if err := js.Run(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		j, err = js.Get(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != earchive.StatusDone || j.Done != j.Total || j.Percent() != 100 || j.FinishedAt == nil || j.FileName() != j.PackageID+".zip" {
			t.Fatalf("finished %+v", j)
		}
		// The package is in the blob store, where every instance finds it,
		// and no longer on this instance's disk.
		if ok, err := f.blobs.Has(ctx, j.ResultSHA256); err != nil || !ok {
			t.Fatalf("the package %q is not in the blob store: %v", j.ResultSHA256, err)
		}
		if _, err := os.Stat(j.ResultPath); !os.IsNotExist(err) {
			t.Fatalf("the package is still a local file: %v", err)
		}
		rc, err := js.Open(ctx, j)
		if err != nil {
			t.Fatal(err)
		}
		zipPath := filepath.Join(t.TempDir(), j.FileName())
		out, err := os.Create(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(out, rc)
		rc.Close()
		out.Close()
		if err != nil || n != j.ResultSize {
			t.Fatalf("read %d of %d bytes: %v", n, j.ResultSize, err)
		}
		validatePackage(t, unzip(t, zipPath))
		// Running it again (River handing it out twice) changes nothing.
		if err := js.Run(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if auditCount(t, d, "earchive.export_done") != 1 {
			t.Error("the finished export was not audited once")
		}
	})
}

func TestExportJobRefusesEmptyAndRecordsFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		js := newJobs(t, f)
		empty := earchive.Selection{From: year2026.From, To: year2026.To, ChannelID: 2}
		if _, err := js.Start(ctx, empty, 0); !errors.Is(err, earchive.ErrEmpty) {
			t.Fatalf("empty channel: %v", err)
		}
		if list, _ := js.List(ctx, 10); len(list) != 0 {
			t.Fatalf("an empty export was recorded: %+v", list)
		}
		f.ex.Blobs = failingBlobs{f.blobs}
		j, err := js.Start(ctx, year2026, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = js.Run(ctx, j.ID)
		var cancel *river.JobCancelError
		if !errors.As(err, &cancel) {
			t.Fatalf("failed export returned %v, want River's cancel (no retry)", err)
		}
		j, _ = js.Get(ctx, j.ID)
		if j.Status != earchive.StatusFailed || !strings.Contains(j.Error, "disk gone") || j.ResultPath != "" {
			t.Fatalf("failed export %+v", j)
		}
		entries, _ := os.ReadDir(js.Dir)
		if len(entries) != 0 {
			t.Errorf("failed export left %v", entries)
		}
		if auditCount(t, d, "earchive.export_failed") != 1 {
			t.Error("failure not audited")
		}
		if _, err := js.Get(ctx, 999); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("missing export: %v", err)
		}
	})
}

// clock is a test's time, moved on by hand while workers read it.
type clock struct{ ns atomic.Int64 }

func newClock(at time.Time) *clock {
	c := &clock{}
	c.ns.Store(at.UnixNano())
	return c
}

func (c *clock) now() time.Time           { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(by time.Duration) { c.ns.Add(int64(by)) }

// waitFor polls cond until it holds or a generous time is up.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestExportLeftRunningIsSnoozedThenTakenOver: an export whose worker died
// a moment ago (SIGKILL on SQLite, where the next process hands the job
// out at once; a shutdown on PostgreSQL, where River retries it on
// another instance within a second) still looks alive by its heartbeat.
// River must not complete the job then, or the export stays running
// forever: it is snoozed, and once the heartbeat is stale the export is
// taken over, the dead worker's leftovers removed, and finished.
func TestExportLeftRunningIsSnoozedThenTakenOver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		c := newClock(f.ex.Now())
		f.ex.Now = c.now
		js := newJobs(t, f)
		j, err := js.Start(ctx, year2026, 0)
		if err != nil {
			t.Fatal(err)
		}
		var jobID int64
		if err := d.QueryRow(ctx, "SELECT id FROM river_job WHERE kind = 'earchive.export'").Scan(&jobID); err != nil {
			t.Fatal(err)
		}
		// What the dead worker left: the export running with a fresh
		// heartbeat, a half-written package and its scratch files.
		sqlExec(t, d, "UPDATE exports SET status = ?, done = 3, heartbeat_at = ? WHERE id = ?", earchive.StatusRunning, c.now(), j.ID)
		if err := os.MkdirAll(filepath.Join(js.Dir, "."+j.PackageID+".scratch-1"), 0o750); err != nil {
			t.Fatal(err)
		}
		leftovers := []string{"." + j.PackageID + ".zip.partial", "." + j.PackageID + ".scratch-1/erms.xml"}
		for _, name := range leftovers {
			if err := os.WriteFile(filepath.Join(js.Dir, name), []byte("half"), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		if d.Dialect == db.SQLite {
			// Killed mid-job: River's row says running; the next process
			// makes it available at once.
			sqlExec(t, d, "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE id = ?", jobID)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &earchive.ExportWorker{Jobs: js})
		q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(sctx)
		})
		state := func() rivertype.JobState {
			job, err := q.Client().JobGet(ctx, jobID)
			if err != nil {
				t.Fatal(err)
			}
			return job.State
		}
		// Snoozed (scheduled for later), not completed; the export is
		// still running and its attempts are not used up.
		waitFor(t, "the job to be worked", func() bool {
			s := state()
			return s != rivertype.JobStateAvailable && s != rivertype.JobStateRunning
		})
		job, _ := q.Client().JobGet(ctx, jobID)
		if job.State != rivertype.JobStateScheduled || job.Attempt > 1 {
			t.Fatalf("job with a fresh heartbeat is %s after %d attempts, want scheduled (snoozed)", job.State, job.Attempt)
		}
		if j, _ = js.Get(ctx, j.ID); j.Status != earchive.StatusRunning {
			t.Fatalf("export %s while its worker's heartbeat is fresh", j.Status)
		}
		// The heartbeat goes stale; the snoozed job comes back (now rather
		// than after the snooze, to keep the test short) and takes over.
		c.advance(31 * time.Second)
		if _, err := q.Client().JobRetry(ctx, jobID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the export to be taken over and finished", func() bool {
			j, _ = js.Get(ctx, j.ID)
			return j.Finished() && state() == rivertype.JobStateCompleted
		})
		if j.Status != earchive.StatusDone || j.Done != j.Total || j.ResultSHA256 == "" {
			t.Fatalf("taken-over export %+v", j)
		}
		if ok, err := f.blobs.Has(ctx, j.ResultSHA256); err != nil || !ok {
			t.Fatalf("the package is not in the blob store: %v", err)
		}
		if entries, _ := os.ReadDir(js.Dir); len(entries) != 0 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("the dead worker's leftovers remain: %v", names)
		}
		if auditCount(t, d, "earchive.export_done") != 1 {
			t.Error("the taken-over export was not audited once")
		}
	})
}

// cancellingBlobs is a shutdown mid-export: River cancels the job's
// context (StopAndCancel) while a file is being copied.
type cancellingBlobs struct {
	blob.Store
	cancel context.CancelFunc
}

func (b cancellingBlobs) Open(ctx context.Context, _ string) (io.ReadCloser, error) {
	b.cancel()
	return nil, ctx.Err()
}

// TestShutdownMidExportRecordsTheFailure: the failure of an export stopped
// by a shutdown is recorded although the job's context is cancelled, so
// the export does not stay running; River is told not to retry.
func TestShutdownMidExportRecordsTheFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		js := newJobs(t, f)
		j, err := js.Start(context.Background(), year2026, 0)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.ex.Blobs = cancellingBlobs{f.blobs, cancel}
		err = js.Run(ctx, j.ID)
		var jc *river.JobCancelError
		if !errors.As(err, &jc) || ctx.Err() == nil {
			t.Fatalf("export stopped by a shutdown returned %v (context %v), want River's cancel", err, ctx.Err())
		}
		j, _ = js.Get(context.Background(), j.ID)
		if j.Status != earchive.StatusFailed || !strings.Contains(j.Error, "avbröts") || j.FinishedAt == nil {
			t.Fatalf("export stopped by a shutdown %+v", j)
		}
		if auditCount(t, d, "earchive.export_failed") != 1 {
			t.Error("the failure was not audited")
		}
		if entries, _ := os.ReadDir(js.Dir); len(entries) != 0 {
			t.Errorf("the stopped export left %v", entries)
		}
	})
}
