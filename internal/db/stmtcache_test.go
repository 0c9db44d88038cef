package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"tilltal/internal/db"
)

// TestCachedStatementsNest runs a query inside the loop over the rows of
// the same query text, on SQLite's writer, which keeps its prepared
// statements: the inner run must not reset the outer one's rows.
func TestCachedStatementsNest(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE n (v INTEGER NOT NULL)"); err != nil {
			return err
		}
		for i := range 5 {
			if _, err := tx.Exec(ctx, "INSERT INTO n (v) VALUES (?)", i); err != nil {
				return err
			}
		}
		const q = "SELECT v FROM n WHERE v >= ? ORDER BY v"
		rows, err := tx.Query(ctx, q, 0)
		if err != nil {
			return err
		}
		defer rows.Close()
		var outer, inner []int
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return err
			}
			outer = append(outer, v)
			var w int
			if err := tx.QueryRow(ctx, q, 4).Scan(&w); err != nil {
				return err
			}
			inner = append(inner, w)
		}
		if len(outer) != 5 || outer[4] != 4 || inner[0] != 4 {
			t.Fatalf("outer %v inner %v", outer, inner)
		}
		// The same statement again after its rows closed, with new values.
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM n WHERE v >= ?", 3).Scan(&n); err != nil || n != 2 {
			t.Fatalf("count: %d %v", n, err)
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM n WHERE v >= ?", 1).Scan(&n); err != nil || n != 4 {
			t.Fatalf("count again: %d %v", n, err)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
