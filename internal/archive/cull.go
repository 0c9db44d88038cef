package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/platform"
)

// CullingContent is the content of a culling record: what was culled,
// when and under which rule. Culled lists the culled records' seqs as
// inclusive spans; Verify reads it to tell culling from tampering.
type CullingContent struct {
	RuleID     int64      `json:"rule_id"`
	RuleName   string     `json:"rule"`
	Decision   string     `json:"decision,omitempty"`
	KeepMonths int        `json:"keep_months"`
	Cutoff     time.Time  `json:"received_before"`
	Count      int        `json:"count"`
	Culled     [][2]int64 `json:"culled"`
	Blobs      []string   `json:"blobs,omitempty"`
	CulledAt   time.Time  `json:"culled_at"`
}

// Culling is one entry of the culling log.
type Culling struct {
	ID          int64
	RuleID      int64
	RuleName    string
	Decision    string
	RanAt       time.Time
	RecordCount int
	BlobCount   int
	CullingSeq  int64
}

// cullBatch bounds the records culled in one transaction.
const cullBatch = 1000

// CullArgs is the periodic retention job.
type CullArgs struct{}

// Kind names the job.
func (CullArgs) Kind() string { return "archive.cull" }

// CullWorker runs the retention rules.
type CullWorker struct {
	river.WorkerDefaults[CullArgs]
	Store *Store
}

// Work runs every active rule.
func (w *CullWorker) Work(ctx context.Context, _ *river.Job[CullArgs]) error {
	_, err := w.Store.Cull(audit.WithActor(ctx, audit.System("gallring")))
	return err
}

// PeriodicCull runs the retention rules every interval.
// The first run is one interval after start: nothing is lost by waiting,
// and the jobs that must run at start get the workers first.
func PeriodicCull(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return CullArgs{}, nil }, nil)
}

// Cull runs every active retention rule and returns how many records it
// culled. Each batch is one transaction that removes the records' content,
// appends the culling record that names them and writes the culling log;
// attachment files no other record needs are deleted after it commits. It
// is idempotent: what is culled is not culled again, and a run cut short
// is finished by the next.
func (s *Store) Cull(ctx context.Context) (int, error) {
	rules, err := s.RetentionRules(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, r := range rules {
		if !r.Active {
			continue
		}
		for {
			n, err := s.cullBatch(ctx, r)
			if err != nil {
				return total, fmt.Errorf("archive: cull under rule %d: %w", r.ID, err)
			}
			total += n
			if n < cullBatch {
				break
			}
		}
	}
	return total, s.deleteBlobs(ctx)
}

// cullBatch culls up to cullBatch records under one rule.
func (s *Store) cullBatch(ctx context.Context, rule RetentionRule) (int, error) {
	now := s.now()
	cutoff := rule.cutoff(now)
	culled := 0
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The chain lock first: the culling record is appended below, and
		// two runs must not pick the same records.
		if err := LockTx(ctx, tx); err != nil {
			return err
		}
		where, args := rule.dueClause(cutoff)
		seqs, err := int64s(ctx, tx, fmt.Sprintf("SELECT r.seq%s%s AND NOT %s AND NOT %s ORDER BY r.seq LIMIT %d", dueFrom, where, heldClause, requestedClause, cullBatch), args...)
		if err != nil || len(seqs) == 0 {
			return err
		}
		in := db.Placeholders(len(seqs))
		seqArgs := make([]any, len(seqs))
		for i, s := range seqs {
			seqArgs[i] = s
		}
		// The files culled with their records: attachments, and the PDF
		// and HTML of snapshots.
		blobs, err := strs(ctx, tx, "SELECT blob_sha256 FROM archive_attachments WHERE blob_sha256 <> '' AND record_seq IN ("+in+
			") UNION SELECT pdf_sha256 FROM archive_snapshots WHERE record_seq IN ("+in+") UNION SELECT html_sha256 FROM archive_snapshots WHERE record_seq IN ("+in+
			") ORDER BY 1", append(append(append([]any{}, seqArgs...), seqArgs...), seqArgs...)...)
		if err != nil {
			return err
		}
		content, err := json.Marshal(CullingContent{RuleID: rule.ID, RuleName: rule.Name, Decision: rule.Decision, KeepMonths: rule.KeepMonths,
			Cutoff: archiveTime(cutoff), Count: len(seqs), Culled: spans(seqs), Blobs: blobs, CulledAt: archiveTime(now)})
		if err != nil {
			return err
		}
		rec, err := AppendTx(ctx, tx, Record{Kind: KindCulling, ChannelID: rule.ChannelID, Direction: Internal, OccurredAt: now, CapturedAt: now, Content: content})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE archive_records SET content = NULL, search_text = '', culled_at = ?, culled_by = ? WHERE seq IN ("+in+")",
			append([]any{now, rec.Seq}, seqArgs...)...); err != nil {
			return fmt.Errorf("remove content: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE archive_attachments SET status = 'culled' WHERE record_seq IN ("+in+")", seqArgs...); err != nil {
			return err
		}
		items, err := cullItemsTx(ctx, tx, rule, in, seqArgs, now)
		if err != nil {
			return err
		}
		logID, err := tx.InsertID(ctx, "INSERT INTO archive_cullings (rule_id, rule_name, decision, ran_at, record_count, blob_count, culling_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
			rule.ID, rule.Name, rule.Decision, now, len(seqs), len(blobs), rec.Seq)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if _, err := tx.Exec(ctx, `INSERT INTO archive_blob_deletions (blob_sha256, culling_id) VALUES (?, ?)
				ON CONFLICT (blob_sha256) DO UPDATE SET culling_id = excluded.culling_id, deleted_at = NULL`, b, logID); err != nil {
				return err
			}
		}
		culled = len(seqs)
		return audit.Record(ctx, tx, now, audit.Entry{Action: "archive.cull", ObjectType: "retention_rule", ObjectID: audit.ID(rule.ID),
			Summary: fmt.Sprintf("%d handlingar gallrade enligt ”%s”", len(seqs), rule.Name), Detail: map[string]any{"culling_seq": rec.Seq, "blobs": len(blobs), "items": items}})
	})
	return culled, err
}

// cullItemsTx culls the inbox's copies of the items whose archive records
// were just culled (the records seqs, as placeholders in and args): an
// item whose every version record is now culled loses its text, versions,
// author, attachments and search text, and keeps a stub row that says
// when and under which rule, so that its thread and the reports still
// count it. An item with a version record left (under a hold, or not yet
// due), a registered or secret item, and an item the diary registered are
// left whole. It returns how many items it culled.
func cullItemsTx(ctx context.Context, tx *db.Tx, rule RetentionRule, in string, args []any, now time.Time) (int, error) {
	ids, err := int64s(ctx, tx, `SELECT DISTINCT r.item_id FROM archive_records r WHERE r.seq IN (`+in+`) AND r.item_id <> 0 AND r.kind = 'item_version'
		AND NOT EXISTS (SELECT 1 FROM archive_records k WHERE k.item_id = r.item_id AND k.kind = 'item_version' AND k.content IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM archive_item_classes c WHERE c.item_id = r.item_id AND c.class IN ('registreras', 'sekretess'))
		AND NOT EXISTS (SELECT 1 FROM diary_entries e WHERE e.object_type = 'item' AND e.object_id = CAST(r.item_id AS TEXT))
		AND EXISTS (SELECT 1 FROM items i WHERE i.id = r.item_id AND i.culled_at IS NULL)
		ORDER BY r.item_id`, args...)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	list := db.Placeholders(len(ids))
	stub := CulledStub(now, rule.Name)
	if _, err := tx.Exec(ctx, `UPDATE items SET body = ?, search_text = '', attachments = '[]', author_id = '', author_name = '', author_handle = '',
		author_url = '', culled_at = ? WHERE id IN (`+list+`)`, append([]any{stub, now}, idArgs...)...); err != nil {
		return 0, fmt.Errorf("cull inbox items: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE item_versions SET body = '' WHERE item_id IN ("+list+")", idArgs...); err != nil {
		return 0, fmt.Errorf("cull item versions: %w", err)
	}
	if err := cullEventsTx(ctx, tx, list, idArgs); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// cullEventsTx culls the intake's copies of the culled items' events (the
// items' ids, as placeholders list and args): each event keeps its ids,
// verb and times (so a replay still finds the item, and brings nothing
// back) and loses its text, author and attachments. A webhook delivery
// loses its body once every event it brought is culled, it has been
// processed, and the archive holds its raw record (which the retention
// rules cull or keep on their own: the row here is only intake's copy).
func cullEventsTx(ctx context.Context, tx *db.Tx, list string, args []any) error {
	rows, err := tx.Query(ctx, `SELECT e.id, e.event_json, COALESCE(e.delivery_id, 0) FROM platform_events e JOIN items i ON i.platform = e.platform AND i.external_id = e.object_id
		WHERE i.id IN (`+list+`) AND (e.channel_id IS NULL OR e.channel_id = i.channel_id) ORDER BY e.id`, args...)
	if err != nil {
		return fmt.Errorf("cull events: %w", err)
	}
	type event struct {
		id, delivery int64
		js           string
	}
	var evs []event
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.id, &e.js, &e.delivery); err != nil {
			rows.Close()
			return err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var deliveries []int64
	for _, e := range evs {
		var ev platform.Event
		js := "{}"
		if json.Unmarshal([]byte(e.js), &ev) == nil {
			ev.Object.Text, ev.Object.Attachments = "", nil
			ev.Object.Author = platform.Author{IsPage: ev.Object.Author.IsPage}
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			js = string(b)
		}
		if _, err := tx.Exec(ctx, "UPDATE platform_events SET body = '', author_id = '', author_name = '', event_json = ? WHERE id = ?", js, e.id); err != nil {
			return fmt.Errorf("cull events: %w", err)
		}
		if e.delivery != 0 && !slices.Contains(deliveries, e.delivery) {
			deliveries = append(deliveries, e.delivery)
		}
	}
	for _, d := range deliveries {
		// Every event of the delivery is of a culled item.
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET body = ? WHERE id = ? AND processed_at IS NOT NULL
			AND EXISTS (SELECT 1 FROM archive_deliveries a WHERE a.delivery_id = webhook_deliveries.id)
			AND NOT EXISTS (SELECT 1 FROM platform_events e WHERE e.delivery_id = webhook_deliveries.id
				AND NOT EXISTS (SELECT 1 FROM items i WHERE i.platform = e.platform AND i.external_id = e.object_id AND i.culled_at IS NOT NULL))`,
			[]byte{}, d); err != nil {
			return fmt.Errorf("cull deliveries: %w", err)
		}
	}
	return nil
}

// CulledStub is what a culled inbox item says instead of its text.
func CulledStub(at time.Time, rule string) string {
	return fmt.Sprintf("Gallrad %s enligt ”%s”", calendar.FormatDate(at), rule)
}

// deleteBlobs deletes the attachment and snapshot files culling left to
// delete, unless a record that still has its content refers to the same
// file.
func (s *Store) deleteBlobs(ctx context.Context) error {
	if s.Blobs == nil {
		return nil
	}
	rows, err := s.DB.Query(ctx, "SELECT blob_sha256 FROM archive_blob_deletions WHERE deleted_at IS NULL LIMIT 10000")
	if err != nil {
		return err
	}
	var pending []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		pending = append(pending, h)
	}
	rows.Close()
	for _, h := range pending {
		if err := s.deleteUnused(ctx, h); err != nil {
			return err
		}
		if _, err := s.DB.Exec(ctx, "UPDATE archive_blob_deletions SET deleted_at = ? WHERE blob_sha256 = ?", s.now(), h); err != nil {
			return err
		}
	}
	return nil
}

// deleteUnused deletes a file unless a record that still has its content
// names it; a quarantined attachment's record does not count.
func (s *Store) deleteUnused(ctx context.Context, h string) error {
	var inUse int
	if err := s.DB.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM archive_attachments a JOIN archive_records r ON r.seq = a.record_seq
		WHERE a.blob_sha256 = ? AND a.status <> 'quarantined' AND r.content IS NOT NULL) + (SELECT COUNT(*) FROM archive_snapshots n JOIN archive_records r ON r.seq = n.record_seq
		WHERE (n.pdf_sha256 = ? OR n.html_sha256 = ?) AND r.content IS NOT NULL)`, h, h, h).Scan(&inUse); err != nil {
		return err
	}
	if inUse > 0 {
		return nil
	}
	return s.Blobs.Delete(ctx, h)
}

// Cullings returns the culling log, newest first.
func (s *Store) Cullings(ctx context.Context, limit int) ([]Culling, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, rule_id, rule_name, decision, ran_at, record_count, blob_count, culling_seq FROM archive_cullings ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("archive: culling log: %w", err)
	}
	defer rows.Close()
	var out []Culling
	for rows.Next() {
		var c Culling
		if err := rows.Scan(&c.ID, &c.RuleID, &c.RuleName, &c.Decision, &c.RanAt, &c.RecordCount, &c.BlobCount, &c.CullingSeq); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// spans turns sorted seqs into inclusive [from, to] spans.
func spans(seqs []int64) [][2]int64 {
	var out [][2]int64
	for _, s := range seqs {
		if n := len(out); n > 0 && out[n-1][1]+1 == s {
			out[n-1][1] = s
			continue
		}
		out = append(out, [2]int64{s, s})
	}
	return out
}

func int64s(ctx context.Context, tx querier, q string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func strs(ctx context.Context, tx *db.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// querier is a transaction or the database.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}
