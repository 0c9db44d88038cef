package db

import (
	"context"
	"database/sql/driver"
)

// SQLite compiles every statement it is given before running it, and
// database/sql prepares anew for each call with arguments: on the write
// path, where a webhook delivery's processing runs a few dozen small
// statements, compiling them was a third of the CPU. The writer's
// connection therefore keeps its prepared statements and runs the same
// text again without compiling it. PostgreSQL's driver (pgx) caches its
// statements per connection by itself.

// maxCachedStmts bounds the statements a connection keeps; past it, new
// texts run uncached. maxCachedArgs leaves out only the largest
// statements: multi-row INSERTs and IN lists are cached too when their
// callers keep their texts few (db.Chunks, db.InList), since compiling a
// 64-row INSERT costs as much as running it.
const (
	maxCachedStmts = 512
	maxCachedArgs  = 4096
)

// stmtCacheConnector opens SQLite connections that keep their statements.
type stmtCacheConnector struct {
	dsn string
	drv driver.Driver
}

func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		return conn, nil
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

func (c stmtCacheConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what database/sql uses of a modernc.org/sqlite connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is a connection with its prepared statements by text.
// database/sql uses a connection from one goroutine at a time (rows
// included), so it needs no lock.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
	// clock counts uses, for evict.
	clock uint64
}

// cachedStmt is a prepared statement; busy while its rows are open, when a
// second use of the same text (a query inside the loop over its own rows)
// runs uncached rather than reset it.
type cachedStmt struct {
	s    preparedStmt
	busy bool
	// used is the connection's clock at its last use.
	used uint64
}

// stmt returns the cached statement for q, preparing it if there is room,
// or nil when q should run uncached.
func (c *cachingConn) stmt(ctx context.Context, q string, args int) *cachedStmt {
	c.clock++
	if st, ok := c.stmts[q]; ok {
		if st.busy {
			return nil
		}
		st.used = c.clock
		return st
	}
	if args > maxCachedArgs || (len(c.stmts) >= maxCachedStmts && !c.evict()) {
		return nil
	}
	s, err := c.sqliteConn.PrepareContext(ctx, q)
	if err != nil {
		// Let the uncached path report it.
		return nil
	}
	ps, ok := s.(preparedStmt)
	if !ok {
		s.Close()
		return nil
	}
	st := &cachedStmt{s: ps, used: c.clock}
	c.stmts[q] = st
	return st
}

// evict finalizes the statement used longest ago that is not busy, to
// make room: texts seen once (an IN list of an odd length) must not keep
// the hot ones out for the life of the connection. It scans the cache,
// which only happens when a new text meets a full one.
func (c *cachingConn) evict() bool {
	var oldest string
	var at uint64
	for q, st := range c.stmts {
		if !st.busy && (oldest == "" || st.used < at) {
			oldest, at = q, st.used
		}
	}
	if oldest == "" {
		return false
	}
	c.stmts[oldest].s.Close()
	delete(c.stmts, oldest)
	return true
}

func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	st := c.stmt(ctx, q, len(args))
	if st == nil {
		return c.sqliteConn.ExecContext(ctx, q, args)
	}
	return st.s.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.stmt(ctx, q, len(args))
	if st == nil {
		return c.sqliteConn.QueryContext(ctx, q, args)
	}
	rows, err := st.s.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	st.busy = true
	return &cachedRows{Rows: rows, st: st}, nil
}

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, st := range c.stmts {
		st.s.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	st *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.st.busy = false
	return err
}
