package db

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	ddl := "CREATE TABLE x (id SERIAL_PK, at TSTZ, b BYTES);\n--sqlite: CREATE VIRTUAL TABLE x_fts USING fts5(t);\n--postgres: CREATE INDEX x_gin ON x USING gin (t);\n"
	sq := Translate(SQLite, ddl)
	pg := Translate(Postgres, ddl)
	for _, c := range []struct {
		got, want, not string
	}{
		{sq, "CREATE VIRTUAL TABLE x_fts", "USING gin"},
		{sq, "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMPTZ"},
		{pg, "CREATE INDEX x_gin ON x USING gin", "CREATE VIRTUAL"},
		{pg, "BYTEA", "BLOB"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("lacks %q:\n%s", c.want, c.got)
		}
		for _, line := range strings.Split(c.got, "\n") {
			if strings.Contains(line, c.not) && !strings.HasPrefix(line, "--") {
				t.Errorf("has live %q:\n%s", c.not, c.got)
			}
		}
	}
}

func TestRebind(t *testing.T) {
	t.Parallel()
	got := rebind(Postgres, `SELECT '?', "a?" FROM t WHERE a = ? AND b = ?`)
	if got != `SELECT '?', "a?" FROM t WHERE a = $1 AND b = $2` {
		t.Fatal(got)
	}
	if rebind(SQLite, "a = ?") != "a = ?" {
		t.Fatal("sqlite rebound")
	}
}

// TestSQLitePathWithURICharacters: a data directory whose name holds ?, #
// or % (Go's subtest temp dirs do: "#01") opens the right file.
func TestSQLitePathWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/a#b?c%d"
	d, err := Open(context.Background(), "sqlite:"+dir+"/x.db")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(context.Background(), "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + "/x.db"); err != nil {
		t.Fatalf("database not at its path: %v", err)
	}
}
