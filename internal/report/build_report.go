package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"tilltal/internal/apperr"
)

// ChartKind is how a chart draws a table.
type ChartKind uint8

// The kinds of chart.
const (
	// Columns draws vertical bars, one per row, with the series stacked.
	Columns ChartKind = iota
	// Bars draws horizontal bars, one group per row, the series side by side.
	Bars
	// Heat draws the table as a grid coloured by each cell's figure.
	Heat
)

// Chart is a drawing of (part of) a table: the same figures, drawn.
type Chart struct {
	Kind  ChartKind
	Key   string // title's translation key
	Table string // the table's ID
	// Series are the columns drawn; the first column labels the rows.
	Series []int
	// Rows are the rows drawn; nil draws all.
	Rows []int
}

// Report is one report page: its tables, the charts drawn from them, and
// notes on what the figures mean.
type Report struct {
	Name     string
	Filter   Filter
	Previous Filter
	Tables   []Table
	Charts   []Chart
	// Notes are translation keys of remarks shown with the report.
	Notes []string
	// UpdatedAt is when the stored figures were last brought up to date.
	UpdatedAt time.Time
}

// Table returns the table with the id, nil when there is none.
func (r *Report) Table(id string) *Table {
	for i := range r.Tables {
		if r.Tables[i].ID == id {
			return &r.Tables[i]
		}
	}
	return nil
}

// Names are the reports, in menu order; each is also the last part of
// its page's address.
var Names = []string{"oversikt", "volym", "svarstid", "svarsandel", "verksamheter", "moderering", "bevakning"}

// Build computes the named report for f.
func (s *Store) Build(ctx context.Context, name string, f Filter) (Report, error) {
	if !slices.Contains(Names, name) {
		return Report{}, apperr.NotFoundf("Rapporten finns inte")
	}
	if err := f.Validate(); err != nil {
		return Report{}, err
	}
	if err := f.CheckScope(); err != nil {
		return Report{}, err
	}
	r := Report{Name: name, Filter: f, Previous: f.Previous()}
	var err error
	if r.UpdatedAt, err = s.UpdatedAt(ctx); err != nil {
		return r, err
	}
	n, err := s.names(ctx)
	if err != nil {
		return r, err
	}
	b := builder{s: s, r: &r, n: n}
	switch name {
	case "oversikt":
		err = b.overview(ctx)
	case "volym":
		err = b.volume(ctx)
	case "svarstid":
		err = b.response(ctx)
	case "svarsandel":
		err = b.answers(ctx)
	case "verksamheter":
		err = b.escalations(ctx)
	case "moderering":
		err = b.moderation(ctx)
	case "bevakning":
		err = b.coverage(ctx)
	}
	if err != nil {
		return r, fmt.Errorf("report: %s: %w", name, err)
	}
	return r, nil
}

// builder holds what the report functions share.
type builder struct {
	s *Store
	r *Report
	n names
}

// figures computes the period's and the previous period's figures.
func (b builder) figures(ctx context.Context) (now, before Figures, err error) {
	rows, err := b.s.Rows(ctx, b.r.Filter)
	if err != nil {
		return now, before, err
	}
	prev, err := b.s.Rows(ctx, b.r.Previous)
	if err != nil {
		return now, before, err
	}
	return Compute(rows), Compute(prev), nil
}

// names are the channels' and departments' names, for row labels.
type names struct {
	channels    map[int64]channelName
	departments map[int64]string
	order       []int64 // channels by department and name
	deptOrder   []int64
}

type channelName struct {
	name, platform string
}

func (s *Store) names(ctx context.Context) (names, error) {
	n := names{channels: map[int64]channelName{}, departments: map[int64]string{}}
	rows, err := s.DB.Query(ctx, "SELECT c.id, c.name, c.platform FROM channels c JOIN departments d ON d.id = c.department_id ORDER BY d.name, c.name, c.id")
	if err != nil {
		return n, err
	}
	for rows.Next() {
		var id int64
		var c channelName
		if err := rows.Scan(&id, &c.name, &c.platform); err != nil {
			rows.Close()
			return n, err
		}
		n.channels[id] = c
		n.order = append(n.order, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	rows, err = s.DB.Query(ctx, "SELECT id, name FROM departments ORDER BY name")
	if err != nil {
		return n, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return n, err
		}
		n.departments[id] = name
		n.deptOrder = append(n.deptOrder, id)
	}
	return n, rows.Err()
}

// channelsIn returns the channels with figures in either map, in name order.
func (n names) channelsIn(a, b map[int64]*Stat) []int64 {
	var out []int64
	for _, id := range n.order {
		if a[id] != nil || b[id] != nil {
			out = append(out, id)
		}
	}
	return out
}

// departmentsIn is channelsIn for departments.
func (n names) departmentsIn(a, b map[int64]*Stat) []int64 {
	var out []int64
	for _, id := range n.deptOrder {
		if a[id] != nil || b[id] != nil {
			out = append(out, id)
		}
	}
	return out
}

// statOf is the map's stat, or an empty one.
func statOf[K comparable](m map[K]*Stat, k K) Stat {
	if s := m[k]; s != nil {
		return *s
	}
	return Stat{}
}
