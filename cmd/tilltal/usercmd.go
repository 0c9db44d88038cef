package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"tilltal/internal/auth"
	"tilltal/internal/clock"
	"tilltal/internal/config"
	"tilltal/internal/db"
	"tilltal/internal/db/migrations"
	"tilltal/internal/org"

	"log/slog"
)

// openStores opens the database for a script command, migrating it first
// so that a command on a new database works.
func openStores(ctx context.Context) (*db.DB, *org.Store, *auth.Service, error) {
	cfg, err := config.FromOS()
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := db.Open(ctx, cfg.Database)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := migrations.Up(ctx, d, slog.New(slog.DiscardHandler)); err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	now := clock.Real{}.Now
	o := &org.Store{DB: d, Now: now}
	return d, o, &auth.Service{DB: d, Org: o, Now: now}, nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, strings.Split(v, ",")...); return nil }

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "full name")
	var roles, deps multiFlag
	fs.Var(&roles, "role", "role (repeatable): communicator, owner, editor, department, registrar, legal")
	fs.Var(&deps, "department", "department name or code (repeatable)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if *email == "" || *name == "" || len(roles) == 0 {
		return errors.New("user add: --email, --name and --role are required")
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	d, o, _, err := openStores(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	n := org.NewUser{Email: *email, Name: *name}
	for _, r := range roles {
		role, err := org.ParseRole(strings.TrimSpace(r))
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		n.Roles = append(n.Roles, role)
	}
	for _, name := range deps {
		dep, err := o.DepartmentByName(ctx, strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		n.Departments = append(n.Departments, dep.ID)
	}
	if pw != "" {
		if n.PasswordHash, err = auth.HashPassword(pw); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
	}
	u, err := o.CreateUser(ctx, n)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	_, err = fmt.Fprintln(stdout, u.ID)
	return err
}

// readPassword reads one line from stdin when something is piped there; a
// terminal or an empty stdin means no password (OIDC-only user).
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil || isTerminal(stdin) {
		return "", nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("user add: read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runTokenCreate(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the user's e-mail address")
	name := fs.String("name", "cli", "a name for the token")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	if *email == "" {
		return errors.New("token create: --email is required")
	}
	d, o, a, err := openStores(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	u, err := o.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	plain, _, err := a.CreateToken(ctx, u.ID, *name)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	_, err = fmt.Fprintln(stdout, plain)
	return err
}
