package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// RetentionRule is a culling decision from the municipality's records
// plan: records of a kind, on a channel, of items in a class, are culled
// KeepMonths after they were received. Records of registered or secret
// items, and records with a diary number, are never culled.
type RetentionRule struct {
	ID   int64
	Name string
	// RecordKind limits the rule to one kind of record; "" means every
	// kind that may be culled.
	RecordKind Kind
	// ChannelID limits it to one channel; 0 means all channels.
	ChannelID int64
	// Class limits it to items of one class (ringa betydelse or hålls
	// ordnad); "" means any class that may be culled.
	Class      Class
	KeepMonths int
	// Decision names the decision the rule comes from (the records plan,
	// its number and date).
	Decision  string
	Active    bool
	CreatedAt time.Time
	CreatedBy string
	EndedAt   *time.Time
}

// Describe sums the rule up in Swedish.
func (r RetentionRule) Describe() string {
	what := "Alla handlingar som får gallras"
	if r.RecordKind != "" {
		what = "Handlingar av typen " + string(r.RecordKind)
	}
	if r.Class != "" {
		what += " (" + strings.ToLower(r.Class.Label()) + ")"
	}
	where := "i alla kanaler"
	if r.ChannelID != 0 {
		where = fmt.Sprintf("i kanal %d", r.ChannelID)
	}
	return fmt.Sprintf("%s %s gallras %d månader efter att de kom in", what, where, r.KeepMonths)
}

func (r RetentionRule) validate() error {
	if strings.TrimSpace(r.Name) == "" || len(r.Name) > 200 {
		return apperr.Invalidf("Ge regeln ett namn (högst 200 tecken)")
	}
	if r.RecordKind != "" && !r.RecordKind.Cullable() {
		return apperr.Invalidf("Handlingar av typen %q gallras aldrig", r.RecordKind)
	}
	switch r.Class {
	case "", ClassMinor, ClassOrdered:
	case ClassRegistered, ClassSecret:
		return apperr.Invalidf("Registrerade handlingar och handlingar med sekretess bevaras och kan inte gallras")
	default:
		return apperr.Invalidf("Okänd registreringsklass %q", r.Class)
	}
	if r.KeepMonths < 1 || r.KeepMonths > 1200 {
		return apperr.Invalidf("Bevarandetiden ska vara mellan 1 och 1200 månader")
	}
	if len(r.Decision) > 500 {
		return apperr.Invalidf("Beslutet är för långt beskrivet (högst 500 tecken)")
	}
	return nil
}

// cutoff is the receipt time before which the rule culls at now.
func (r RetentionRule) cutoff(now time.Time) time.Time { return now.AddDate(0, -r.KeepMonths, 0) }

// dueClause selects records (alias r, joined to their item's class as c)
// that the rule culls at cutoff, holds aside.
func (r RetentionRule) dueClause(cutoff time.Time) (string, []any) {
	conds := []string{
		"r.content IS NOT NULL",
		"r.kind IN ('item_version', 'reply', 'post', 'attachment', 'raw_delivery', 'snapshot')",
		"r.occurred_at < ?",
		"r.diary_number = ''",
		"NOT r.secret",
		"(c.class IS NULL OR c.class NOT IN ('registreras', 'sekretess'))",
	}
	args := []any{archiveTime(cutoff)}
	if r.RecordKind != "" {
		conds, args = append(conds, "r.kind = ?"), append(args, string(r.RecordKind))
	}
	if r.ChannelID != 0 {
		conds, args = append(conds, "r.channel_id = ?"), append(args, r.ChannelID)
	}
	if r.Class != "" {
		conds, args = append(conds, "c.class = ?"), append(args, string(r.Class))
	}
	return strings.Join(conds, " AND "), args
}

const dueFrom = " FROM archive_records r LEFT JOIN archive_item_classes c ON c.item_id = r.item_id AND r.item_id <> 0 WHERE "

// Preview counts what the rule would cull now, and how many of those
// records a legal hold keeps.
func (s *Store) Preview(ctx context.Context, r RetentionRule) (due, held int, err error) {
	where, args := r.dueClause(r.cutoff(s.now()))
	err = s.DB.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN "+heldClause+" THEN 1 ELSE 0 END), 0)"+dueFrom+where, args...).Scan(&due, &held)
	return due, held, err
}

// AddRetentionRule adds a rule. A rule that would cull a record under a
// legal hold is refused: the hold must be lifted, or the rule narrowed,
// first.
func (s *Store) AddRetentionRule(ctx context.Context, r RetentionRule) (int64, error) {
	r.Name, r.Decision = strings.TrimSpace(r.Name), strings.TrimSpace(r.Decision)
	if err := r.validate(); err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := refuseHeld(ctx, tx, r, now); err != nil {
			return err
		}
		actor := audit.ActorFrom(ctx)
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO archive_retention_rules (name, record_kind, channel_id, class, keep_months, decision, active, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?)`, r.Name, string(r.RecordKind), r.ChannelID, string(r.Class), r.KeepMonths, r.Decision, now, actor.Label)
		if err != nil {
			return fmt.Errorf("archive: add rule: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.retention_rule_add", ObjectType: "retention_rule", ObjectID: audit.ID(id),
			Summary: r.Name + ": " + r.Describe(), Detail: map[string]any{"decision": r.Decision}})
	})
	return id, err
}

// refuseHeld returns a clear error when the rule would cull a record under
// a legal hold, now or as soon as it applies: a rule for a held channel is
// refused outright.
func refuseHeld(ctx context.Context, tx *db.Tx, r RetentionRule, now time.Time) error {
	if r.ChannelID != 0 {
		var reason string
		err := tx.QueryRow(ctx, "SELECT reason FROM archive_holds WHERE scope = 'channel' AND target_id = ? AND released_at IS NULL", r.ChannelID).Scan(&reason)
		if err == nil {
			return apperr.Conflictf("Regeln skulle gallra handlingar i kanal %d, som omfattas av ett bevarandebeslut (”%s”). Häv bevarandet först eller välj en annan kanal.", r.ChannelID, reason)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	where, args := r.dueClause(r.cutoff(now))
	var held int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*)"+dueFrom+where+" AND "+heldClause, args...).Scan(&held); err != nil {
		return fmt.Errorf("archive: check holds: %w", err)
	}
	if held > 0 {
		return apperr.Conflictf("Regeln skulle gallra %d handlingar som omfattas av ett bevarandebeslut. Häv bevarandet först eller avgränsa regeln (kanal, typ, klass eller bevarandetid).", held)
	}
	return nil
}

// EndRetentionRule stops a rule; what it culled stays culled.
func (s *Store) EndRetentionRule(ctx context.Context, id int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE archive_retention_rules SET active = FALSE, ended_at = ? WHERE id = ? AND active", now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Regeln finns inte eller gäller inte längre")
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.retention_rule_end", ObjectType: "retention_rule", ObjectID: audit.ID(id), Summary: "regeln upphör"})
	})
}

const ruleColumns = "id, name, record_kind, channel_id, class, keep_months, decision, active, created_at, created_by, ended_at"

func scanRule(row interface{ Scan(...any) error }) (RetentionRule, error) {
	var r RetentionRule
	var kind, class string
	var ended sql.NullTime
	err := row.Scan(&r.ID, &r.Name, &kind, &r.ChannelID, &class, &r.KeepMonths, &r.Decision, &r.Active, &r.CreatedAt, &r.CreatedBy, &ended)
	r.RecordKind, r.Class = Kind(kind), Class(class)
	if ended.Valid {
		r.EndedAt = &ended.Time
	}
	return r, err
}

// RetentionRules lists the rules, active ones first.
func (s *Store) RetentionRules(ctx context.Context) ([]RetentionRule, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+ruleColumns+" FROM archive_retention_rules ORDER BY active DESC, id")
	if err != nil {
		return nil, fmt.Errorf("archive: rules: %w", err)
	}
	defer rows.Close()
	var out []RetentionRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
