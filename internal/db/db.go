// Package db opens Tilltal's database — embedded SQLite or PostgreSQL — and is
// the only package that knows which one it talks to. Everything else writes
// portable SQL with ? placeholders and goes through DB and Tx, which rebind
// them for PostgreSQL.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"tilltal/internal/config"
)

// Dialect names the SQL dialect of a database.
type Dialect string

// The two dialects Tilltal runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. On SQLite, writes go through one connection (SQLite
// allows one writer; a pool of writers only produces SQLITE_BUSY) and reads
// through a pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	// Write is the pool that writes and opens transactions. Use Begin or
	// InTx rather than this directly; it is exported for the job queue and
	// the migrations tool, which need a *sql.DB.
	Write *sql.DB
	// Read is the pool for queries outside a transaction.
	Read *sql.DB
	// DSN is the TILLTAL_DATABASE value this was opened from.
	DSN string

	health *writeHealth
}

// Open opens and pings the database named by dsn (sqlite:PATH or postgres://).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if err := config.ValidateDatabase(dsn); err != nil {
		return nil, err
	}
	var d *DB
	var err error
	if strings.HasPrefix(dsn, "sqlite:") {
		d, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	} else {
		d, err = openPostgres(dsn)
	}
	if err != nil {
		return nil, err
	}
	d.DSN = dsn
	d.health = &writeHealth{}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pctx); err != nil {
		d.Close()
		// pgx reports one line per address tried; keep the message on one line.
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		return nil, fmt.Errorf("db: cannot reach the database: %s", msg)
	}
	return d, nil
}

func openSQLite(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("db: create %s: %w", dir, err)
		}
	}
	// WAL lets readers run beside the writer; foreign keys are off in SQLite
	// unless asked for; the busy timeout makes a second process wait instead
	// of failing; immediate transactions take the write lock at BEGIN so two
	// writers never deadlock upgrading from a read lock.
	// The path goes into a file: URI, where ?, # and % mean something;
	// SQLite decodes percent escapes in URI file names.
	path = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	common := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_time_format=sqlite"
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	// The writer keeps its prepared statements (see stmtcache.go); its
	// driver is the registered one, with whatever functions it was given.
	// Its page cache holds the hot index pages of a large inbox (64 MiB,
	// one connection).
	w := sql.OpenDB(stmtCacheConnector{dsn: "file:" + path + "?" + common + "&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate", drv: r.Driver()})
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	return &DB{Dialect: SQLite, Write: w, Read: r}, nil
}

func openPostgres(dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	p.SetMaxOpenConns(20)
	p.SetMaxIdleConns(10)
	p.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Dialect: Postgres, Write: p, Read: p}, nil
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.Write.PingContext(ctx); err != nil {
		return err
	}
	if d.Read != d.Write {
		return d.Read.PingContext(ctx)
	}
	return nil
}

// Close closes the pools.
func (d *DB) Close() error {
	err := d.Write.Close()
	if d.Read != d.Write {
		err = errors.Join(err, d.Read.Close())
	}
	return err
}

// Rebind turns ? placeholders into $1, $2, … for PostgreSQL. Question marks
// inside quoted strings and identifiers are left alone.
func (d *DB) Rebind(q string) string { return rebind(d.Dialect, q) }

func rebind(dialect Dialect, q string) string {
	if dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Exec runs a statement on the write pool outside a transaction.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := d.Write.ExecContext(ctx, d.Rebind(q), args...)
	d.health.note(err)
	return res, err
}

// Query runs a query on the read pool.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.Read.QueryContext(ctx, d.Rebind(q), args...)
}

// QueryRow runs a query on the read pool that returns at most one row.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.Read.QueryRowContext(ctx, d.Rebind(q), args...)
}

// Tx is a write transaction with the same rebinding as DB.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	health  *writeHealth
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.Tx.ExecContext(ctx, rebind(t.Dialect, q), args...)
	if err != nil {
		t.health.note(err)
	}
	return res, err
}

// Commit commits the transaction and remembers whether the database could
// store it (see CheckWrite).
func (t *Tx) Commit() error {
	err := t.Tx.Commit()
	t.health.note(err)
	return err
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, rebind(t.Dialect, q), args...)
}

// QueryRow runs a query in the transaction that returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, rebind(t.Dialect, q), args...)
}

// InsertID runs an INSERT … RETURNING id and returns the id. Both SQLite and
// PostgreSQL understand RETURNING.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// Begin starts a write transaction.
func (d *DB) Begin(ctx context.Context) (*Tx, error) {
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		d.health.note(err)
		return nil, err
	}
	return &Tx{Tx: tx, Dialect: d.Dialect, health: d.health}, nil
}

// BeginRead starts a read-only transaction on the read pool that sees one
// moment of the database across several queries, however long they take:
// REPEATABLE READ on PostgreSQL; on SQLite every read transaction is a
// snapshot under WAL, and it does not hold the only writer. Roll it back
// when done.
func (d *DB) BeginRead(ctx context.Context) (*Tx, error) {
	var opts *sql.TxOptions
	if d.Dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := d.Read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, Dialect: d.Dialect}, nil
}

// InTx runs fn in a write transaction and commits it when fn returns nil.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
