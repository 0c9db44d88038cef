package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
)

// Duty answers who watches a channel and when it should be watched; the
// channel registry implements it from the on-call rota and the coverage
// policy.
type Duty interface {
	OnDuty(ctx context.Context, channelID int64, at time.Time) ([]int64, error)
	CoveredTime(ctx context.Context, channelID int64, from, to time.Time) (time.Duration, error)
}

// SLAArgs is the periodic job that finds items waiting too long.
type SLAArgs struct{}

// Kind names the job.
func (SLAArgs) Kind() string { return "inbox.sla" }

// SLAWorker alerts whoever is on duty when a citizen has waited longer
// than the channel's response target, counted in covered hours only (a
// question at 23:00 on a channel watched 08–22 starts its clock at 08:00);
// at twice the target it alerts the channel's owner. Each alert goes once
// per item, by dedupe key.
type SLAWorker struct {
	river.WorkerDefaults[SLAArgs]
	Store   *Store
	Duty    Duty
	Outbox  *notify.Outbox
	BaseURL string
}

// slaHorizon bounds how old an item may be and still be alerted: beyond
// it, the reports speak, not the alerts.
const slaHorizon = 7 * 24 * time.Hour

type waiting struct {
	id, channel int64
	channelName string
	posted      time.Time
	target      time.Duration
	body        string
}

// Work runs one round.
func (w *SLAWorker) Work(ctx context.Context, _ *river.Job[SLAArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("sla"))
	now := w.Store.Now()
	list, err := w.waiting(ctx, now)
	if err != nil {
		return err
	}
	for _, it := range list {
		covered, err := w.Duty.CoveredTime(ctx, it.channel, it.posted, now)
		if err != nil {
			return err
		}
		if covered < it.target {
			continue
		}
		if err := w.alert(ctx, it, covered, now); err != nil {
			return err
		}
	}
	return nil
}

// waiting lists open, unanswered citizen items older than their channel's
// target in calendar time (covered time can only be less).
func (w *SLAWorker) waiting(ctx context.Context, now time.Time) ([]waiting, error) {
	rows, err := w.Store.DB.Query(ctx, `SELECT i.id, i.channel_id, c.name, i.posted_at, c.response_target_minutes, i.body
		FROM items i JOIN channels c ON c.id = i.channel_id
		WHERE i.status IN ('new', 'assigned') AND i.first_response_at IS NULL AND NOT i.from_us AND i.posted_at > ?
		ORDER BY i.id LIMIT 2000`, now.Add(-slaHorizon))
	if err != nil {
		return nil, fmt.Errorf("inbox: sla: %w", err)
	}
	defer rows.Close()
	var out []waiting
	for rows.Next() {
		var it waiting
		var minutes int
		if err := rows.Scan(&it.id, &it.channel, &it.channelName, &it.posted, &minutes, &it.body); err != nil {
			return nil, err
		}
		it.target = time.Duration(minutes) * time.Minute
		if now.Sub(it.posted) >= it.target {
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

func (w *SLAWorker) alert(ctx context.Context, it waiting, covered time.Duration, now time.Time) error {
	duty, err := w.Duty.OnDuty(ctx, it.channel, now)
	if err != nil {
		return err
	}
	owners, err := w.owners(ctx, it.channel)
	if err != nil {
		return err
	}
	link := strings.TrimRight(w.BaseURL, "/") + fmt.Sprintf("/inkorg/%d", it.id)
	body := fmt.Sprintf("En fråga i %s har väntat på svar i %s av bevakad tid:\n\n%s", it.channelName, covered.Round(time.Minute), truncateRunes(it.body, 300))
	return w.Store.DB.InTx(ctx, func(tx *db.Tx) error {
		first := duty
		if len(first) == 0 {
			first = owners // nobody on duty: the owner answers for the channel
		}
		for _, u := range first {
			if _, err := w.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: u, Subject: "Svara snart: en fråga väntar i " + it.channelName, Body: body, Link: link,
				DedupeKey: fmt.Sprintf("sla:item:%d:duty:user:%d", it.id, u)}); err != nil {
				return err
			}
		}
		if covered < 2*it.target {
			return nil
		}
		for _, u := range owners {
			if _, err := w.Outbox.EnqueueTx(ctx, tx, notify.Message{UserID: u, Subject: "Försenat svar i " + it.channelName, Body: body, Link: link,
				DedupeKey: fmt.Sprintf("sla:item:%d:owner:user:%d", it.id, u)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *SLAWorker) owners(ctx context.Context, channelID int64) ([]int64, error) {
	rows, err := w.Store.DB.Query(ctx, "SELECT DISTINCT user_id FROM channel_members WHERE channel_id = ? AND role IN ('owner', 'deputy') ORDER BY user_id", channelID)
	if err != nil {
		return nil, err
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

// PeriodicSLA checks for waiting items every interval.
func PeriodicSLA(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return SLAArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
}
