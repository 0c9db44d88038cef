package diary_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/diary"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

// TestRegisterItemMarksArchive: registering an inbox item in the diary
// gives its archive records the diary number through a registration
// record in the same transaction, and the item's class becomes
// registreras; a registration that fails leaves the archive untouched.
func TestRegisterItemMarksArchive(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		for _, q := range []string{
			"INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Bygg', 'BYG', ?, ?)",
			"INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby', 'active', ?, ?)",
		} {
			if _, err := d.Exec(ctx, q, at, at); err != nil {
				t.Fatal(err)
			}
		}
		ingest := func(id, text string) int64 {
			var item int64
			err := d.InTx(ctx, func(tx *db.Tx) error {
				ev := platform.Event{Platform: platform.Facebook, EventID: id, Verb: platform.VerbCreate, OccurredAt: at,
					Object: platform.Object{ExternalID: id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: text,
						Author: platform.Author{ExternalID: "u1", Name: "Åsa Öberg"}, CreatedAt: at}}
				r, err := inbox.Ingest(ctx, tx, 1, ev, at)
				item = r.ItemID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return item
		}
		// "Tack" is ringa betydelse by the default rules.
		item := ingest("c1", "Tack!")
		other := ingest("c2", "En annan kommentar om bygglovet")
		s := store(d)
		// A description that is refused registers nothing anywhere.
		if _, err := s.Register(ctx, diary.New{ReceivedAt: at, Direction: diary.Incoming, Items: []int64{item}}); err == nil {
			t.Fatal("registered without a description")
		}
		if rs, _ := archive.Search(ctx, d, archive.Filter{Kind: archive.KindRegistration}); len(rs) != 0 {
			t.Fatalf("a refused registration left %d records", len(rs))
		}
		e, err := s.Register(ctx, diary.New{ReceivedAt: at, Direction: diary.Incoming, Sender: "Åsa Öberg", Description: "Tack för bygglovet",
			ObjectType: "item", ObjectID: "1", Items: []int64{item}})
		if err != nil {
			t.Fatal(err)
		}
		hits, err := archive.Search(ctx, d, archive.Filter{DiaryNumber: e.Number})
		if err != nil {
			t.Fatal(err)
		}
		var reg, version int
		for _, r := range hits {
			switch {
			case r.Kind == archive.KindRegistration:
				reg++
				full, err := archive.Get(ctx, d, r.Seq)
				if err != nil {
					t.Fatal(err)
				}
				var c archive.RegistrationContent
				if err := json.Unmarshal(full.Content, &c); err != nil || c.EntryID != e.ID || len(c.Records) != 1 {
					t.Fatalf("registration content: %+v %v", c, err)
				}
			case r.Kind == archive.KindItemVersion && r.ItemID == item:
				version++
			default:
				t.Fatalf("unexpected record under %s: %+v", e.Number, r)
			}
		}
		if reg != 1 || version != 1 {
			t.Fatalf("records under %s: %d registration, %d item versions", e.Number, reg, version)
		}
		as := &archive.Store{DB: d}
		cls, err := as.ItemClassOf(ctx, item)
		if err != nil || cls.Class != archive.ClassRegistered {
			t.Fatalf("class after registration: %+v %v", cls, err)
		}
		if cls, _ := as.ItemClassOf(ctx, other); cls.Class == archive.ClassRegistered {
			t.Fatal("the other item was registered too")
		}
		rep, err := archive.Verify(ctx, d)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep.Problems, err)
		}
	})
}
