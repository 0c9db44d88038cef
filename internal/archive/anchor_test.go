package archive

import (
	"context"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestAnchorsCatchATruncatedTail: an intruder deletes the last records and
// moves the head back to the last one left, which the head check alone
// cannot see; the anchor written before names a record that is gone. An
// anchor erased from its table alone is still in the audit log, and a
// rewritten record at an anchored seq is caught too.
func TestAnchorsCatchATruncatedTail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := &Store{DB: d, Now: func() time.Time { return t0 }}
		if a, err := s.AnchorHead(ctx); err != nil || a.Seq != 0 {
			t.Fatalf("anchor of an empty chain: %+v %v", a, err)
		}
		appendN(t, d, 6)
		a, err := s.AnchorHead(ctx)
		if err != nil || a.Seq != 6 {
			t.Fatalf("anchor: %+v %v", a, err)
		}
		if again, err := s.AnchorHead(ctx); err != nil || again.Seq != 0 {
			t.Fatalf("a second anchor of the same head: %+v %v", again, err)
		}
		var audited int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'archive.anchor' AND object_id = '6'").Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("anchor audit entries: %d %v", audited, err)
		}
		if rep := mustVerify(t, d); !rep.OK() {
			t.Fatalf("anchored chain: %v", rep.Problems)
		}
		// Delete records 5 and 6 and move the head back to record 4: the
		// chain is self-consistent, only the anchor knows better.
		var h4 string
		if err := d.QueryRow(ctx, "SELECT hash FROM archive_records WHERE seq = 4").Scan(&h4); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "DELETE FROM archive_records WHERE seq > 4"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "UPDATE archive_chain SET seq = 4, hash = ? WHERE id = 1", h4); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, d)
		if rep.OK() || rep.Problems[0].Seq != 5 || !strings.Contains(rep.Problems[0].Reason, "anchor names record 6") {
			t.Fatalf("truncation: %+v", rep.Problems)
		}
		// Erasing the anchor table alone does not help: the audit log has it.
		if _, err := d.Exec(ctx, "DELETE FROM archive_anchors"); err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, d); rep.OK() || !strings.Contains(rep.Problems[0].Reason, "deleted from the end") {
			t.Fatalf("truncation with the anchor table erased: %+v", rep.Problems)
		}
	})
}

// TestAnchorCatchesARewrittenTail: the tail rewritten with a new, valid
// chain from record 5 on (same seqs, other content) verifies by hashes,
// but not against the anchor of record 6.
func TestAnchorCatchesARewrittenTail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := &Store{DB: d, Now: func() time.Time { return t0 }}
		appendN(t, d, 6)
		if _, err := s.AnchorHead(ctx); err != nil {
			t.Fatal(err)
		}
		var h4 string
		if err := d.QueryRow(ctx, "SELECT hash FROM archive_records WHERE seq = 4").Scan(&h4); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "DELETE FROM archive_records WHERE seq > 4"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "UPDATE archive_chain SET seq = 4, hash = ? WHERE id = 1", h4); err != nil {
			t.Fatal(err)
		}
		for i := 5; i <= 6; i++ {
			err := d.InTx(ctx, func(tx *db.Tx) error {
				_, err := AppendTx(ctx, tx, testRecord(100+i, "en annan text"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		rep := mustVerify(t, d)
		if rep.OK() || rep.Problems[0].Seq != 6 || !strings.Contains(rep.Problems[0].Reason, "anchor") {
			t.Fatalf("rewritten tail: %+v", rep.Problems)
		}
	})
}
