package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCacheEvictsTheLeastRecentlyUsed: once the cache is full of
// texts used once, a hot statement still gets cached, in place of the one
// used longest ago, and the cache never holds more than its bound.
func TestStatementCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	conn, err := d.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const hot = "SELECT 1 + ?"
	if _, err := conn.ExecContext(ctx, hot, 1); err != nil {
		t.Fatal(err)
	}
	for i := range maxCachedStmts + 50 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SELECT %d + ?", i+2), 1); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			if _, err := conn.ExecContext(ctx, hot, 1); err != nil { // kept recent
				t.Fatal(err)
			}
		}
	}
	err = conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		if len(c.stmts) != maxCachedStmts {
			t.Errorf("%d statements cached, bound %d", len(c.stmts), maxCachedStmts)
		}
		if _, ok := c.stmts[hot]; !ok {
			t.Error("the hot statement was evicted")
		}
		if _, ok := c.stmts["SELECT 2 + ?"]; ok {
			t.Error("the statement used longest ago is still cached")
		}
		last := fmt.Sprintf("SELECT %d + ?", maxCachedStmts+51)
		if _, ok := c.stmts[last]; !ok {
			t.Error("the newest statement was not cached")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
