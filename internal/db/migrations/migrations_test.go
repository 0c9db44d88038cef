package migrations_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/dbtest"
)

func TestUpIsIdempotentAndComplete(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// dbtest.New already migrated once; a second run must do nothing.
		if err := migrations.Up(ctx, d, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		n, err := migrations.Pending(ctx, d)
		if err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
		for _, table := range []string{"users", "audit_log", "river_job", "channels"} {
			var c int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&c); err != nil {
				t.Fatalf("table %s: %v", table, err)
			}
		}
	})
}

func TestRebindAndUniqueViolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := "INSERT INTO departments (name, code, created_at, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
		if _, err := d.Exec(ctx, ins, "Socialförvaltningen", "SOC"); err != nil {
			t.Fatal(err)
		}
		_, err := d.Exec(ctx, ins, "Socialförvaltningen", "SOC2")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		// A question mark inside a string literal is not a placeholder.
		var s string
		if err := d.QueryRow(ctx, "SELECT name || '?' FROM departments WHERE code = ?", "SOC").Scan(&s); err != nil || s != "Socialförvaltningen?" {
			t.Fatalf("got %q, %v", s, err)
		}
	})
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// A transaction that creates a table and then fails must leave no table.
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, db.Translate(d.Dialect, "CREATE TABLE half_done (id SERIAL_PK)")); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "CREATE TABLE users (id INTEGER)")
			return err
		})
		if err == nil {
			t.Fatal("expected the second statement to fail")
		}
		var c int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM half_done").Scan(&c); err == nil {
			t.Fatal("half_done exists after a failed transaction")
		}
	})
}
