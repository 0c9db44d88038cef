package db

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestIsUnavailable classifies errors the drivers really return, and the
// errors of a request that was wrong, which must stay what they are.
func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Nothing listens on a port just closed: a real connection refusal.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	refused := func() error {
		d, err := openPostgres("postgres://u@" + addr + "/x?sslmode=disable&connect_timeout=5")
		if err != nil {
			return err
		}
		defer d.Close()
		_, err = d.Exec(ctx, "SELECT 1")
		return err
	}()

	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, "CREATE TABLE t (k TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	// A database limited to the pages it has is full at the next insert.
	var pages int
	if err := d.Write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	full := d.InTx(ctx, func(tx *Tx) error {
		for i := range 100 {
			if _, err := tx.Exec(ctx, "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("%0500d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if d.WriteFailure() == nil {
		t.Error("a full database was not noted as unable to store")
	}
	_, _ = d.Exec(ctx, "PRAGMA max_page_count = 1000000")
	if err := d.CheckWrite(ctx); err != nil || d.WriteFailure() != nil {
		t.Errorf("with room again the write check says %v, failure %v", err, d.WriteFailure())
	}
	_, _ = d.Exec(ctx, "INSERT INTO t (k) VALUES ('a')")
	duplicate := func() error { _, err := d.Exec(ctx, "INSERT INTO t (k) VALUES ('a')"); return err }()

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"sqlite full", full, true},
		{"connection refused", refused, true},
		{"admin shutdown", fmt.Errorf("x: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), true},
		{"disk full on postgres", &pgconn.PgError{Code: "53100"}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"unique violation", duplicate, false},
		{"postgres unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"query cancelled by us", &pgconn.PgError{Code: "57014"}, false},
		{"cancelled by the caller", context.Canceled, false},
		{"other", errors.New("x"), false},
		{"nil", nil, false},
	} {
		if c.want && c.err == nil {
			t.Errorf("%s: no error to classify", c.name)
			continue
		}
		if got := IsUnavailable(c.err); got != c.want {
			t.Errorf("%s: IsUnavailable(%v) = %v", c.name, c.err, got)
		}
	}
}
