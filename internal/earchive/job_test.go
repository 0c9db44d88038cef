package earchive_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
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
