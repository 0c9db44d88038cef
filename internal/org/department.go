package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Municipality is the organisation Tilltal serves.
type Municipality struct {
	Name        string
	DiaryPrefix string
}

// Department is a verksamhet / förvaltning.
type Department struct {
	ID          int64
	Name        string
	Code        string
	Description string
	CreatedAt   time.Time
}

// Store reads and changes the organisation.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// GetMunicipality returns the municipality, or NotFound before set-up.
func (s *Store) GetMunicipality(ctx context.Context) (Municipality, error) {
	var m Municipality
	err := s.DB.QueryRow(ctx, "SELECT name, diary_prefix FROM municipality WHERE id = 1").Scan(&m.Name, &m.DiaryPrefix)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.ErrNotFound
	}
	return m, err
}

// SetMunicipality creates or renames the municipality.
func (s *Store) SetMunicipality(ctx context.Context, m Municipality) error {
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" {
		return apperr.Invalidf("Kommunens namn saknas")
	}
	if m.DiaryPrefix == "" {
		m.DiaryPrefix = "KS"
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO municipality (id, name, diary_prefix, created_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, diary_prefix = excluded.diary_prefix`, m.Name, m.DiaryPrefix, now)
		if err != nil {
			return fmt.Errorf("org: set municipality: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "municipality.set", ObjectType: "municipality", ObjectID: "1", Summary: m.Name})
	})
}

// CreateDepartment adds a department.
func (s *Store) CreateDepartment(ctx context.Context, d Department) (Department, error) {
	d.Name = strings.TrimSpace(d.Name)
	d.Code = strings.ToUpper(strings.TrimSpace(d.Code))
	if d.Name == "" {
		return d, apperr.Invalidf("Verksamhetens namn saknas")
	}
	if d.Code == "" {
		d.Code = abbreviate(d.Name)
	}
	if len(d.Name) > 200 || len(d.Code) > 20 {
		return d, apperr.Invalidf("Namnet eller förkortningen är för lång")
	}
	now := s.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, "INSERT INTO departments (name, code, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			d.Name, d.Code, d.Description, now, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflictf("Det finns redan en verksamhet med namnet %q eller förkortningen %q", d.Name, d.Code)
		}
		if err != nil {
			return fmt.Errorf("org: create department: %w", err)
		}
		d.ID, d.CreatedAt = id, now
		return audit.Record(ctx, tx, now, audit.Entry{Action: "department.create", ObjectType: "department", ObjectID: audit.ID(id), DepartmentID: id, Summary: d.Name})
	})
	return d, err
}

// UpdateDepartment changes a department's name, code and description.
func (s *Store) UpdateDepartment(ctx context.Context, d Department) error {
	d.Name = strings.TrimSpace(d.Name)
	d.Code = strings.ToUpper(strings.TrimSpace(d.Code))
	if d.Name == "" || d.Code == "" {
		return apperr.Invalidf("Namn och förkortning måste anges")
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE departments SET name = ?, code = ?, description = ?, updated_at = ? WHERE id = ?", d.Name, d.Code, d.Description, now, d.ID)
		if db.IsUniqueViolation(err) {
			return apperr.Conflictf("Det finns redan en verksamhet med namnet %q eller förkortningen %q", d.Name, d.Code)
		}
		if err != nil {
			return fmt.Errorf("org: update department: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "department.update", ObjectType: "department", ObjectID: audit.ID(d.ID), DepartmentID: d.ID, Summary: d.Name})
	})
}

// Departments lists departments by name. A nil only lists all; otherwise
// only those ids.
func (s *Store) Departments(ctx context.Context, only []int64) ([]Department, error) {
	q := "SELECT id, name, code, description, created_at FROM departments"
	var args []any
	if only != nil {
		if len(only) == 0 {
			return nil, nil
		}
		q += " WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(only)), ",") + ")"
		for _, id := range only {
			args = append(args, id)
		}
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY name", args...)
	if err != nil {
		return nil, fmt.Errorf("org: departments: %w", err)
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.ID, &d.Name, &d.Code, &d.Description, &d.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Department returns one department.
func (s *Store) Department(ctx context.Context, id int64) (Department, error) {
	var d Department
	err := s.DB.QueryRow(ctx, "SELECT id, name, code, description, created_at FROM departments WHERE id = ?", id).
		Scan(&d.ID, &d.Name, &d.Code, &d.Description, &d.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFoundf("Verksamheten finns inte")
	}
	return d, err
}

// DepartmentByName finds a department by name or code, case-insensitively.
func (s *Store) DepartmentByName(ctx context.Context, name string) (Department, error) {
	var d Department
	err := s.DB.QueryRow(ctx, "SELECT id, name, code, description, created_at FROM departments WHERE LOWER(name) = LOWER(?) OR LOWER(code) = LOWER(?)", name, name).
		Scan(&d.ID, &d.Name, &d.Code, &d.Description, &d.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFoundf("Verksamheten %q finns inte", name)
	}
	return d, err
}

// abbreviate makes a code from a name's initials: "Kultur- och
// fritidsförvaltningen" → "KOF".
func abbreviate(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' }) {
		r := []rune(w)
		b.WriteString(strings.ToUpper(string(r[0])))
		if b.Len() >= 6 {
			break
		}
	}
	return b.String()
}
