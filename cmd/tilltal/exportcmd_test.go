package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestExportCommand writes a package of a period as a ZIP and as a folder,
// printing only its path; an empty period fails on one line and writes
// nothing.
func TestExportCommand(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			env := map[string]string{"TILLTAL_DATABASE": dbtest.DSN(t, dialect), "TILLTAL_DATA_DIR": t.TempDir()}
			if _, err := run(t, env, "", "migrate"); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			d, err := db.Open(ctx, env["TILLTAL_DATABASE"])
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			at := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
			for i := range 3 {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindItemVersion, Direction: archive.In, AuthorName: "Åsa",
						OccurredAt: at.Add(time.Duration(i) * time.Hour), CapturedAt: at, ContentType: archive.ContentJSON, Content: []byte(`{"text":"Hej kommunen"}`)})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			out, err := run(t, env, "", "export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", dir, "--zip")
			if err != nil {
				t.Fatal(err)
			}
			path := strings.TrimSuffix(out, "\n")
			if strings.Count(out, "\n") != 1 || filepath.Dir(path) != dir || !strings.HasSuffix(path, ".zip") || !strings.HasPrefix(filepath.Base(path), "uuid-") {
				t.Fatalf("stdout %q", out)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
				t.Fatalf("package %s: %v", path, err)
			}
			out, err = run(t, env, "", "export", "--seq", "2", "--out", dir)
			if err != nil {
				t.Fatal(err)
			}
			folder := strings.TrimSpace(out)
			if _, err := os.Stat(filepath.Join(folder, "METS.xml")); err != nil {
				t.Fatalf("folder package: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(folder, "representations/rep1/data/records/2.json")); !strings.Contains(string(b), "Hej kommunen") {
				t.Errorf("record 2 not exported: %s", b)
			}

			empty := filepath.Join(t.TempDir(), "tom")
			out, err = run(t, env, "", "export", "--from", "2020-01-01", "--to", "2020-12-31", "--out", empty)
			if err == nil || out != "" || !strings.Contains(err.Error(), "inga handlingar") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("empty period: %q %v", out, err)
			}
			if _, err := os.Stat(empty); !os.IsNotExist(err) {
				t.Error("the empty export created its folder")
			}
			if _, err := run(t, env, "", "export", "--from", "2026-13-01", "--to", "2026-12-31", "--out", dir); err == nil {
				t.Error("a bad date was accepted")
			}
		})
	}
}
