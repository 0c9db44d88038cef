package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/org"
)

func TestChannelAdd(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			dsn := dbtest.DSN(t, dialect)
			env := map[string]string{"TILLTAL_DATABASE": dsn, "TILLTAL_DATA_DIR": t.TempDir()}
			if _, err := run(t, env, "", "migrate"); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			d, err := db.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			o := &org.Store{DB: d, Now: func() time.Time { return time.Now().UTC() }}
			if _, err := o.CreateDepartment(ctx, org.Department{Name: "Kultur- och fritidsförvaltningen", Code: "KFF"}); err != nil {
				t.Fatal(err)
			}
			add := []string{"channel", "add", "--platform", "facebook", "--external-id", "100055566677788", "--name", "Exempelby bibliotek", "--department", "kff"}
			out, err := run(t, env, "", add...)
			if err != nil || strings.Count(out, "\n") != 1 || strings.TrimSpace(out) == "" {
				t.Fatalf("channel add: %q %v", out, err)
			}
			var name, status string
			if err := d.QueryRow(ctx, "SELECT name, status FROM channels WHERE id = ?", strings.TrimSpace(out)).Scan(&name, &status); err != nil || name != "Exempelby bibliotek" || status != "requested" {
				t.Fatalf("stored: %q %q %v", name, status, err)
			}
			tests := []struct {
				args []string
				want string
			}{
				{add, "Det finns redan en kanal på Facebook med id 100055566677788"},
				{[]string{"channel", "add", "--platform", "myspace", "--external-id", "1", "--name", "X", "--department", "KFF"}, "Okänd plattform"},
				{[]string{"channel", "add", "--platform", "youtube", "--external-id", "UC1", "--name", "X", "--department", "Miljö"}, "Verksamheten \"Miljö\" finns inte"},
				{[]string{"channel", "add", "--platform", "youtube", "--external-id", "UC1", "--name", "X", "--department", "KFF", "--owner", "ingen@exempelby.se"}, "Det finns ingen användare med e-postadressen ingen@exempelby.se"},
				{[]string{"channel", "add", "--platform", "youtube", "--name", "X", "--department", "KFF"}, "are required"},
			}
			for _, tt := range tests {
				if out, err := run(t, env, "", tt.args...); err == nil || out != "" || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%v: %q %v, want %q", tt.args, out, err, tt.want)
				}
			}
			var n int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM channels").Scan(&n); err != nil || n != 1 {
				t.Fatalf("%d channels after bad input", n)
			}
		})
	}
}
