package archive_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/platform"
)

// intakeEvent stores an event and the delivery that brought it as intake
// does (processed, and archived as a raw delivery), and returns the
// delivery's id.
func (f *fixture) intakeEvent(t *testing.T, ev platform.Event) int64 {
	t.Helper()
	ctx := context.Background()
	js, _ := json.Marshal(ev)
	var id int64
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO webhook_deliveries (source, body_sha256, body, object_type, event_count, received_at, last_received_at, processed_at)
			VALUES ('meta', ?, ?, 'page', 1, ?, ?, ?)`, ev.EventID, js, ev.OccurredAt, ev.OccurredAt, ev.OccurredAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO platform_events (platform, account_id, event_id, channel_id, delivery_id, source, verb, kind, object_id, parent_id, thread_id,
			author_id, author_name, body, event_json, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, 'webhook', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(ev.Platform), ev.AccountID, ev.EventID, f.ch1, id, string(ev.Verb), string(ev.Object.Kind), ev.Object.ExternalID, ev.Object.ParentID, ev.Object.ThreadID,
			ev.Object.Author.ExternalID, ev.Object.Author.Name, ev.Object.Text, string(js), ev.OccurredAt, ev.OccurredAt); err != nil {
			return err
		}
		_, err = archive.DeliveryTx(ctx, tx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCulledItemStaysCulled culls an item, then sends events about it: a
// removal makes no version from the culling stub (the archive would say
// the citizen wrote it), an edit with new text is a new record that
// brings the item back with that text. The intake's copies of the culled
// events and of the delivery lose the text and the author; the chain
// verifies throughout.
func TestCulledItemStaysCulled(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		old := t0.AddDate(-2, 0, 0)
		secretText := "Min granne Per Persson spelar hög musik varje natt"
		created := comment("c1", secretText, platform.VerbCreate, old)
		created.EventID = "ev-c1" // the helper's ids carry the text
		item := f.ingest(t, f.ch1, created)
		culledDelivery := f.intakeEvent(t, created)
		kept := comment("c2", "Öppettider i påsk?", platform.VerbCreate, t0)
		f.ingest(t, f.ch1, kept)
		keptDelivery := f.intakeEvent(t, kept)
		rule := archive.RetentionRule{Name: "Kommentarer efter ett år", RecordKind: archive.KindItemVersion, ChannelID: f.ch1, KeepMonths: 12}
		if _, err := f.s.AddRetentionRule(ctx, rule); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.Cull(ctx); err != nil || n != 1 {
			t.Fatalf("cull: %d %v", n, err)
		}
		f.verify(t)

		// The intake's copies are culled too; the kept item's are whole.
		var body, author, js string
		if err := d.QueryRow(ctx, "SELECT body, author_name, event_json FROM platform_events WHERE object_id = 'c1'").Scan(&body, &author, &js); err != nil {
			t.Fatal(err)
		}
		var ev platform.Event
		if err := json.Unmarshal([]byte(js), &ev); err != nil {
			t.Fatal(err)
		}
		if body != "" || author != "" || strings.Contains(js, "granne") || strings.Contains(js, "Åsa") || ev.EventID != created.EventID || ev.Object.ExternalID != "c1" {
			t.Fatalf("culled event keeps %q %q %s", body, author, js)
		}
		deliveryBody := func(id int64) string {
			var b []byte
			if err := d.QueryRow(ctx, "SELECT body FROM webhook_deliveries WHERE id = ?", id).Scan(&b); err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if got := deliveryBody(culledDelivery); got != "" {
			t.Fatalf("culled delivery keeps %q", got)
		}
		if got := deliveryBody(keptDelivery); !strings.Contains(got, "påsk") {
			t.Fatalf("kept delivery lost its body: %q", got)
		}
		if err := d.QueryRow(ctx, "SELECT body FROM platform_events WHERE object_id = 'c2'").Scan(&body); err != nil || body != kept.Object.Text {
			t.Fatalf("kept event: %q %v", body, err)
		}

		versions := func() []archive.Record {
			return f.search(t, archive.Filter{ItemID: item, Kind: archive.KindItemVersion, Limit: archive.MaxLimit})
		}
		before := len(versions())
		f.setNow(t0.Add(time.Hour))
		f.ingest(t, f.ch1, comment("c1", "", platform.VerbRemove, t0.Add(time.Hour)))
		if got := versions(); len(got) != before {
			t.Fatalf("the removal of a culled item appended %d version records", len(got)-before)
		}
		var stubbed int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM archive_records WHERE kind = 'item_version' AND item_id = ? AND content IS NOT NULL", item).Scan(&stubbed); err != nil || stubbed != 0 {
			t.Fatalf("%d item_version records with content after the removal (%v)", stubbed, err)
		}
		var removed bool
		var status string
		var culled sql.NullTime
		if err := d.QueryRow(ctx, "SELECT removed, status, culled_at FROM items WHERE id = ?", item).Scan(&removed, &status, &culled); err != nil {
			t.Fatal(err)
		}
		if !removed || status != "removed" || !culled.Valid {
			t.Fatalf("after removal: removed %v status %s culled %v", removed, status, culled.Valid)
		}
		f.verify(t)

		// New text is a new record: kept, and the item is no longer culled.
		f.ingest(t, f.ch1, comment("c1", "Nu är det tyst igen, tack.", platform.VerbEdit, t0.Add(2*time.Hour)))
		if err := d.QueryRow(ctx, "SELECT body, author_name, culled_at FROM items WHERE id = ?", item).Scan(&body, &author, &culled); err != nil {
			t.Fatal(err)
		}
		if body != "Nu är det tyst igen, tack." || author != "Åsa Öberg" || culled.Valid {
			t.Fatalf("after the edit: %q %q culled %v", body, author, culled.Valid)
		}
		got := versions()
		if len(got) != before+1 || got[0].Text() != "Nu är det tyst igen, tack." && got[len(got)-1].Text() != "Nu är det tyst igen, tack." {
			t.Fatalf("after the edit: %d versions, want %d with the new text", len(got), before+1)
		}
		for _, r := range got {
			if strings.Contains(r.Text(), "Gallrad") {
				t.Fatalf("version record %d says %q", r.Seq, r.Text())
			}
		}
		f.verify(t)
	})
}
