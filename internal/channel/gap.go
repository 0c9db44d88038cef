package channel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// GapCheckArgs is the job that alerts gaps in active channels' coverage
// ahead of time. ChannelID 0 checks every active channel.
type GapCheckArgs struct {
	ChannelID int64 `json:"channel_id,omitempty"`
}

// Kind names the job.
func (GapCheckArgs) Kind() string { return "channel.gap_check" }

// GapWorker works GapCheckArgs. The job is idempotent: every alert carries
// a dedupe key, so a gap is alerted once however often the check runs.
type GapWorker struct {
	river.WorkerDefaults[GapCheckArgs]
	Store *Store
}

// Work runs the check.
func (w *GapWorker) Work(ctx context.Context, job *river.Job[GapCheckArgs]) error {
	return w.Store.AlertGaps(ctx, job.Args.ChannelID)
}

// PeriodicGapCheck schedules the check of every active channel, once at
// start and then every interval.
func PeriodicGapCheck(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return GapCheckArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// AlertGaps alerts the owner, the deputy and the communicators of every
// gap in an active channel's coverage between now and Horizon(now), and of
// an owner or editor that is gone. channelID 0 checks all active channels.
func (s *Store) AlertGaps(ctx context.Context, channelID int64) error {
	ctx = audit.WithActor(ctx, audit.System("kanalbevakning"))
	q := "SELECT id FROM channels WHERE status = ?"
	args := []any{string(Active)}
	if channelID != 0 {
		q += " AND id = ?"
		args = append(args, channelID)
	}
	ids, err := s.ids(ctx, q, args...)
	if err != nil {
		return err
	}
	now := s.Now()
	// One channel's failure must not keep the others from being checked;
	// the job fails, and is retried, if any did.
	var errs []error
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error { return s.alertChannel(ctx, tx, id, now) })
		if err != nil {
			errs = append(errs, fmt.Errorf("channel: gap check %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("channel: gap check: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Store) alertChannel(ctx context.Context, tx *db.Tx, id int64, now time.Time) error {
	c, err := getChannel(ctx, tx, id)
	if err != nil || c.Status != Active {
		return err
	}
	r, err := loadRota(ctx, tx, id)
	if err != nil {
		return err
	}
	gaps, err := UpcomingGaps(c, r.Calendar(), now)
	if err != nil {
		return err
	}
	for _, g := range gaps {
		subject := "Lucka i jourschemat: " + c.Name + ", " + FormatGap(g)
		body := fmt.Sprintf("Ingen har jour för kanalen %s %s (%s), men bevakningstiden kräver det. Lägg till ett pass eller ändra jourschemat i Tilltal.",
			c.Name, FormatGap(g), g.Kind)
		if err := s.alert(ctx, tx, c, subject, body, fmt.Sprintf("channel-gap:%d:%s:%s", id, g.Start.UTC().Format(time.RFC3339), g.End.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
	}
	year, week := now.In(calendar.Stockholm).ISOWeek()
	for _, p := range peopleProblems(c) {
		subject := "Kanalen bryter mot reglerna: " + c.Name
		if err := s.alert(ctx, tx, c, subject, p.Message, fmt.Sprintf("channel-rule:%d:%s:%d-%02d", id, p.Rule, year, week)); err != nil {
			return err
		}
	}
	return nil
}

// alert tells the channel's owner and deputy and the communicators, once
// per dedupe key and person.
func (s *Store) alert(ctx context.Context, tx *db.Tx, c Channel, subject, body, dedupe string) error {
	if err := s.notifyUsers(ctx, tx, c.ID, managers(c), subject, body, dedupe); err != nil {
		return err
	}
	return s.notifyCommunicators(ctx, tx, c.ID, subject, body, dedupe)
}

// UpcomingGaps returns the gaps to alert for a channel at now: those that
// have not ended and start before Horizon(now), each cut at midnight. The
// gaps are computed over whole Stockholm days, so that a gap already under
// way is the same gap as when it was first alerted and keeps its dedupe key.
func UpcomingGaps(c Channel, r calendar.Rota, now time.Time) ([]calendar.Gap, error) {
	today := calendar.DateOf(now)
	horizon := Horizon(now)
	gaps, err := Coverage(c, r, today.Start(), calendar.DateOf(horizon).AddDays(1).Start())
	if err != nil {
		return nil, err
	}
	var out []calendar.Gap
	for _, g := range gaps {
		for _, p := range splitByDay(g) {
			if p.End.After(now) && p.Start.Before(horizon) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// splitByDay cuts a gap at each Stockholm midnight.
func splitByDay(g calendar.Gap) []calendar.Gap {
	var out []calendar.Gap
	for start := g.Start; start.Before(g.End); {
		d := calendar.DateOf(start)
		end := d.AddDays(1).Start()
		if end.After(g.End) {
			end = g.End
		}
		out = append(out, calendar.Gap{Start: start, End: end, Kind: calendar.DayKindOf(d)})
		start = end
	}
	return out
}
