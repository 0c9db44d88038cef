package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUnavailable reports whether err means the database cannot store or
// answer now — a full disk, an I/O error, a server that is down, shutting
// down or refusing connections — rather than that the request was wrong.
// Such an error is a 503 to whoever asked: the same request may succeed
// once the database is back.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY,
			sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOMEM:
			return true
		}
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources: disk full, out of memory, too many connections
			"57", // operator intervention: admin, crash or startup shutdown
			"58": // system error (I/O)
			return pg.Code != "57014" // query_canceled is ours, not the server's
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EIO) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}

// writeHealth remembers whether the last write failed because the database
// could not store it, so that readiness can say so although reads (and a
// ping) still work — on a full disk, for instance.
type writeHealth struct {
	failed atomic.Pointer[writeFailure]
}

type writeFailure struct {
	err error
	at  time.Time
}

// note records the outcome of a write: an unavailable error marks the
// database as unable to store, a success clears the mark; other errors
// (constraint violations, a caller's cancellation) say nothing about it.
func (h *writeHealth) note(err error) {
	if h == nil {
		return
	}
	switch {
	case err == nil:
		if h.failed.Load() != nil {
			h.failed.Store(nil)
		}
	case IsUnavailable(err):
		h.failed.Store(&writeFailure{err: err, at: time.Now()})
	}
}

// WriteFailure returns the error of the last write when it failed because
// the database could not store, and nil once a later write succeeded.
func (d *DB) WriteFailure() error {
	if d.health == nil {
		return nil
	}
	if f := d.health.failed.Load(); f != nil {
		return f.err
	}
	return nil
}

const probeKey = "tilltal.write_probe"

// probeBytes is how much the write probe writes: more than a typical
// delivery with its archive records, so that a disk with a few pages left
// (enough for a tiny write, not for real work) is not reported ready.
const probeBytes = 128 << 10

// CheckWrite says whether the database can store now. While no write has
// failed it costs nothing; after a failure it tries a real write (a row
// in settings of probeBytes, written and removed in one committed
// transaction, which needs the journal to grow just as a delivery does),
// so that readiness recovers by itself when space or the server comes
// back, without waiting for traffic that a load balancer no longer sends.
func (d *DB) CheckWrite(ctx context.Context) error {
	if d.WriteFailure() == nil {
		return nil
	}
	return d.InTx(ctx, func(tx *Tx) error {
		now := time.Now().UTC()
		if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
			probeKey, strings.Repeat("x", probeBytes), now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM settings WHERE key = ?", probeKey)
		return err
	})
}
