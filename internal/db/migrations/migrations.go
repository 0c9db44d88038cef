// Package migrations holds Tilltal's schema as numbered SQL files and applies
// them with goose on SQLite and PostgreSQL alike. Each file is written in the
// neutral dialect of db.Translate and runs in one transaction, so a failed
// migration leaves the database as it was. River's own tables are one of the
// migrations, so the job queue's schema moves with ours.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"strconv"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"tilltal/internal/db"
)

//go:embed *.sql
var files embed.FS

// riverVersion is the goose version that installs River's tables; numbered
// between the foundation and everything after it. riverSchema pins River's
// own schema version: when River is upgraded and brings a new one, add a Go
// migration with the next free number that migrates River to it.
const (
	riverVersion = 2
	riverSchema  = 8
)

var fileName = regexp.MustCompile(`^(\d+)_[a-z0-9_]+\.sql$`)

// Up applies every migration not yet applied. On PostgreSQL a session lock
// makes instances that start at once take turns, so each migration runs once.
func Up(ctx context.Context, d *db.DB, log *slog.Logger) error {
	p, err := provider(d)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			log.Info("migration applied", "version", r.Source.Version, "duration_ms", r.Duration.Milliseconds())
		}
	}
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// UpTo applies the migrations up to and including version, for tests of
// an upgrade: a database left by an older Tilltal.
func UpTo(ctx context.Context, d *db.DB, version int64) error {
	p, err := provider(d)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Pending returns how many migrations are not yet applied.
func Pending(ctx context.Context, d *db.DB) (int, error) {
	p, err := provider(d)
	if err != nil {
		return 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: status: %w", err)
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

func provider(d *db.DB) (*goose.Provider, error) {
	ms, err := sqlMigrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	ms = append(ms, goose.NewGoMigration(riverVersion, riverMigration(d.Dialect), nil))
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		// Capabilities are developed side by side with their own number
		// ranges and land in any order; a database that has a higher
		// number already still takes a lower one that arrives later.
		goose.WithAllowOutofOrder(true),
		goose.WithGoMigrations(ms...),
	}
	dialect := goose.DialectSQLite3
	if d.Dialect == db.Postgres {
		dialect = goose.DialectPostgres
		// The advisory lock is per database; derive its id from the schema so
		// that several Tilltal schemas in one database (as in the tests) do
		// not wait for each other.
		var schema string
		if err := d.Write.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte(schema))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(lock.DefaultLockID^int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 600),
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// Migrations are registered as Go functions (so that they can be
	// translated per dialect); goose gets an empty file system.
	return goose.NewProvider(dialect, d.Write, emptyFS{}, opts...)
}

// sqlMigrations turns each embedded file into a transactional Go migration
// that runs the file translated for the dialect.
func sqlMigrations(dialect db.Dialect) ([]*goose.Migration, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	var out []*goose.Migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations: %s is not named NNNNN_name.sql", e.Name())
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		if v == riverVersion {
			return nil, fmt.Errorf("migrations: version %d is River's", v)
		}
		body, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		ddl := db.Translate(dialect, string(body))
		out = append(out, goose.NewGoMigration(v, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("%s: %w", e.Name(), err)
			}
			return nil
		}}, nil))
	}
	return out, nil
}

// riverMigration installs River's tables with River's own migrator. On
// SQLite it runs inside goose's transaction. On PostgreSQL it cannot: River
// adds an enum value in one version and uses it in a later one, which
// PostgreSQL refuses within one transaction, so River runs each of its
// versions in a transaction of its own.
func riverMigration(dialect db.Dialect) *goose.GoFunc {
	opts := &rivermigrate.MigrateOpts{TargetVersion: riverSchema}
	if dialect == db.Postgres {
		return &goose.GoFunc{RunDB: func(ctx context.Context, sdb *sql.DB) error {
			m, err := rivermigrate.New(riverdatabasesql.New(sdb), nil)
			if err == nil {
				_, err = m.Migrate(ctx, rivermigrate.DirectionUp, opts)
			}
			return wrapRiver(err)
		}}
	}
	return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		m, err := rivermigrate.New(riversqlite.New(nil), nil)
		if err == nil {
			_, err = m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, opts)
		}
		return wrapRiver(err)
	}}
}

func wrapRiver(err error) error {
	if err != nil {
		return fmt.Errorf("river schema: %w", err)
	}
	return nil
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) { return nil, fs.ErrNotExist }
