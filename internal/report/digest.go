package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/notify"
)

// DigestArgs is the job that sends last week's digest.
type DigestArgs struct{}

// Kind names the job.
func (DigestArgs) Kind() string { return "report.digest" }

// DigestWorker works DigestArgs.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	Store *Store
}

// Work refreshes the figures and sends the digests not yet sent.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	if _, err := w.Store.Refresh(ctx); err != nil {
		return err
	}
	_, err := w.Store.SendDigests(ctx)
	return err
}

// PeriodicDigest checks every interval whether last week's digest has
// gone out; the dedupe key per week and person makes it go out once, on
// the first run of a new week.
func PeriodicDigest(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return DigestArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}

// LastWeek is the Monday-to-Sunday week before the one now is in.
func LastWeek(now time.Time) (from, to calendar.Date) {
	today := calendar.DateOf(now)
	monday := today.AddDays(-((int(today.Weekday()) + 6) % 7))
	return monday.AddDays(-7), monday.AddDays(-1)
}

// digestKey is the dedupe key of a person's digest for a week.
func digestKey(from calendar.Date, userID int64) string {
	y, w := from.Start().ISOWeek()
	return fmt.Sprintf("report-digest:%d-W%02d:user:%d", y, w, userID)
}

// DigestHour is the hour on Monday morning (Stockholm) from which last
// week's digest goes out: at the start of the working day, not at midnight.
const DigestHour = 7

// SendDigests writes last week's digest to every active owner and
// communicator who has not had it, each with the figures of what they
// see, and returns how many it wrote. Before DigestHour on Monday it
// waits.
func (s *Store) SendDigests(ctx context.Context) (int, error) {
	now := s.Now().In(calendar.Stockholm)
	if now.Weekday() == time.Monday && now.Hour() < DigestHour {
		return 0, nil
	}
	from, to := LastWeek(now)
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.active AND r.role IN ('owner', 'communicator') ORDER BY u.id`)
	if err != nil {
		return 0, fmt.Errorf("report: digest: %w", err)
	}
	var users []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		users = append(users, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, u := range users {
		ok, err := s.sendDigest(ctx, u, from, to)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Store) sendDigest(ctx context.Context, userID int64, from, to calendar.Date) (bool, error) {
	key := digestKey(from, userID)
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?", key).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	scope, err := s.Scope(ctx, userID)
	if err != nil {
		return false, err
	}
	if scope != nil && len(scope) == 0 {
		return false, nil // an owner without channels has nothing to read
	}
	f := Filter{From: from, To: to, Channels: scope}
	subject, body, err := s.Digest(ctx, f)
	if err != nil {
		return false, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: userID, Subject: subject, Body: body,
			Link: strings.TrimSuffix(s.BaseURL, "/") + PageLink("oversikt", f), DedupeKey: key})
		return err
	})
	return id != 0, err
}

// Digest writes the weekly digest of f's period: the key figures against
// the week before, per channel, and the departments' late answers.
func (s *Store) Digest(ctx context.Context, f Filter) (subject, body string, err error) {
	prev := f.Previous()
	rows, err := s.Rows(ctx, f)
	if err != nil {
		return "", "", err
	}
	prows, err := s.Rows(ctx, prev)
	if err != nil {
		return "", "", err
	}
	now, before := Compute(rows), Compute(prows)
	n, err := s.names(ctx)
	if err != nil {
		return "", "", err
	}
	esc, err := s.turnarounds(ctx, f, s.Now())
	if err != nil {
		return "", "", err
	}
	_, week := f.From.Start().ISOWeek()
	subject = fmt.Sprintf("Tilltal: veckan som gick (vecka %d)", week)
	var b strings.Builder
	fmt.Fprintf(&b, "Sammanfattning av vecka %d (%s–%s), jämfört med veckan före.\n\n", week, f.From, f.To)
	t, p := now.Total, before.Total
	fmt.Fprintf(&b, "Inkommande: %d (veckan före %d)\n", t.Incoming, p.Incoming)
	fmt.Fprintf(&b, "Besvarade: %d, svarsandel %s (veckan före %s)\n", t.Answered, pct(t.Answered, t.Incoming), pct(p.Answered, p.Incoming))
	fmt.Fprintf(&b, "Frågor besvarade: %d av %d (%s)\n", t.QuestionsAnswered, t.Questions, pct(t.QuestionsAnswered, t.Questions))
	fmt.Fprintf(&b, "Positiva kommentarer besvarade: %d av %d (%s)\n", t.PositiveAnswered, t.Positive, pct(t.PositiveAnswered, t.Positive))
	fmt.Fprintf(&b, "Tid till första svar: median %s, 90:e percentilen %s (veckan före %s och %s)\n",
		mins(t.Median, t.HasWait()), mins(t.P90, t.HasWait()), mins(p.Median, p.HasWait()), mins(p.P90, p.HasWait()))
	if ids := n.channelsIn(now.Channels, nil); len(ids) > 0 {
		b.WriteString("\nPer kanal:\n")
		for _, id := range ids {
			c := now.Channels[id]
			fmt.Fprintf(&b, "- %s: %d inkommande, svarsandel %s, median %s\n", n.channels[id].name, c.Incoming, pct(c.Answered, c.Incoming), mins(c.Median, c.HasWait()))
		}
	}
	e := sumTurnaround(esc)
	fmt.Fprintf(&b, "\nFrågor till verksamheter: %d, varav %d besvarade efter tidsfristen och %d obesvarade efter den.\n", e.asked, e.late, e.overdue)
	return subject, b.String(), nil
}

func pct(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return decimal(100*float64(part)/float64(whole), "sv") + " %"
}

func mins(d time.Duration, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f min", d.Round(time.Minute).Minutes())
}
