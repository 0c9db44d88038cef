package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// turnaround is what the departments' help looks like for one department.
type turnaround struct {
	asked, answered, onTime, late, open, overdue int
	waits                                        []time.Duration
}

// median and p90 of the answered questions' turnaround, by nearest rank.
func (t *turnaround) percentile(p int) (time.Duration, bool) {
	if len(t.waits) == 0 {
		return 0, false
	}
	slices.Sort(t.waits)
	return t.waits[rank(len(t.waits), p)-1], true
}

// turnarounds reads the questions sent to departments about the items of
// f's period and scope (cancelled ones left out). The department filter
// picks the department asked, which is what this report is about.
func (s *Store) turnarounds(ctx context.Context, f Filter, now time.Time) (map[int64]*turnaround, error) {
	dept := f.DepartmentID
	f.DepartmentID = 0
	conds, args, ok := scopeWhere(f, "i")
	if !ok {
		return nil, nil
	}
	conds = append([]string{"i.posted_at >= ?", "i.posted_at < ?", "e.status <> 'cancelled'"}, conds...)
	args = append([]any{f.Start().UTC(), f.End().UTC()}, args...)
	if dept != 0 {
		conds, args = append(conds, "e.department_id = ?"), append(args, dept)
	}
	// CROSS JOIN makes SQLite start from the escalations, which are few,
	// rather than from a year of items; PostgreSQL plans it as a join.
	rows, err := s.DB.Query(ctx, `SELECT e.department_id, e.asked_at, e.due_at, e.answered_at FROM escalations e
		CROSS JOIN items i WHERE i.id = e.item_id AND `+strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("report: escalations: %w", err)
	}
	defer rows.Close()
	out := map[int64]*turnaround{}
	for rows.Next() {
		var id int64
		var asked, due time.Time
		var answered sql.NullTime
		if err := rows.Scan(&id, &asked, &due, &answered); err != nil {
			return nil, err
		}
		t := out[id]
		if t == nil {
			t = &turnaround{}
			out[id] = t
		}
		t.asked++
		switch {
		case answered.Valid:
			t.answered++
			t.waits = append(t.waits, answered.Time.Sub(asked))
			if answered.Time.After(due) {
				t.late++
			} else {
				t.onTime++
			}
		default:
			t.open++
			if now.After(due) {
				t.overdue++
			}
		}
	}
	return out, rows.Err()
}

func (b builder) escalations(ctx context.Context) error {
	now := b.s.Now()
	cur, err := b.s.turnarounds(ctx, b.r.Filter, now)
	if err != nil {
		return err
	}
	prev, err := b.s.turnarounds(ctx, b.r.Previous, now)
	if err != nil {
		return err
	}
	f, pf := b.r.Filter, b.r.Previous
	f.DepartmentID, pf.DepartmentID = 0, 0 // the inbox's department is the item's
	t := Table{ID: "escalations", Key: "report.table.escalations", Columns: []Column{
		{ID: "department", Key: "report.col.department"}, {ID: "asked", Key: "report.col.asked", Kind: Count},
		{ID: "answered", Key: "report.col.answered", Kind: Count}, {ID: "on_time", Key: "report.col.on_time", Kind: Count},
		{ID: "late", Key: "report.col.late", Kind: Count}, {ID: "open", Key: "report.col.open", Kind: Count},
		{ID: "overdue", Key: "report.col.overdue", Kind: Count},
		{ID: "median_hours", Key: "report.col.median_hours", Kind: Hours}, {ID: "p90_hours", Key: "report.col.p90_hours", Kind: Hours},
		{ID: "previous_asked", Key: "report.col.previous_asked", Kind: Count}, {ID: "previous_median_hours", Key: "report.col.previous_median_hours", Kind: Hours}}}
	for _, id := range b.n.deptOrder {
		c, p := cur[id], prev[id]
		if c == nil && p == nil {
			continue
		}
		if c == nil {
			c = &turnaround{}
		}
		if p == nil {
			p = &turnaround{}
		}
		link, plink := InboxLink(f, "escalated", id64(id)), InboxLink(pf, "escalated", id64(id))
		med, ok := c.percentile(50)
		p90, _ := c.percentile(90)
		pmed, pok := p.percentile(50)
		t.Rows = append(t.Rows, []Cell{label(b.n.departments[id]), countLink(c.asked, link), countLink(c.answered, link),
			countLink(c.onTime, link), countLink(c.late, link), countLink(c.open, link), countLink(c.overdue, link),
			linked(hoursIf(med, ok), link), linked(hoursIf(p90, ok), link), countLink(p.asked, plink), linked(hoursIf(pmed, pok), plink)})
	}
	b.r.Tables = append(b.r.Tables, t)
	b.r.Charts = append(b.r.Charts, Chart{Kind: Bars, Key: "report.chart.escalations", Table: "escalations", Series: []int{7, 8}})
	b.r.Notes = append(b.r.Notes, "report.note.escalations")
	return nil
}

func hoursIf(d time.Duration, ok bool) Cell {
	if !ok {
		return Null
	}
	return hours(d)
}
