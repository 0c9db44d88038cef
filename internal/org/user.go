package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// User is a person who signs in to Tilltal.
type User struct {
	ID          int64
	Email       string
	Name        string
	Locale      string
	Active      bool
	Roles       []Role
	Departments []int64
	// Channels are the channels the person owns or edits.
	Channels    []int64
	HasPassword bool
	CreatedAt   time.Time
	LastLoginAt *time.Time
}

// Has reports whether the user holds role.
func (u User) Has(role Role) bool { return slices.Contains(u.Roles, role) }

// NewUser is what it takes to create a user.
type NewUser struct {
	Email        string
	Name         string
	Roles        []Role
	Departments  []int64
	PasswordHash string // empty for people who sign in only through OIDC
	Locale       string
	OIDCIssuer   string
	OIDCSubject  string
}

// normaliseEmail lower-cases and checks an address.
func normaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", apperr.Invalidf("%q är ingen giltig e-postadress", s)
	}
	return s, nil
}

// CreateUser adds a person with roles and departments.
func (s *Store) CreateUser(ctx context.Context, n NewUser) (User, error) {
	email, err := normaliseEmail(n.Email)
	if err != nil {
		return User{}, err
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > 200 {
		return User{}, apperr.Invalidf("Namnet saknas eller är för långt")
	}
	if n.Locale == "" {
		n.Locale = "sv"
	}
	if n.Locale != "sv" && n.Locale != "en" {
		return User{}, apperr.Invalidf("Språket måste vara sv eller en")
	}
	var u User
	now := s.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO users (email, name, password_hash, locale, oidc_issuer, oidc_subject, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, email, n.Name, nullString(n.PasswordHash), n.Locale, nullString(n.OIDCIssuer), nullString(n.OIDCSubject), now, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflictf("Det finns redan en användare med e-postadressen %s", email)
		}
		if err != nil {
			return fmt.Errorf("org: create user: %w", err)
		}
		if err := setRolesTx(ctx, tx, id, n.Roles, n.Departments); err != nil {
			return err
		}
		u = User{ID: id, Email: email, Name: n.Name, Locale: n.Locale, Active: true, Roles: n.Roles, Departments: n.Departments, HasPassword: n.PasswordHash != "", CreatedAt: now}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: audit.ID(id), Summary: email,
			Detail: map[string]any{"roles": n.Roles, "departments": n.Departments}})
	})
	return u, err
}

// setRolesTx replaces a user's roles and departments after checking them.
func setRolesTx(ctx context.Context, tx *db.Tx, userID int64, roles []Role, departments []int64) error {
	for _, r := range roles {
		if _, err := ParseRole(string(r)); err != nil {
			return err
		}
	}
	if slices.Contains(roles, DeptContact) && len(departments) == 0 {
		return apperr.Invalidf("En verksamhetskontakt måste höra till minst en verksamhet")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", userID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM user_departments WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, r := range dedupe(roles) {
		if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", userID, string(r)); err != nil {
			return fmt.Errorf("org: role: %w", err)
		}
	}
	for _, d := range dedupe(departments) {
		_, err := tx.Exec(ctx, "INSERT INTO user_departments (user_id, department_id) VALUES (?, ?)", userID, d)
		if db.IsForeignKeyViolation(err) {
			return apperr.Invalidf("Verksamhet %d finns inte", d)
		}
		if err != nil {
			return fmt.Errorf("org: department: %w", err)
		}
	}
	return nil
}

// UpdateUser changes a user's name, locale, active flag, roles and departments.
func (s *Store) UpdateUser(ctx context.Context, u User) error {
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		return apperr.Invalidf("Namnet saknas")
	}
	if u.Locale != "sv" && u.Locale != "en" {
		u.Locale = "sv"
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET name = ?, locale = ?, active = ?, updated_at = ? WHERE id = ?", u.Name, u.Locale, u.Active, now, u.ID)
		if err != nil {
			return fmt.Errorf("org: update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Användaren finns inte")
		}
		if err := setRolesTx(ctx, tx, u.ID, u.Roles, u.Departments); err != nil {
			return err
		}
		if !u.Active {
			// A deactivated person is signed out everywhere at once.
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.update", ObjectType: "user", ObjectID: audit.ID(u.ID), Summary: u.Name,
			Detail: map[string]any{"roles": u.Roles, "departments": u.Departments, "active": u.Active, "locale": u.Locale}})
	})
}

// SetRolesFromProvider replaces the roles of a user who signed in through
// OIDC with those the provider's claims map to. Departments are kept.
func (s *Store) SetRolesFromProvider(ctx context.Context, userID int64, roles []Role) error {
	u, err := s.User(ctx, userID)
	if err != nil {
		return err
	}
	if slices.Equal(sortedRoles(u.Roles), sortedRoles(roles)) {
		return nil
	}
	u.Roles = roles
	if slices.Contains(roles, DeptContact) && len(u.Departments) == 0 {
		// The provider can say a person is a department contact but not of
		// which department; the communicator sets that. Until then the role
		// sees nothing.
		u.Roles = slices.DeleteFunc(slices.Clone(roles), func(r Role) bool { return r == DeptContact })
	}
	return s.UpdateUser(ctx, u)
}

func sortedRoles(r []Role) []Role { c := slices.Clone(r); slices.Sort(c); return slices.Compact(c) }

// SetPasswordHash stores a new password hash and ends the user's sessions.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Användaren finns inte")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.password", ObjectType: "user", ObjectID: audit.ID(userID), Summary: "lösenord ändrat"})
	})
}

const userColumns = "id, email, name, locale, active, password_hash IS NOT NULL, created_at, last_login_at"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Locale, &u.Active, &u.HasPassword, &u.CreatedAt, &last)
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	return u, err
}

// User returns one user with roles, departments and channels.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.DB.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundf("Användaren finns inte")
	}
	if err != nil {
		return u, fmt.Errorf("org: user: %w", err)
	}
	return u, s.loadMemberships(ctx, &u)
}

// UserByEmail returns one user by e-mail address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE email = ?", strings.ToLower(strings.TrimSpace(email))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFoundf("Det finns ingen användare med e-postadressen %s", email)
	}
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// PasswordHash returns the stored hash, "" for OIDC-only users.
func (s *Store) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var h sql.NullString
	err := s.DB.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", userID).Scan(&h)
	return h.String, err
}

// UserByOIDC returns the user linked to an OIDC subject.
func (s *Store) UserByOIDC(ctx context.Context, issuer, subject string) (User, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE oidc_issuer = ? AND oidc_subject = ?", issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// LinkOIDC links an existing user to an OIDC subject.
func (s *Store) LinkOIDC(ctx context.Context, userID int64, issuer, subject string) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET oidc_issuer = ?, oidc_subject = ?, updated_at = ? WHERE id = ?", issuer, subject, now, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.oidc_link", ObjectType: "user", ObjectID: audit.ID(userID), Summary: issuer})
	})
}

// TouchLogin records a successful sign-in.
func (s *Store) TouchLogin(ctx context.Context, userID int64) error {
	_, err := s.DB.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", s.Now(), userID)
	return err
}

// Users lists users by name; only limits to users in those departments
// when not nil.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("org: users: %w", err)
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	for i := range out {
		if err := s.loadMemberships(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

func (s *Store) loadMemberships(ctx context.Context, u *User) error {
	u.Roles, u.Departments, u.Channels = nil, nil, nil
	if err := s.collect(ctx, "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", u.ID, func(v string) { u.Roles = append(u.Roles, Role(v)) }); err != nil {
		return err
	}
	if err := s.collectIDs(ctx, "SELECT department_id FROM user_departments WHERE user_id = ? ORDER BY department_id", u.ID, &u.Departments); err != nil {
		return err
	}
	return s.collectIDs(ctx, "SELECT DISTINCT channel_id FROM channel_members WHERE user_id = ? ORDER BY channel_id", u.ID, &u.Channels)
}

func (s *Store) collect(ctx context.Context, q string, id int64, fn func(string)) error {
	rows, err := s.DB.Query(ctx, q, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		fn(v)
	}
	return rows.Err()
}

func (s *Store) collectIDs(ctx context.Context, q string, id int64, out *[]int64) error {
	rows, err := s.DB.Query(ctx, q, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func dedupe[T comparable](in []T) []T {
	var out []T
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
