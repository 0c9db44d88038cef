package earchive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
)

// Export job statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Job is an export run as a background job (table exports).
type Job struct {
	ID         int64
	PackageID  string
	Selection  Selection
	Zip        bool
	Status     string
	Total      int
	Done       int
	ResultPath string
	ResultSize int64
	// ResultSHA256 names the finished package in the blob store; empty for
	// a package kept as a file at ResultPath.
	ResultSHA256 string
	Error        string
	CreatedAt    time.Time
	CreatedBy    int64
	FinishedAt   *time.Time
}

// Percent is how far the export has come.
func (j Job) Percent() int {
	if j.Status == StatusDone {
		return 100
	}
	if j.Total == 0 {
		return 0
	}
	return j.Done * 100 / j.Total
}

// Finished reports whether the job ended, either way.
func (j Job) Finished() bool { return j.Status == StatusDone || j.Status == StatusFailed }

// FileName is the download's name.
func (j Job) FileName() string { return filepath.Base(j.ResultPath) }

// Jobs starts exports as River jobs and keeps their state; the packages
// are ZIP files under Dir.
type Jobs struct {
	Exporter *Exporter
	Queue    *jobs.Queue
	Dir      string
}

// heartbeat is how often a running export notes that it is alive and how
// far it has come; stale is when another worker may take it over.
const (
	heartbeat = 2 * time.Second
	stale     = 30 * time.Second
)

// Start validates the selection, refuses an empty one, and enqueues the
// export in the transaction that records it.
func (s *Jobs) Start(ctx context.Context, sel Selection, userID int64) (Job, error) {
	if err := sel.Validate(); err != nil {
		return Job{}, err
	}
	n, err := s.Exporter.Count(ctx, sel)
	if err != nil {
		return Job{}, err
	}
	if n == 0 {
		return Job{}, ErrEmpty
	}
	now := s.Exporter.now()
	j := Job{PackageID: NewPackageID(), Selection: sel, Zip: true, Status: StatusQueued, Total: n, CreatedAt: now, CreatedBy: userID}
	err = s.Exporter.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO exports (package_id, period_from, period_to, channel_id, seqs, as_zip, status, total, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, j.PackageID, nullTime(sel.From), nullTime(sel.To), sel.ChannelID, joinSeqs(sel.Seqs),
			true, StatusQueued, n, now, nullID(userID)).Scan(&j.ID)
		if err != nil {
			return fmt.Errorf("earchive: start: %w", err)
		}
		if _, err := s.Queue.InsertTx(ctx, tx, ExportArgs{ID: j.ID}, &river.InsertOpts{MaxAttempts: 3}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "earchive.export", ObjectType: "export", ObjectID: audit.ID(j.ID),
			Summary: fmt.Sprintf("Export till e-arkivet startad (%d handlingar, %s)", n, sel.Describe()),
			Detail:  map[string]any{"package_id": j.PackageID, "records": n}})
	})
	return j, err
}

const jobColumns = `id, package_id, period_from, period_to, channel_id, seqs, as_zip, status, total, done, result_path, result_size, result_sha256, error, created_at, COALESCE(created_by, 0), finished_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var from, to, finished sql.NullTime
	var seqs string
	err := row.Scan(&j.ID, &j.PackageID, &from, &to, &j.Selection.ChannelID, &seqs, &j.Zip, &j.Status, &j.Total, &j.Done, &j.ResultPath, &j.ResultSize, &j.ResultSHA256,
		&j.Error, &j.CreatedAt, &j.CreatedBy, &finished)
	if from.Valid {
		j.Selection.From = from.Time.UTC()
	}
	if to.Valid {
		j.Selection.To = to.Time.UTC()
	}
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	j.Selection.Seqs, _ = ParseSeqs(seqs)
	j.CreatedAt = j.CreatedAt.UTC()
	return j, err
}

// Get returns one export.
func (s *Jobs) Get(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.Exporter.DB.QueryRow(ctx, "SELECT "+jobColumns+" FROM exports WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, apperr.NotFoundf("Exporten finns inte")
	}
	if err != nil {
		return Job{}, fmt.Errorf("earchive: export %d: %w", id, err)
	}
	return j, nil
}

// List returns the latest exports, newest first.
func (s *Jobs) List(ctx context.Context, limit int) ([]Job, error) {
	rows, err := s.Exporter.DB.Query(ctx, "SELECT "+jobColumns+" FROM exports ORDER BY id DESC LIMIT "+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("earchive: exports: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Downloaded records in the audit log that someone fetched an export: the
// package holds secret records in full.
func (s *Jobs) Downloaded(ctx context.Context, j Job) error {
	return s.Exporter.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.Exporter.now(), audit.Entry{Action: "earchive.download", ObjectType: "export", ObjectID: audit.ID(j.ID),
			Summary: "Export till e-arkivet hämtad: " + j.FileName()})
	})
}

// Run performs a queued export: the worker's work. A job another worker
// is still running (its heartbeat is fresh) is left to it for now and
// looked at again once the heartbeat would be stale (see busy); one whose
// worker died is started over, its partial output removed first.
func (s *Jobs) Run(ctx context.Context, id int64) error {
	d, now := s.Exporter.DB, s.Exporter.now()
	res, err := d.Exec(ctx, `UPDATE exports SET status = ?, done = 0, heartbeat_at = ? WHERE id = ? AND (status = ? OR (status = ? AND (heartbeat_at IS NULL OR heartbeat_at < ?)))`,
		StatusRunning, now, id, StatusQueued, StatusRunning, now.Add(-stale))
	if err != nil {
		return fmt.Errorf("earchive: claim export %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.busy(ctx, id, now)
	}
	j, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	s.removeLeftovers(j.PackageID)
	last := time.Now()
	out, err := s.Exporter.Export(ctx, Options{Selection: j.Selection, Dir: s.Dir, Zip: true, PackageID: j.PackageID,
		Progress: func(done, total int) error {
			if time.Since(last) < heartbeat && done < total {
				return nil
			}
			last = time.Now()
			_, err := d.Exec(ctx, "UPDATE exports SET done = ?, total = ?, heartbeat_at = ? WHERE id = ?", done, total, s.Exporter.now(), id)
			return err
		}})
	if err != nil {
		return s.fail(ctx, j, err)
	}
	sum, size, err := s.keep(ctx, out.Path)
	if err != nil {
		return s.fail(ctx, j, err)
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		now := s.Exporter.now()
		if _, err := tx.Exec(ctx, "UPDATE exports SET status = ?, done = ?, total = ?, result_path = ?, result_size = ?, result_sha256 = ?, finished_at = ? WHERE id = ?",
			StatusDone, out.Records, out.Records, out.Path, size, sum, now, id); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, audit.System("earchive")), tx, now, audit.Entry{Action: "earchive.export_done", ObjectType: "export",
			ObjectID: audit.ID(id), Summary: fmt.Sprintf("Export till e-arkivet klar: %d handlingar, %d filer", out.Records, out.Files)})
	})
}

// busy answers for an export the claim did not get. One that ended is
// left alone. One still marked running has a fresh heartbeat: either its
// worker lives (on PostgreSQL, River's rescuer may hand a long export out
// again) or it died a moment ago (SIGKILL, or a shutdown whose failure
// could not be recorded) and River handed the job out at once. Completing
// the job then would leave the export running forever, so it is snoozed
// until the heartbeat would be stale, when a dead worker's export is
// taken over and a live one's is looked at again. A snooze does not use
// up one of the job's attempts.
func (s *Jobs) busy(ctx context.Context, id int64, now time.Time) error {
	var status string
	var beat sql.NullTime
	err := s.Exporter.DB.QueryRow(ctx, "SELECT status, heartbeat_at FROM exports WHERE id = ?", id).Scan(&status, &beat)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("earchive: export %d: %w", id, err)
	}
	if status == StatusDone || status == StatusFailed {
		return nil
	}
	wait := stale
	if beat.Valid {
		wait = beat.Time.Add(stale).Sub(now)
	}
	// A heartbeat's margin: the claim wants the heartbeat older than stale.
	return river.JobSnooze(max(wait, 0) + heartbeat)
}

// removeLeftovers removes what a worker that died left of an export: the
// package being written, its scratch files, and a package it finished
// but did not record (the export is not done, so nobody has fetched it).
func (s *Jobs) removeLeftovers(packageID string) {
	os.RemoveAll(filepath.Join(s.Dir, "."+packageID+".partial"))
	os.Remove(filepath.Join(s.Dir, "."+packageID+".zip.partial"))
	os.Remove(filepath.Join(s.Dir, packageID+".zip"))
	scratch, _ := filepath.Glob(filepath.Join(s.Dir, "."+packageID+".scratch-*"))
	for _, p := range scratch {
		os.RemoveAll(p)
	}
}

// keep moves a finished package into the blob store, so that whichever
// instance answers the download finds it; without a blob store it stays a
// file. It returns the package's hash ("" for a file) and size.
func (s *Jobs) keep(ctx context.Context, path string) (string, int64, error) {
	if s.Exporter.Blobs == nil {
		fi, err := os.Stat(path)
		if err != nil {
			return "", 0, err
		}
		return "", fi.Size(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	sum, size, err := s.Exporter.Blobs.Put(ctx, f)
	if err != nil {
		return "", 0, fmt.Errorf("earchive: store the package: %w", err)
	}
	os.Remove(path)
	return sum, size, nil
}

// Open returns a finished export's package for download.
func (s *Jobs) Open(ctx context.Context, j Job) (io.ReadCloser, error) {
	if j.Status != StatusDone {
		return nil, apperr.Conflictf("Exporten är inte klar")
	}
	var r io.ReadCloser
	var err error
	if j.ResultSHA256 != "" && s.Exporter.Blobs != nil {
		r, err = s.Exporter.Blobs.Open(ctx, j.ResultSHA256)
	} else {
		r, err = os.Open(j.ResultPath)
	}
	if err != nil {
		return nil, apperr.NotFoundf("Exportens fil finns inte längre")
	}
	return r, nil
}

// fail marks the export failed with its reason; the exporter has removed
// the partial output. An export stopped by a shutdown fails with a
// cancelled ctx, so the failure is recorded without it: were it not, the
// export would stay running.
func (s *Jobs) fail(ctx context.Context, j Job, cause error) error {
	reason := apperr.Message(cause)
	switch {
	case ctx.Err() != nil:
		reason = "Exporten avbröts innan den blev klar, när tjänsten stängdes av. Starta den igen."
	case apperr.KindOf(cause) == apperr.Internal:
		reason = "Exporten misslyckades: " + cause.Error()
	}
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	ctx = context.WithoutCancel(ctx)
	err := s.Exporter.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.Exporter.now()
		if _, err := tx.Exec(ctx, "UPDATE exports SET status = ?, error = ?, finished_at = ? WHERE id = ?", StatusFailed, reason, now, j.ID); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, audit.System("earchive")), tx, now, audit.Entry{Action: "earchive.export_failed", ObjectType: "export",
			ObjectID: audit.ID(j.ID), Summary: reason})
	})
	if err != nil {
		return err
	}
	// The failure is recorded; River need not try again.
	return river.JobCancel(cause)
}

// ExportArgs is the job that writes one export.
type ExportArgs struct {
	ID int64 `json:"id"`
}

// Kind names the job.
func (ExportArgs) Kind() string { return "earchive.export" }

// ExportWorker runs exports.
type ExportWorker struct {
	river.WorkerDefaults[ExportArgs]
	Jobs *Jobs
}

// exportTimeout bounds one export: a year of a large municipality
// (hundreds of thousands of records) takes well under an hour. It must be
// finite: River's rescuer hands out again a job left running by a killed
// process only once its timeout has passed (SQLite's queue rescues such
// jobs at start), and an export must not stay "running" for ever.
const exportTimeout = 6 * time.Hour

// Timeout lets an export take as long as a year of records takes.
func (w *ExportWorker) Timeout(*river.Job[ExportArgs]) time.Duration { return exportTimeout }

// Work runs the export.
func (w *ExportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	return w.Jobs.Run(ctx, job.Args.ID)
}

// ParseSeqs reads "1,2,3" (spaces allowed).
func ParseSeqs(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n <= 0 {
			return nil, apperr.Invalidf("Ogiltigt löpnummer %q: ange löpnummer åtskilda med kommatecken", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func joinSeqs(seqs []int64) string {
	parts := make([]string, len(seqs))
	for i, q := range seqs {
		parts[i] = strconv.FormatInt(q, 10)
	}
	return strings.Join(parts, ",")
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
