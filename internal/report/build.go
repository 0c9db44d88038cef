package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
)

// Row is one day of one channel, department and platform: the unit that
// report_days stores and that figures are summed from.
type Row struct {
	Day          calendar.Date
	ChannelID    int64
	DepartmentID int64
	Platform     string
	// Incoming counts the items the public wrote, Answered those of them
	// that got a first answer, Replies the municipality's own items.
	Incoming int
	Answered int
	Replies  int
	// Waited is the answered items' waiting time in seconds, split by the
	// kind of time it passed in (calendar.Split), indexed by period.
	Waited [5]int64
	// Flags counts the incoming items carrying each flag of items.flags.
	Flags map[string]int
	// Facts are the incoming items, one each.
	Facts []Fact
}

type rowKey struct {
	day      calendar.Date
	channel  int64
	dept     int64
	platform string
}

// source is one item as the reports read it.
type source struct {
	channelID, departmentID int64
	platform                string
	posted                  time.Time
	first                   *time.Time
	fromUs                  bool
	question                bool
	sentiment               string
	flags                   string
}

// sourceColumns reads a source from items aliased i.
const sourceColumns = `SELECT i.channel_id, i.department_id, i.platform, i.posted_at, i.first_response_at, i.from_us,
	CASE WHEN ` + inbox.QuestionSQL + ` THEN 1 ELSE 0 END, i.sentiment, i.flags FROM items i`

// querier is a database or a transaction.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// loadSources reads the items matching where, in id order.
func loadSources(ctx context.Context, q querier, where string, args ...any) ([]source, error) {
	rows, err := q.Query(ctx, sourceColumns+" WHERE "+where+" ORDER BY i.id", args...)
	if err != nil {
		return nil, fmt.Errorf("report: read items: %w", err)
	}
	defer rows.Close()
	var out []source
	for rows.Next() {
		var s source
		var first sql.NullTime
		var question int
		if err := rows.Scan(&s.channelID, &s.departmentID, &s.platform, &s.posted, &first, &s.fromUs, &question, &s.sentiment, &s.flags); err != nil {
			return nil, fmt.Errorf("report: read items: %w", err)
		}
		if first.Valid {
			t := first.Time
			s.first = &t
		}
		s.question = question == 1
		out = append(out, s)
	}
	return out, rows.Err()
}

// buildRows turns items into day rows, in a stable order.
func buildRows(srcs []source) []Row {
	idx := map[rowKey]int{}
	var out []Row
	for _, s := range srcs {
		k := rowKey{calendar.DateOf(s.posted), s.channelID, s.departmentID, s.platform}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Row{Day: k.day, ChannelID: k.channel, DepartmentID: k.dept, Platform: k.platform})
		}
		addSource(&out[i], s)
	}
	slices.SortFunc(out, func(a, b Row) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := cmpInt(a.ChannelID, b.ChannelID); c != 0 {
			return c
		}
		if c := cmpInt(a.DepartmentID, b.DepartmentID); c != 0 {
			return c
		}
		return strings.Compare(a.Platform, b.Platform)
	})
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func addSource(r *Row, s source) {
	if s.fromUs {
		r.Replies++
		return
	}
	f := Fact{Wait: waitSeconds(s.posted, s.first), How: uint8(calendar.HourOfWeek(s.posted)), Period: calendar.Classify(s.posted),
		Question: s.question, Positive: s.sentiment == "positive"}
	r.Facts = append(r.Facts, f)
	r.Incoming++
	if f.Answered() {
		r.Answered++
		for p, d := range calendar.Split(s.posted, *s.first) {
			r.Waited[p] += int64(d / time.Second)
		}
	}
	for _, flag := range strings.Fields(s.flags) {
		if strings.Contains(flag, "=") {
			continue // cannot be stored in flag_counts; no classifier writes it
		}
		if r.Flags == nil {
			r.Flags = map[string]int{}
		}
		r.Flags[flag]++
	}
}

// encodeFlags writes flag counts as "hate=1 threat=3", sorted.
func encodeFlags(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + strconv.Itoa(m[k]))
	}
	return b.String()
}

// decodeFlags reads what encodeFlags wrote.
func decodeFlags(s string) (map[string]int, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]int{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, fmt.Errorf("report: flag counts %q", s)
		}
		m[k] = n
	}
	return m, nil
}
