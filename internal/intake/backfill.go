package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/credential"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/platform"
)

// BackfillArgs is the job that reads one channel's recent posts and
// comments through the platform's API, from where the last back-fill left
// off: when the channel is connected, after an outage, and on a schedule,
// so that nothing missed by webhooks stays missed.
type BackfillArgs struct {
	ChannelID int64 `json:"channel_id"`
}

// Kind names the job.
func (BackfillArgs) Kind() string { return "intake.backfill" }

// InsertOpts keeps one back-fill per channel per ten minutes.
func (BackfillArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// EnqueueBackfillTx enqueues a channel's back-fill in tx; it fits
// credential.Store.OnConnect.
func EnqueueBackfillTx(ctx context.Context, tx *db.Tx, q *jobs.Queue, channelID int64) error {
	_, err := q.InsertTx(ctx, tx, BackfillArgs{ChannelID: channelID}, nil)
	return err
}

// BackfillWorker performs back-fills.
type BackfillWorker struct {
	river.WorkerDefaults[BackfillArgs]
	Store       *Store
	Credentials *credential.Store
	Connectors  map[platform.Name]platform.Connector
	Log         *slog.Logger
}

// Work polls the channel's platform from its cursor and stores what it
// finds with the new cursor, in one transaction.
func (w *BackfillWorker) Work(ctx context.Context, job *river.Job[BackfillArgs]) error {
	ctx = audit.WithActor(ctx, audit.System("backfill"))
	id := job.Args.ChannelID
	var name string
	err := w.Store.DB.QueryRow(ctx, "SELECT platform FROM channels WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("intake: back-fill: channel %d is gone", id))
	}
	if err != nil {
		return err
	}
	conn, ok := w.Connectors[platform.Name(name)]
	if !ok {
		return river.JobCancel(fmt.Errorf("intake: back-fill: no connector for %s", name))
	}
	cred, err := w.Credentials.Credentials(ctx, id)
	if errors.Is(err, credential.ErrNeedsReconnect) || apperr.KindOf(err) == apperr.NotFound {
		w.Log.Info("back-fill skipped: channel not connected", "channel_id", id)
		return nil
	}
	if err != nil {
		return err
	}
	cur, err := w.Store.cursor(ctx, id)
	if err != nil {
		return err
	}
	events, next, err := conn.Poll(ctx, cred, cur)
	if err != nil {
		return w.pollFailed(ctx, id, err)
	}
	saved, err := w.Store.SavePolled(ctx, id, events, next)
	if err != nil {
		return err
	}
	w.Log.Info("back-fill done", "channel_id", id, "new", saved.New, "known", saved.Duplicates)
	return nil
}

func (w *BackfillWorker) pollFailed(ctx context.Context, channelID int64, err error) error {
	_ = w.Store.noteCursorError(ctx, channelID, err.Error())
	var pe *platform.Error
	switch {
	case platform.IsTokenInvalid(err):
		if merr := w.Credentials.MarkNeedsReconnect(ctx, channelID, "plattformen godkänner inte längre token"); merr != nil {
			return merr
		}
		return river.JobCancel(err)
	case errors.As(err, &pe) && pe.RetryAfter > 0:
		return river.JobSnooze(pe.RetryAfter)
	case platform.IsPermanent(err):
		w.Log.Warn("back-fill failed for good", "channel_id", channelID, "err", err)
		return river.JobCancel(err)
	}
	return err
}

// SavePolled stores polled events and the channel's next cursor in one
// transaction: the cursor never moves past events that were not stored.
func (s *Store) SavePolled(ctx context.Context, channelID int64, events []platform.Event, next platform.Cursor) (Saved, error) {
	now := s.Now().UTC()
	var out Saved
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		out = Saved{}
		if err := s.saveEvents(ctx, tx, now, SourcePoll, 0, events, &out); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO intake_cursors (channel_id, cursor_value, polled_at, last_error) VALUES (?, ?, ?, '')
			ON CONFLICT (channel_id) DO UPDATE SET cursor_value = excluded.cursor_value, polled_at = excluded.polled_at, last_error = ''`,
			channelID, string(next), now)
		return err
	})
	if err != nil {
		return Saved{}, fmt.Errorf("intake: save polled: %w", err)
	}
	return out, nil
}

func (s *Store) cursor(ctx context.Context, channelID int64) (platform.Cursor, error) {
	var c string
	err := s.DB.QueryRow(ctx, "SELECT cursor_value FROM intake_cursors WHERE channel_id = ?", channelID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return platform.Cursor(c), err
}

func (s *Store) noteCursorError(ctx context.Context, channelID int64, msg string) error {
	_, err := s.DB.Exec(ctx, "UPDATE intake_cursors SET last_error = ? WHERE channel_id = ?", clean(msg, 1000), channelID)
	return err
}

// BackfillAllArgs is the periodic job that enqueues a back-fill for every
// connected channel.
type BackfillAllArgs struct{}

// Kind names the job.
func (BackfillAllArgs) Kind() string { return "intake.backfill_all" }

// BackfillAllWorker enqueues the back-fills.
type BackfillAllWorker struct {
	river.WorkerDefaults[BackfillAllArgs]
	Store      *Store
	Queue      *jobs.Queue
	Connectors map[platform.Name]platform.Connector
}

// Work enqueues one back-fill per connected channel with a connector.
func (w *BackfillAllWorker) Work(ctx context.Context, _ *river.Job[BackfillAllArgs]) error {
	rows, err := w.Store.DB.Query(ctx, `SELECT c.id, c.platform FROM channel_credentials k JOIN channels c ON c.id = k.channel_id
		WHERE k.status = 'ok' ORDER BY c.id`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		if _, ok := w.Connectors[platform.Name(name)]; ok {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.Queue.Insert(ctx, BackfillArgs{ChannelID: id}, nil); err != nil {
			return err
		}
	}
	return nil
}

// PeriodicBackfill schedules BackfillAll every interval (an hour is a good
// default: webhooks carry the traffic, this only closes gaps) and at start,
// which covers an outage of this process.
func PeriodicBackfill(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return BackfillAllArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
