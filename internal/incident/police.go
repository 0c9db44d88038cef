package incident

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// reportNumber matches the police's report numbers (K-nummer) as they are
// written: "K123456-26", with the police area in front ("5000-K123456-26")
// or without the year.
var reportNumber = regexp.MustCompile(`^([0-9]{4}-)?K[0-9]{1,9}(-[0-9]{2})?$`)

// NormaliseReportNumber checks a K-nummer and writes it the one way.
func NormaliseReportNumber(s string) (string, error) {
	n := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !reportNumber.MatchString(n) {
		return "", apperr.Invalidf("Polisens diarienummer ska se ut som K123456-26 (eller 5000-K123456-26)")
	}
	return n, nil
}

// RecordReport records the police's report number: the case is reported,
// and the reminders stop.
func (s *Store) RecordReport(ctx context.Context, v Viewer, id int64, number string) error {
	n, err := NormaliseReportNumber(number)
	if err != nil {
		return err
	}
	return s.update(ctx, v, id, "incident.reported", "Polisanmält: "+n,
		"UPDATE incidents SET police_report_number = ?, reported_at = ?, reported_by = ?, status = CASE WHEN status = 'open' THEN 'reported' ELSE status END WHERE id = ?",
		func(now time.Time) []any { return []any{n, now, nullID(v.UserID), id} })
}

// RecordTip records, for child sexual abuse material, the police's
// reference for the tip and the platform's id of the report made to it.
func (s *Store) RecordTip(ctx context.Context, v Viewer, id int64, tipRef, platformReport string) error {
	tipRef, platformReport = strings.TrimSpace(tipRef), strings.TrimSpace(platformReport)
	if tipRef == "" || len(tipRef) > 100 || len(platformReport) > 200 {
		return apperr.Invalidf("Ange polisens referens för tipset (högst 100 tecken)")
	}
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if !i.CSAM() {
		return apperr.Invalidf("Tips gäller bara ärenden om barnpornografibrott; ange polisens K-nummer")
	}
	return s.update(ctx, v, id, "incident.tip", "Tips till polisen lämnat: "+tipRef,
		"UPDATE incidents SET tip_reference = ?, platform_report_id = ?, reported_at = ?, reported_by = ?, status = CASE WHEN status = 'open' THEN 'reported' ELSE status END WHERE id = ?",
		func(now time.Time) []any { return []any{tipRef, platformReport, now, nullID(v.UserID), id} })
}

// PoliceActed records that the police have acted on the case. For child
// sexual abuse material the quarantined media is then purged.
func (s *Store) PoliceActed(ctx context.Context, v Viewer, id int64) error {
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE incidents SET police_acted_at = COALESCE(police_acted_at, ?) WHERE id = ?", now, id); err != nil {
			return wrap("police acted", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE media_quarantine SET purged_at = ? WHERE item_id = ? AND purged_at IS NULL", now, i.ItemID); err != nil {
			return wrap("purge", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "incident.police_acted", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID,
			Summary: "Polisen har agerat; media i karantän rensad"})
	})
}

// Close closes the case.
func (s *Store) Close(ctx context.Context, v Viewer, id int64) error {
	return s.update(ctx, v, id, "incident.close", "Ärendet avslutat",
		"UPDATE incidents SET status = 'closed', closed_at = ? WHERE id = ?",
		func(now time.Time) []any { return []any{now, id} })
}

// update changes a case v may work, with its audit entry.
func (s *Store) update(ctx context.Context, v Viewer, id int64, action, summary, q string, args func(now time.Time) []any) error {
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if i.Status == StatusClosed && action != "incident.close" {
		return apperr.Conflictf("Ärendet är avslutat")
	}
	now := s.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, q, args(now)...); err != nil {
			return fmt.Errorf("incident: %s: %w", action, err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: action, ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID, Summary: summary})
	})
}
