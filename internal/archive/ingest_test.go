package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/intake"
	"tilltal/internal/platform"
)

// TestEveryVersionIsARecord follows a comment through create, edit, hide
// and removal on the platform: each version is a record, and the record
// outlives the removal.
func TestEveryVersionIsARecord(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := f.ingest(t, f.ch1, comment("c1", "Varför plogas inte vår gata?", platform.VerbCreate, t0))
		f.ingest(t, f.ch1, comment("c1", "Varför plogas inte vår gata? Tre dagar nu!", platform.VerbEdit, t0.Add(time.Minute)))
		f.ingest(t, f.ch1, comment("c1", "", platform.VerbHide, t0.Add(2*time.Minute)))
		f.ingest(t, f.ch1, comment("c1", "", platform.VerbRemove, t0.Add(3*time.Minute)))
		rs := f.search(t, archive.Filter{ItemID: id})
		if len(rs) != 4 {
			t.Fatalf("%d records, want 4", len(rs))
		}
		// Newest received first.
		wantVerbs := []string{"remove", "hide", "edit", "create"}
		for i, r := range rs {
			var c archive.ItemVersionContent
			if err := json.Unmarshal(r.Content, &c); err != nil {
				t.Fatal(err)
			}
			if r.Kind != archive.KindItemVersion || c.Verb != wantVerbs[i] || r.ItemVersion != 4-i || r.Direction != archive.In ||
				r.AuthorName != "Åsa Öberg" || r.ChannelID != f.ch1 || r.DepartmentID != 1 || r.Platform != "facebook" {
				t.Fatalf("record %d: %+v %+v", i, r, c)
			}
		}
		if !rs[0].OccurredAt.Equal(t0.Add(3*time.Minute)) || !rs[0].CapturedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("times: occurred %v captured %v", rs[0].OccurredAt, rs[0].CapturedAt)
		}
		if rs[3].Text() != "Varför plogas inte vår gata?" || rs[0].Text() != "Varför plogas inte vår gata? Tre dagar nu!" {
			t.Fatalf("texts: %q %q", rs[3].Text(), rs[0].Text())
		}
		f.verify(t)
	})
}

// TestTriageOnArrival checks the default rules: a short question about
// opening hours is of minor importance, other items are kept in order, and
// the municipality's answer takes its question's class.
func TestTriageOnArrival(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want archive.Class
	}{
		{"Vilka öppettider har biblioteket i sommar?", archive.ClassMinor},
		{"Har simhallen öppet på juldagen?", archive.ClassMinor},
		{"Tack!", archive.ClassMinor},
		{"Gungan i lekparken vid Storgatan är trasig, någon kan skada sig.", archive.ClassOrdered},
		{"Jag vill klaga på bygglovsbeslutet för grannens garage, det är öppet för insyn från hela gatan och stänger in vår tomt helt och hållet, vilket ingen på förvaltningen verkar bry sig om trots att jag har skrivit flera gånger.", archive.ClassOrdered},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i, tt := range tests {
			id := f.ingest(t, f.ch1, comment("q"+string(rune('a'+i)), tt.text, platform.VerbCreate, t0))
			c, err := f.s.ItemClassOf(context.Background(), id)
			if err != nil || c.Class != tt.want || c.ByRegistrar {
				t.Errorf("%q: class %+v %v, want %s", tt.text, c, err, tt.want)
			}
		}
		// The page answers the first question on the platform.
		ans := comment("ans1", "Biblioteket har öppet 10–16 i sommar.", platform.VerbCreate, t0.Add(time.Hour))
		ans.Object.ParentID, ans.Object.Author = "qa", platform.Author{Name: "Exempelby bibliotek", IsPage: true}
		id := f.ingest(t, f.ch1, ans)
		if c, _ := f.s.ItemClassOf(context.Background(), id); c.Class != archive.ClassMinor {
			t.Fatalf("answer class %s, want the question's", c.Class)
		}
		if rs := f.search(t, archive.Filter{ItemID: id}); len(rs) != 1 || rs[0].Direction != archive.Out {
			t.Fatalf("answer record: %+v", rs)
		}
	})
}

// TestRegistrarChangesClass checks the registrar's decision: secrecy
// needs its ground, marks every record of the item, is appended to the
// chain and kept in the history.
func TestRegistrarChangesClass(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		id := f.ingest(t, f.ch1, comment("c1", "Min son har problem i skolan och socialtjänsten har inte hört av sig.", platform.VerbCreate, t0))
		f.ingest(t, f.ch1, comment("c1", "Min son har problem i skolan.", platform.VerbEdit, t0.Add(time.Minute)))
		if err := f.s.SetClass(ctx, id, archive.ClassSecret, "Uppgifter om enskilds personliga förhållanden", ""); err == nil {
			t.Fatal("secrecy without a ground was accepted")
		}
		if err := f.s.SetClass(ctx, id, archive.ClassSecret, "Uppgifter om enskilds personliga förhållanden", "OSL 26 kap. 1 §"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetClass(ctx, id, "hemligt", "", ""); err == nil {
			t.Fatal("unknown class accepted")
		}
		if err := f.s.SetClass(ctx, 999, archive.ClassRegistered, "", ""); err == nil {
			t.Fatal("class of a missing item accepted")
		}
		c, err := f.s.ItemClassOf(ctx, id)
		if err != nil || c.Class != archive.ClassSecret || !c.ByRegistrar || c.SecrecyGround != "OSL 26 kap. 1 §" || len(c.History) != 2 {
			t.Fatalf("class: %+v %v", c, err)
		}
		if h := c.History[0]; h.Previous != archive.ClassOrdered || h.Reason == "" || h.RecordSeq == 0 {
			t.Fatalf("history: %+v", h)
		}
		for _, r := range f.search(t, archive.Filter{ItemID: id}) {
			if !r.Secret || r.SecrecyGround != "OSL 26 kap. 1 §" {
				t.Fatalf("record %d not marked secret", r.Seq)
			}
		}
		// People who may not read secret records cannot find them by
		// their words either.
		if hits := f.search(t, archive.Filter{Query: "problem skolan", PublicTextOnly: true}); len(hits) != 0 {
			t.Fatalf("secret records found by text: %d", len(hits))
		}
		if hits := f.search(t, archive.Filter{Query: "problem skolan"}); len(hits) != 2 {
			t.Fatalf("%d hits for the registrar, want 2", len(hits))
		}
		cls := f.search(t, archive.Filter{Kind: archive.KindClassification})
		if len(cls) != 1 || cls[0].ItemID != id || cls[0].Direction != archive.Internal {
			t.Fatalf("classification records: %+v", cls)
		}
		// Rules never overrule the registrar.
		f.exec(t, "UPDATE items SET flags = 'hot' WHERE id = ?", id)
		if err := d.InTx(ctx, func(tx *db.Tx) error { return archive.RetriageTx(ctx, tx, id, t0) }); err != nil {
			t.Fatal(err)
		}
		if c, _ := f.s.ItemClassOf(ctx, id); c.Class != archive.ClassSecret {
			t.Fatalf("retriage changed the registrar's class to %s", c.Class)
		}
		f.verify(t)
	})
}

// TestModerationFlagRaisesClass: an item flagged by moderation later is
// registered, by the default rule.
func TestModerationFlagRaisesClass(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		id := f.ingest(t, f.ch1, comment("c1", "Vilka öppettider har ni?", platform.VerbCreate, t0))
		f.exec(t, "UPDATE items SET flags = 'olaga_hot' WHERE id = ?", id)
		if err := d.InTx(ctx, func(tx *db.Tx) error { return archive.RetriageTx(ctx, tx, id, t0) }); err != nil {
			t.Fatal(err)
		}
		c, _ := f.s.ItemClassOf(ctx, id)
		if c.Class != archive.ClassRegistered || c.ByRegistrar {
			t.Fatalf("class after flag: %+v", c)
		}
		f.verify(t)
	})
}

// TestRawDeliveryKeptAsReceived stores a webhook delivery through intake
// and archives it: the record's content is the body byte for byte, once,
// and the sweep finds deliveries the inbox's transaction did not archive.
func TestRawDeliveryKeptAsReceived(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		body := readFile(t, "delivery.json")
		in := &intake.Store{DB: d, Now: f.clock, AfterStore: func(ctx context.Context, tx *db.Tx, events []intake.Stored) error {
			for _, e := range events {
				if _, err := archive.DeliveryTx(ctx, tx, e.DeliveryID); err != nil {
					return err
				}
			}
			return nil
		}}
		ev := comment("c9", "Vilka öppettider har biblioteket i sommar?", platform.VerbCreate, t0)
		if _, err := in.SaveDelivery(ctx, intake.Delivery{Source: "meta", Body: body, Object: "page", Events: []platform.Event{ev}}); err != nil {
			t.Fatal(err)
		}
		// A delivery that could not be parsed brings no events.
		if _, err := in.SaveDelivery(ctx, intake.Delivery{Source: "meta", Body: []byte("{inte json"), ParseError: "ogiltig JSON"}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.SweepDeliveries(ctx, 100); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if n, _ := f.s.SweepDeliveries(ctx, 100); n != 0 {
			t.Fatalf("second sweep archived %d", n)
		}
		rs := f.search(t, archive.Filter{Kind: archive.KindRawDelivery})
		if len(rs) != 2 {
			t.Fatalf("%d raw records, want 2", len(rs))
		}
		full, err := archive.Get(ctx, d, rs[1].Seq)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(full.Content, body) || full.Platform != "facebook" || full.Direction != archive.In {
			t.Fatalf("raw record: %+v %q", full, full.Content)
		}
		if bad, _ := archive.Get(ctx, d, rs[0].Seq); string(bad.Content) != "{inte json" || bad.ContentType != "application/octet-stream" {
			t.Fatalf("unparsed delivery: %q %s", bad.Content, bad.ContentType)
		}
		f.verify(t)
	})
}

// TestReplyRecord archives a reply the municipality sent.
func TestReplyRecord(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		q := f.ingest(t, f.ch1, comment("c1", "Vilka öppettider har biblioteket?", platform.VerbCreate, t0))
		f.exec(t, "INSERT INTO users (email, name, active, created_at, updated_at) VALUES ('eva@exempelby.se', 'Eva Ek', TRUE, ?, ?)", t0, t0)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := archive.ReplyTx(ctx, tx, archive.Reply{ActionID: 7, QuestionItemID: q, ResultID: "c1_r1", Text: "Vi har öppet 10–16.", UserID: 1, SentAt: t0.Add(time.Hour)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rs := f.search(t, archive.Filter{Kind: archive.KindReply})
		if len(rs) != 1 || rs[0].Direction != archive.Out || rs[0].AuthorName != "Eva Ek" || rs[0].ExternalID != "c1_r1" || rs[0].Text() != "Vi har öppet 10–16." {
			t.Fatalf("reply records: %+v", rs)
		}
		f.verify(t)
	})
}

// TestMarkRegistered gives records a diary number through a registration
// record; a clash with another number is refused and changes nothing.
func TestMarkRegistered(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		id := f.ingest(t, f.ch1, comment("c1", "Jag vill överklaga beslutet om bygglov.", platform.VerbCreate, t0))
		recs := f.search(t, archive.Filter{ItemID: id})
		register := func(number string) error {
			return d.InTx(ctx, func(tx *db.Tx) error {
				_, err := archive.MarkRegisteredTx(ctx, tx, number, 42, "Överklagande av bygglov", []int64{recs[0].Seq}, t0)
				return err
			})
		}
		if err := register("KS 2026/0042"); err != nil {
			t.Fatal(err)
		}
		if err := register("KS 2026/0043"); err == nil || !strings.Contains(err.Error(), "redan diarieförd") {
			t.Fatalf("clash: %v", err)
		}
		hits := f.search(t, archive.Filter{DiaryNumber: "KS 2026/0042"})
		if len(hits) != 2 || hits[0].Kind != archive.KindRegistration || hits[1].Seq != recs[0].Seq {
			t.Fatalf("by diary number: %+v", hits)
		}
		f.verify(t)
	})
}
