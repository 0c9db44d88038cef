package credential

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/org"
	"tilltal/internal/platform"
)

// MarkNeedsReconnect marks a channel's token dead and tells its owners,
// once per connection.
func (s *Store) MarkNeedsReconnect(ctx context.Context, channelID int64, reason string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return s.MarkNeedsReconnectTx(ctx, tx, channelID, reason) })
}

// MarkNeedsReconnectTx is MarkNeedsReconnect in the caller's transaction.
func (s *Store) MarkNeedsReconnectTx(ctx context.Context, tx *db.Tx, channelID int64, reason string) error {
	now := s.Now().UTC()
	reason = truncate(reason, 500)
	var status string
	var connected time.Time
	err := tx.QueryRow(ctx, "SELECT status, connected_at FROM channel_credentials WHERE channel_id = ?", channelID).Scan(&status, &connected)
	if err != nil {
		return fmt.Errorf("credential: mark needs reconnect: %w", err)
	}
	if Status(status) == StatusNeedsReconnect {
		return nil
	}
	if _, err := tx.Exec(ctx, "UPDATE channel_credentials SET status = 'needs_reconnect', status_detail = ?, updated_at = ? WHERE channel_id = ?", reason, now, channelID); err != nil {
		return err
	}
	ch, err := channelOf(ctx, tx, channelID)
	if err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{Action: "credential.needs_reconnect", ObjectType: "channel", ObjectID: audit.ID(channelID),
		DepartmentID: ch.departmentID, Summary: "Kanalens åtkomst har upphört: " + reason}); err != nil {
		return err
	}
	return s.tellOwners(ctx, tx, channelID, notify.Message{
		Subject:   "Kanalen " + ch.name + " måste anslutas på nytt",
		Body:      fmt.Sprintf("Tilltal kan inte längre nå %s på %s: %s\n\nInget skickas till kanalen förrän den är ansluten på nytt. Anslut den igen under Kanaler.", ch.name, platformLabel(ch.platform), reason),
		Link:      s.link(channelID),
		DedupeKey: fmt.Sprintf("token-dead:channel:%d:%d", channelID, connected.Unix()),
	})
}

// Check asks the platform whether a channel's token works, records what it
// learned, and warns or marks the channel as needed.
func (s *Store) Check(ctx context.Context, channelID int64) (platform.TokenStatus, error) {
	cred, err := s.Credentials(ctx, channelID)
	if errors.Is(err, ErrNeedsReconnect) {
		return platform.TokenStatus{Valid: false, Detail: "needs reconnect"}, nil
	}
	if err != nil {
		return platform.TokenStatus{}, err
	}
	info, err := s.Get(ctx, channelID)
	if err != nil {
		return platform.TokenStatus{}, err
	}
	conn, ok := s.Connectors[info.Platform]
	if !ok {
		return platform.TokenStatus{}, fmt.Errorf("credential: no connector for %s", info.Platform)
	}
	st, err := conn.CheckToken(ctx, cred)
	if err != nil {
		if platform.IsTokenInvalid(err) {
			return platform.TokenStatus{Valid: false, Detail: err.Error()}, s.MarkNeedsReconnect(ctx, channelID, tokenReason(err))
		}
		return platform.TokenStatus{}, fmt.Errorf("credential: check channel %d: %w", channelID, err)
	}
	return st, s.record(ctx, channelID, info, st)
}

func (s *Store) record(ctx context.Context, channelID int64, info Credential, st platform.TokenStatus) error {
	now := s.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE channel_credentials SET checked_at = ?, expires_at = COALESCE(?, expires_at), scopes = ?, status_detail = ? WHERE channel_id = ?",
			now, nullTime(st.ExpiresAt), strings.Join(st.Scopes, ","), truncate(st.Detail, 500), channelID); err != nil {
			return err
		}
		if !st.Valid {
			reason := st.Detail
			if reason == "" {
				reason = "plattformen godkänner inte längre token"
			}
			return s.MarkNeedsReconnectTx(ctx, tx, channelID, reason)
		}
		if st.ExpiresAt.IsZero() || st.ExpiresAt.Sub(now) > s.warnBefore() {
			return nil
		}
		day := st.ExpiresAt.In(stockholm()).Format("2006-01-02")
		return s.tellOwners(ctx, tx, channelID, notify.Message{
			Subject:   "Kanalen " + info.ChannelName + " behöver snart anslutas på nytt",
			Body:      fmt.Sprintf("Åtkomsten till %s på %s går ut %s. Anslut kanalen på nytt före dess, annars kan Tilltal varken läsa eller svara i kanalen.", info.ChannelName, platformLabel(info.Platform), day),
			Link:      s.link(channelID),
			DedupeKey: fmt.Sprintf("token-expiry:channel:%d:%s", channelID, day),
		})
	})
}

// CheckAll checks every connected channel's token; one failure does not
// stop the others.
func (s *Store) CheckAll(ctx context.Context) error {
	list, err := s.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range list {
		if c.Status != StatusOK {
			continue
		}
		if _, err := s.Check(ctx, c.ChannelID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// tellOwners notifies the channel's owners, or the communicators when the
// channel has none.
func (s *Store) tellOwners(ctx context.Context, tx *db.Tx, channelID int64, msg notify.Message) error {
	rows, err := tx.Query(ctx, `SELECT m.user_id FROM channel_members m JOIN users u ON u.id = m.user_id
		WHERE m.channel_id = ? AND m.role = 'owner' AND u.active ORDER BY m.user_id`, channelID)
	if err != nil {
		return err
	}
	var owners []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		owners = append(owners, id)
	}
	rows.Close()
	if len(owners) == 0 {
		return s.Notify.ToRoleTx(ctx, tx, org.Communicator, msg)
	}
	for _, id := range owners {
		m := msg
		m.UserID = id
		m.DedupeKey = fmt.Sprintf("%s:user:%d", msg.DedupeKey, id)
		if _, err := s.Notify.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// TellOwnersTx notifies a channel's owners (or the communicators when it
// has none) in tx; other packages alert through it.
func (s *Store) TellOwnersTx(ctx context.Context, tx *db.Tx, channelID int64, msg notify.Message) error {
	return s.tellOwners(ctx, tx, channelID, msg)
}

func (s *Store) warnBefore() time.Duration {
	if s.WarnBefore > 0 {
		return s.WarnBefore
	}
	return 14 * 24 * time.Hour
}

func (s *Store) link(channelID int64) string {
	return strings.TrimRight(s.BaseURL, "/") + "/kanaler/" + idString(channelID)
}

func tokenReason(err error) string {
	var pe *platform.Error
	if errors.As(err, &pe) && pe.Message != "" {
		return "plattformen svarade: " + pe.Message
	}
	return "plattformen godkänner inte längre token"
}

func platformLabel(p platform.Name) string {
	switch p {
	case platform.Facebook:
		return "Facebook"
	case platform.Instagram:
		return "Instagram"
	case platform.LinkedIn:
		return "LinkedIn"
	case platform.YouTube:
		return "YouTube"
	}
	return string(p)
}

func stockholm() *time.Location {
	if loc, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return loc
	}
	return time.UTC
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// CheckArgs is the daily job that checks every token.
type CheckArgs struct{}

// Kind names the job.
func (CheckArgs) Kind() string { return "credential.check_all" }

// InsertOpts keeps one check queued at a time.
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
}

// CheckWorker runs CheckAll.
type CheckWorker struct {
	river.WorkerDefaults[CheckArgs]
	Store *Store
}

// Work checks every token.
func (w *CheckWorker) Work(ctx context.Context, _ *river.Job[CheckArgs]) error {
	return w.Store.CheckAll(audit.WithActor(ctx, audit.System("token-check")))
}

// PeriodicCheck schedules the check daily, and once at start.
func PeriodicCheck() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return CheckArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
