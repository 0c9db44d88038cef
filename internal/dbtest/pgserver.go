package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// PGServer is a PostgreSQL server of a test's own, in a temporary
// directory on a free port, for tests that stop and start the database
// under Tilltal (the shared server on 5432 must stay up for everyone else).
type PGServer struct {
	// URL is a TILLTAL_DATABASE value for the server's postgres database.
	URL string
	// Port is the TCP port it listens on, on 127.0.0.1.
	Port int

	t      testing.TB
	bin    string
	dir    string
	asUser string // run the binaries as this user (root may not run them)
}

// PostgresBin finds PostgreSQL's server binaries (initdb, pg_ctl) under
// /usr/lib/postgresql/*/bin or on PATH, the newest version first.
func PostgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("dbtest: no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH; install the postgresql package")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// StartPostgres initialises and starts a private PostgreSQL server, stopped
// and removed when the test ends. Without the binaries the test is skipped
// with a message, except under CI=true, where that is a failure.
func StartPostgres(t testing.TB) *PGServer {
	t.Helper()
	bin, err := PostgresBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "tilltal-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &PGServer{t: t, bin: bin, dir: dir, Port: freePort(t)}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as its own user, or as
		// nobody, in a directory that user owns.
		s.asUser = "postgres"
		u, err := user.Lookup(s.asUser)
		if err != nil {
			s.asUser = "nobody"
			if u, err = user.Lookup(s.asUser); err != nil {
				t.Fatal("dbtest: running as root and neither the postgres user nor nobody exists")
			}
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.run("initdb", "-D", s.data(), "-U", "tilltal", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	s.URL = fmt.Sprintf("postgres://tilltal@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
	s.Start()
	t.Cleanup(func() { s.stop("immediate") })
	return s
}

func (s *PGServer) data() string { return filepath.Join(s.dir, "data") }

// Start starts the server and waits until it accepts connections.
func (s *PGServer) Start() {
	s.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", s.Port, s.dir)
	s.run("pg_ctl", "start", "-w", "-t", "60", "-D", s.data(), "-l", filepath.Join(s.dir, "log"), "-o", opts)
}

// Stop stops the server at once ("fast": connections are ended, a
// checkpoint written) and returns when it is down.
func (s *PGServer) Stop() {
	s.t.Helper()
	if err := s.stop("fast"); err != nil {
		s.t.Fatal(err)
	}
}

func (s *PGServer) stop(mode string) error {
	out, err := s.command("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", s.data()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("dbtest: pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

func (s *PGServer) run(name string, args ...string) {
	s.t.Helper()
	if out, err := s.command(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.t.Fatalf("dbtest: %s: %v\n%s\n%s", name, err, out, log)
	}
}

func (s *PGServer) command(name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	s.t.Cleanup(cancel)
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = s.dir
	return cmd
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
