package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"tilltal/internal/dbtest"
)

// run runs a subcommand with the given environment and stdin.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	err := dispatch(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

func TestScriptCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"TILLTAL_DATABASE": dbtest.DSN(t, dialect), "TILLTAL_DATA_DIR": dir}
			if out, err := run(t, env, "", "migrate"); err != nil || out != "ok\n" {
				t.Fatalf("migrate: %q %v", out, err)
			}
			out, err := run(t, env, "ett-långt-lösenord\n", "user", "add", "--email", "Anna@Exempelby.se", "--name", "Anna Andersson", "--role", "communicator", "--role", "legal")
			if err != nil || strings.TrimSpace(out) == "" {
				t.Fatalf("user add: %q %v", out, err)
			}
			// Only the result on stdout: the new id.
			if strings.Count(out, "\n") != 1 {
				t.Fatalf("user add printed more than its result: %q", out)
			}
			if _, err := run(t, env, "", "user", "add", "--email", "anna@exempelby.se", "--name", "Dubblett", "--role", "editor"); err == nil || !strings.Contains(err.Error(), "finns redan") {
				t.Fatalf("duplicate user: %v", err)
			}
			if _, err := run(t, env, "", "user", "add", "--email", "b@exempelby.se", "--name", "B", "--role", "kung"); err == nil || !strings.Contains(err.Error(), "Okänd roll") {
				t.Fatalf("bad role: %v", err)
			}
			if _, err := run(t, env, "kort\n", "user", "add", "--email", "c@exempelby.se", "--name", "C", "--role", "editor"); err == nil || !strings.Contains(err.Error(), "minst 12") {
				t.Fatalf("short password: %v", err)
			}
			tok, err := run(t, env, "", "token", "create", "--email", "anna@exempelby.se")
			if err != nil || !strings.HasPrefix(tok, "tilltal_") {
				t.Fatalf("token create: %q %v", tok, err)
			}
			if _, err := run(t, env, "", "token", "create", "--email", "ingen@exempelby.se"); err == nil {
				t.Fatal("token for unknown user")
			}
		})
	}
}

func TestBadSettingsGetOneClearError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"malformed database", map[string]string{"TILLTAL_DATABASE": "mysql://x"}, []string{"migrate"}, "must start with sqlite: or postgres://"},
		{"unreachable database", map[string]string{"TILLTAL_DATABASE": "postgres://root@127.0.0.1:1/x?connect_timeout=2"}, []string{"migrate"}, "cannot reach the database"},
		{"port in use", map[string]string{"TILLTAL_DATABASE": "sqlite:" + filepath.Join(dir, "a.db"), "TILLTAL_LISTEN": ln.Addr().String()}, []string{"serve"}, "cannot listen on"},
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
		{"missing flags", map[string]string{"TILLTAL_DATABASE": "sqlite:" + filepath.Join(dir, "b.db")}, []string{"token", "create"}, "--email is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, tt.env, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestHelpListsCommands(t *testing.T) {
	out, err := run(t, nil, "", "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"serve", "demo", "migrate", "user add", "token create"} {
		if !strings.Contains(out, "tilltal "+c) {
			t.Errorf("help lacks %s", c)
		}
	}
}
