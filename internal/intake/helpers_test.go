package intake_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/intake"
	"tilltal/internal/platform/meta"
)

const (
	appSecret   = "app-hemlighet"
	verifyToken = "verifiera-mig"
	pageID      = "1000000001"
	igID        = "17841400000000001"
)

var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newStore makes a Store that is stopped when the test ends, so that no
// processing (nor a retry of a held delivery) outlives its database.
func newStore(tb testing.TB, d *db.DB) *intake.Store {
	s := &intake.Store{DB: d, Now: func() time.Time { return testNow }}
	tb.Cleanup(s.Stop)
	return s
}

func newHandler(s *intake.Store) *intake.MetaWebhook {
	return &intake.MetaWebhook{Store: s, AppSecret: appSecret, VerifyToken: verifyToken, Log: discard()}
}

// addChannel registers a channel for an account.
func addChannel(t testing.TB, d *db.DB, platform, externalID string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var dep int64
		err := tx.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'KOM'").Scan(&dep)
		if err != nil {
			dep, err = tx.InsertID(ctx, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kommunikation', 'KOM', ?, ?)", testNow, testNow)
			if err != nil {
				return err
			}
		}
		id, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)",
			dep, platform, externalID, "Exempelby "+platform, testNow, testNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func post(h http.Handler, body []byte, signature string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
	if signature != "" {
		r.Header.Set(meta.SignatureHeader, signature)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func count(t testing.TB, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// tableCounts counts the rows of every table in the database, to prove
// that a refused request changed none of them.
func tableCounts(t testing.TB, d *db.DB) map[string]int {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if d.Dialect == db.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, n := range names {
		out[n] = count(t, d, `"`+n+`"`)
	}
	return out
}
