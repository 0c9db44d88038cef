package incident

import (
	"context"
	"fmt"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/notify"
	"tilltal/internal/org"
)

// Reminders of unreported cases: the first after remindAfter, then every
// remindEvery. Operators keep what the police need only for months.
const (
	remindAfter = 2 * 24 * time.Hour
	remindEvery = 7 * 24 * time.Hour
)

// AlertLateRemovals alerts, once per case, when content under a case is
// still visible past its removal target: legal, the owner and whoever is
// on duty.
func (s *Store) AlertLateRemovals(ctx context.Context) error {
	now := s.Now().UTC()
	list, err := s.ids(ctx, "SELECT id FROM incidents WHERE removed_at IS NULL AND removal_alerted_at IS NULL AND opened_at > ? ORDER BY id LIMIT 500", now.Add(-30*24*time.Hour))
	if err != nil {
		return err
	}
	for _, id := range list {
		i, err := load(ctx, s.DB, id)
		if err != nil {
			return err
		}
		if !now.After(i.RemovalDue()) {
			continue
		}
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			r, err := tx.Exec(ctx, "UPDATE incidents SET removal_alerted_at = ? WHERE id = ? AND removal_alerted_at IS NULL", now, id)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
			body := fmt.Sprintf("Innehållet i ärende %s (misstänkt %s) i %s syns fortfarande på plattformen, %s efter att det kom in. Målet är %s.",
				i.DiaryNumber, i.Category.Swedish(), i.ChannelName, now.Sub(i.ReceivedAt).Round(time.Minute), i.RemovalTarget)
			if i.RemovalError != "" {
				body += "\n\nSenaste försöket misslyckades: " + i.RemovalError
			}
			return s.escalate(ctx, tx, id, i.ChannelID, "Målet för borttagning missat i "+i.ChannelName, body, fmt.Sprintf("incident-late:%d", id))
		})
		if err != nil {
			return wrap("late removal", err)
		}
	}
	return nil
}

// RemindUnreported reminds a case's owner (legal when the channel has no
// owner) while the case is not reported to the police.
func (s *Store) RemindUnreported(ctx context.Context) error {
	now := s.Now().UTC()
	list, err := s.ids(ctx, `SELECT id FROM incidents WHERE status = 'open' AND opened_at <= ? AND (last_reminder_at IS NULL OR last_reminder_at <= ?)
		ORDER BY id LIMIT 500`, now.Add(-remindAfter), now.Add(-remindEvery))
	if err != nil {
		return err
	}
	for _, id := range list {
		i, err := load(ctx, s.DB, id)
		if err != nil {
			return err
		}
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE incidents SET last_reminder_at = ? WHERE id = ?", now, id); err != nil {
				return err
			}
			if s.Outbox == nil {
				return nil
			}
			what := "Polisanmäl och för in polisens diarienummer (K-nummer) i ärendet."
			if i.CSAM() {
				what = "Tipsa polisen (eller ECPAT Hotline) med underlaget i ärendet och för in referensen."
			}
			msg := notify.Message{Subject: fmt.Sprintf("Ej polisanmält: ärende %s i %s", i.DiaryNumber, i.ChannelName),
				Body: fmt.Sprintf("Ärendet om misstänkt %s öppnades %s och är inte polisanmält. Plattformarna sparar de uppgifter polisen behöver bara en tid. %s",
					i.Category.Swedish(), stamp(i.OpenedAt), what),
				Link: s.link(fmt.Sprintf("/arenden/%d", id)), DedupeKey: fmt.Sprintf("incident-unreported:%d:%s", id, now.Format("2006-01-02"))}
			owners, err := channelOwners(ctx, tx, i.ChannelID)
			if err != nil {
				return err
			}
			if len(owners) == 0 {
				return s.Outbox.ToRoleTx(ctx, tx, org.Legal, msg)
			}
			return s.tell(ctx, tx, owners, msg)
		})
		if err != nil {
			return wrap("remind", err)
		}
	}
	return nil
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap("watch", err)
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
