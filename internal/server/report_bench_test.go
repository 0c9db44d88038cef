package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/demo"
	"tilltal/internal/report"
	"tilltal/internal/server"
)

// benchItems is how many of the public's items the report benchmark
// puts in one year; TILLTAL_BENCH_REPORT_ITEMS overrides it for a quick
// look.
const benchItems = 1_000_000

// BenchmarkReportYear renders every report page over one year holding
// 1,000,000 items, compared with a previous year holding as many, on
// SQLite and PostgreSQL, from the pre-aggregated figures — each page must
// take well under a second. It also logs how long the full rebuild of
// those figures took. Seeding takes minutes, so it runs only with
// TILLTAL_BENCH_REPORT=1:
//
//	TILLTAL_BENCH_REPORT=1 go test ./internal/server -run '^$' -bench ReportYear -benchtime 5x
func BenchmarkReportYear(b *testing.B) {
	if os.Getenv("TILLTAL_BENCH_REPORT") != "1" {
		b.Skip("set TILLTAL_BENCH_REPORT=1 to seed a year of 1,000,000 items and time the report pages")
	}
	n := benchItems
	if v := os.Getenv("TILLTAL_BENCH_REPORT_ITEMS"); v != "" {
		fmt.Sscan(v, &n)
	}
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			app := benchApp(b, dialect)
			ctx := context.Background()
			seedYear(b, app.DB, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), 2*n, 2)
			start := time.Now()
			if err := app.Reports.Rebuild(ctx); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: rebuilt the figures of %d items in %v", dialect, 2*n, time.Since(start).Round(time.Millisecond))
			cookie := benchLogin(b, app.Handler)
			query := "?from=2025-06-01&to=2026-05-31"
			for _, name := range report.Names {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, "/rapporter/"+name+query, nil)
						req.Header.Set("Cookie", cookie)
						rec := httptest.NewRecorder()
						app.Handler.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
						}
					}
				})
			}
		})
	}
}

// benchApp is a Tilltal with the demo seed on a fresh database.
func benchApp(b *testing.B, dialect db.Dialect) *server.App {
	dir := b.TempDir()
	env := map[string]string{"TILLTAL_DATABASE": dbtest.DSN(b, dialect), "TILLTAL_DATA_DIR": dir, "TILLTAL_KEY_FILE": filepath.Join(dir, "secret.key")}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { app.Close() })
	if err := demo.Seed(context.Background(), app.Org); err != nil {
		b.Fatal(err)
	}
	return app
}

// seedYear writes n of the public's items spread over the years from
// from, on twelve channels in the demo's departments: four in five
// answered after an exponentially distributed wait (mean three hours),
// three in ten questions, one in seven positive, one in a hundred flagged.
func seedYear(b *testing.B, d *db.DB, from time.Time, n, years int) {
	ctx := context.Background()
	type ch struct{ id, dept, thread int64 }
	var chans []ch
	platforms := []string{"facebook", "instagram", "linkedin", "youtube"}
	now := time.Now().UTC()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM departments ORDER BY id")
		if err != nil {
			return err
		}
		var depts []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			depts = append(depts, id)
		}
		rows.Close()
		for i := range 12 {
			c := ch{dept: depts[i%len(depts)]}
			if c.id, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)",
				c.dept, platforms[i%4], fmt.Sprintf("bench-%d", i), fmt.Sprintf("Kanal %02d", i), now, now); err != nil {
				return err
			}
			if c.thread, err = tx.InsertID(ctx, "INSERT INTO threads (channel_id, external_id, kind, created_at, last_activity_at) VALUES (?, 'post', 'post', ?, ?)", c.id, now, now); err != nil {
				return err
			}
			chans = append(chans, c)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 9))
	span := int64(years) * int64(365*24*time.Hour)
	const perStmt, perTx = 400, 25
	start := time.Now()
	for done := 0; done < n; {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for s := 0; s < perTx && done < n; s++ {
				k := min(perStmt, n-done)
				var q strings.Builder
				q.WriteString(`INSERT INTO items (channel_id, department_id, thread_id, platform, external_id, kind, body, sentiment, flags,
					posted_at, received_at, updated_at, first_response_at) VALUES `)
				args := make([]any, 0, k*13)
				for i := range k {
					if i > 0 {
						q.WriteByte(',')
					}
					q.WriteString("(?, ?, ?, ?, ?, 'comment', ?, ?, ?, ?, ?, ?, ?)")
					c := chans[rng.IntN(len(chans))]
					posted := from.Add(time.Duration(rng.Int64N(span))).Truncate(time.Second)
					body, sentiment, flags := "Tack för informationen.", "", ""
					if rng.IntN(10) < 3 {
						body = "När öppnar återvinningscentralen?"
					}
					if rng.IntN(7) == 0 {
						sentiment = "positive"
					}
					if rng.IntN(100) == 0 {
						flags = "threat"
					}
					var first any
					if rng.IntN(5) > 0 {
						first = posted.Add(time.Duration(rng.ExpFloat64() * float64(3*time.Hour))).Truncate(time.Second)
					}
					args = append(args, c.id, c.dept, c.thread, platforms[(c.id-chans[0].id)%4], fmt.Sprintf("b%d", done+i), body, sentiment, flags,
						posted, posted, posted, first)
				}
				if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
					return err
				}
				done += k
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d items in %v", n, time.Since(start).Round(time.Second))
}

// benchLogin signs in the demo communicator and returns the session cookie.
func benchLogin(b *testing.B, h http.Handler) string {
	get := httptest.NewRecorder()
	h.ServeHTTP(get, httptest.NewRequest(http.MethodGet, "/login", nil))
	m := csrfField.FindStringSubmatch(get.Body.String())
	if m == nil {
		b.Fatal("no csrf field on /login")
	}
	var cookies []string
	for _, c := range get.Result().Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	form := url.Values{"email": {communicatorEmail}, "password": {demo.Password}, "csrf": {m[1]}, "next": {"/"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("login: %d %s", rec.Code, rec.Body.String())
	}
	for _, c := range rec.Result().Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return strings.Join(cookies, "; ")
}
