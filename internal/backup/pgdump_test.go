package backup_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/dbtest"
	"tilltal/internal/org"
)

// TestPostgresDumpRestores follows the README's PostgreSQL backup: pg_dump
// of a live Tilltal database, pg_restore into a new one, and the restored
// database opens, needs no migration, holds the same data, and its archive
// verifies.
func TestPostgresDumpRestores(t *testing.T) {
	t.Parallel()
	base := dbtest.PostgresURL(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pg_dump is required under CI")
		}
		t.Skip("pg_dump not installed")
	}
	ctx := context.Background()
	src, dst := newDatabase(t, base), newDatabase(t, base)
	d, err := db.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := migrations.Up(ctx, d, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	o := &org.Store{DB: d, Now: func() time.Time { return time.Now().UTC() }}
	if _, err := o.CreateDepartment(ctx, org.Department{Name: "Räddningstjänsten", Code: "RTJ"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindItemVersion, ChannelID: 1, Direction: archive.In,
				CapturedAt: at.Add(time.Duration(i) * time.Minute), Content: []byte(`{"text":"När öppnar simhallen?"}`)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dump := filepath.Join(t.TempDir(), "tilltal.dump")
	if out, err := exec.Command("pg_dump", "-Fc", "-f", dump, "--dbname="+src).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	if out, err := exec.Command("pg_restore", "--no-owner", "--dbname="+dst, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	r, err := db.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, err := migrations.Pending(ctx, r); err != nil || n != 0 {
		t.Fatalf("restored database wants %d migrations: %v", n, err)
	}
	if rep, err := archive.Verify(ctx, r); err != nil || !rep.OK() || rep.Records != 5 {
		t.Fatalf("restored archive: %+v %v", rep, err)
	}
	restored := &org.Store{DB: r, Now: o.Now}
	if dep, err := restored.DepartmentByName(ctx, "RTJ"); err != nil || dep.Name != "Räddningstjänsten" {
		t.Fatalf("restored department: %+v %v", dep, err)
	}
}

// newDatabase creates a database for the test and drops it afterwards.
func newDatabase(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "tilltal_dump_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String()
}
