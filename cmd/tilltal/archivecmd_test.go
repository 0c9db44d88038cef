package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestArchiveVerifyCommand runs tilltal archive verify on an intact
// archive and on one with a changed record.
func TestArchiveVerifyCommand(t *testing.T) {
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
			for i := range 5 {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindItemVersion, ChannelID: 1, Direction: archive.In,
						CapturedAt: at.Add(time.Duration(i) * time.Minute), Content: []byte(`{"text":"Hej kommunen"}`)})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			out, err := run(t, env, "", "archive", "verify")
			if err != nil || !strings.HasPrefix(out, "ok: 5 records verified") || strings.Count(out, "\n") != 1 {
				t.Fatalf("intact archive: %q %v", out, err)
			}
			if _, err := d.Exec(ctx, "UPDATE archive_records SET content = ? WHERE seq = 3", []byte(`{"text":"Hej kommunen!"}`)); err != nil {
				t.Fatal(err)
			}
			out, err = run(t, env, "", "archive", "verify")
			if err == nil || out != "" || !strings.Contains(err.Error(), "record 3") {
				t.Fatalf("tampered archive: %q %v", out, err)
			}
		})
	}
}
