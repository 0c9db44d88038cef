package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestLoadtestEndToEnd runs tilltal loadtest for real against a server on
// loopback, on each database, for a short while: the report must count as
// many items processed as events acknowledged, give nonzero rates, and the
// ratios to the bare batched insert beside their targets; afterwards
// nothing is left unprocessed and the baseline's scratch table is gone.
// Speeds are not asserted: the machine's load decides them.
func TestLoadtestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"TILLTAL_DATABASE": dbtest.DSN(t, dialect), "TILLTAL_DATA_DIR": dir, "TILLTAL_META_APP_SECRET": crashSecret}
			for k, v := range env {
				t.Setenv(k, v)
			}
			app, base := startApp(t)
			addChannel(t, app, "loadtest-page")
			out, err := run(t, env, "", "loadtest", "--url", base, "--duration", "1500ms", "--concurrency", "4", "--events", "2", "--drain-timeout", "1m")
			t.Logf("tilltal loadtest on %s:\n%s", dialect, out)
			if err != nil {
				t.Fatal(err)
			}
			acked := number(t, out, `(\d+) acknowledged \(`)
			events := number(t, out, `from (\d+) acknowledged events`)
			items := number(t, out, `processed: (\d+) items`)
			if acked == 0 || events != 2*acked {
				t.Errorf("%v deliveries and %v events acknowledged, want two events each", acked, events)
			}
			if items != events {
				t.Errorf("%v items processed from %v acknowledged events", items, events)
			}
			for _, rate := range []string{
				`\(([\d.]+) deliveries/s`, `, ([\d.]+) events/s\)`, `first send \(([\d.]+) events/s\)`, `baseline: ([\d.]+) rows/s`,
				`acknowledged: ([\d.]+)× \(target ≥ 0\.5×\)`, `processed: ([\d.]+)× \(target ≥ 0\.25×\)`,
			} {
				if number(t, out, rate) <= 0 {
					t.Errorf("%s is not positive", rate)
				}
			}
			for _, line := range []string{`ack latency: p50 \S+  p90 \S+  p99 \S+  max \S+`, `drain: \S+ after the last answer`} {
				if !regexp.MustCompile(line).MatchString(out) {
					t.Errorf("no %q", line)
				}
			}
			ctx := context.Background()
			count := func(q string) int {
				var n int
				if err := app.DB.QueryRow(ctx, q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := count("SELECT COUNT(*) FROM webhook_arrivals"); n != 0 {
				t.Errorf("%d deliveries unprocessed when the load test reported", n)
			}
			if n := count("SELECT COUNT(*) FROM items WHERE external_id LIKE 'lt%'"); float64(n) != items {
				t.Errorf("%d items in the database, the report says %v", n, items)
			}
			scratch := "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'loadtest_baseline%'"
			if dialect == db.Postgres {
				scratch = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'loadtest_baseline%'"
			}
			if n := count(scratch); n != 0 {
				t.Errorf("the baseline left %d scratch tables", n)
			}
		})
	}
}

// number is the number the pattern's group matches in out.
func number(t *testing.T, out, pattern string) float64 {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in the report", pattern)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
