package main

import (
	"strings"
	"testing"

	"tilltal/internal/dbtest"
)

// TestReportRebuild: the rebuild command works on a new database and
// prints only its result.
func TestReportRebuild(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			env := map[string]string{"TILLTAL_DATABASE": dbtest.DSN(t, dialect), "TILLTAL_DATA_DIR": t.TempDir()}
			out, err := run(t, env, "", "report", "rebuild")
			if err != nil || !strings.HasPrefix(out, "0 rows of daily figures in ") || strings.Count(out, "\n") != 1 {
				t.Fatalf("report rebuild: %q %v", out, err)
			}
			if _, err := run(t, env, "", "report", "rebuild", "--now"); err == nil {
				t.Error("an argument was accepted")
			}
		})
	}
}
