// Package dbtest gives tests a fresh, migrated database of each dialect, so
// that every store test runs on SQLite and on PostgreSQL.
//
// PostgreSQL is found through TILLTAL_TEST_POSTGRES (a URL to a database the
// tests may create schemas in), by default postgres://root@127.0.0.1:5432/postgres.
// When it cannot be reached the PostgreSQL half is skipped with a message,
// except under CI=true, where that is a failure.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
)

// DefaultPostgres is where the tests look for PostgreSQL when
// TILLTAL_TEST_POSTGRES is not set.
const DefaultPostgres = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects are the databases every store test runs on.
var Dialects = []db.Dialect{db.SQLite, db.Postgres}

// Each runs fn as a subtest on a fresh database of every dialect.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, dialect))
		})
	}
}

// New returns a fresh, migrated database of the dialect, removed when the
// test ends.
func New(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	dsn := DSN(t, dialect)
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", dialect, err)
	}
	t.Cleanup(func() { d.Close() })
	if err := migrations.Up(ctx, d, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", dialect, err)
	}
	return d
}

// DSN returns a TILLTAL_DATABASE value for an empty database of the dialect
// (not yet migrated), removed when the test ends.
func DSN(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "tilltal.db")
	}
	base := PostgresURL(t)
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var (
	probeOnce sync.Once
	probeErr  error
)

// PostgresURL returns the test server's URL, or skips (fails under CI) the
// test when PostgreSQL cannot be reached.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TILLTAL_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	probeOnce.Do(func() {
		d, err := sql.Open("pgx", base)
		if err != nil {
			probeErr = err
			return
		}
		defer d.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		probeErr = d.PingContext(ctx)
	})
	if probeErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dbtest: PostgreSQL at %s is required under CI: %v", redacted(base), probeErr)
		}
		t.Skipf("dbtest: PostgreSQL not reachable at %s (%v); set TILLTAL_TEST_POSTGRES to run the PostgreSQL half", redacted(base), probeErr)
	}
	return base
}

func redacted(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparseable URL)"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
