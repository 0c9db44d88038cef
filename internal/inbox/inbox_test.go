package inbox_test

import (
	"context"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

var t0 = time.Date(2026, 11, 20, 18, 30, 0, 0, time.UTC)

func setup(t testing.TB, d *db.DB) (*inbox.Store, int64, int64) {
	t.Helper()
	ctx := context.Background()
	mustExec(t, d, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Barn- och utbildningsförvaltningen', 'BUF', ?, ?)", t0, t0)
	mustExec(t, d, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby skolor', 'active', ?, ?)", t0, t0)
	mustExec(t, d, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'youtube', 'yt-1', 'Exempelby TV', 'active', ?, ?)", t0, t0)
	_ = ctx
	return &inbox.Store{DB: d, Now: func() time.Time { return t0.Add(time.Hour) }}, 1, 2
}

func mustExec(t testing.TB, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}

func ingest(t *testing.T, d *db.DB, channel int64, ev platform.Event) inbox.Ingested {
	t.Helper()
	var res inbox.Ingested
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		res, err = inbox.Ingest(context.Background(), tx, channel, ev, t0.Add(time.Minute))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func comment(id, text string, verb platform.Verb) platform.Event {
	return platform.Event{Platform: platform.Facebook, AccountID: "page-1", EventID: id + string(verb) + text, Verb: verb, OccurredAt: t0,
		Object: platform.Object{ExternalID: id, Kind: platform.KindComment, ParentID: "post-1", ThreadID: "post-1", Text: text,
			Author: platform.Author{ExternalID: "u1", Name: "Anna Andersson"}, CreatedAt: t0}}
}

func TestIngestLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, ch, _ := setup(t, d)
		ctx := context.Background()
		r := ingest(t, d, ch, comment("c1", "När öppnar skolan igen?", platform.VerbCreate))
		if !r.Created {
			t.Fatal("not created")
		}
		// The same event again changes nothing.
		if again := ingest(t, d, ch, comment("c1", "När öppnar skolan igen?", platform.VerbCreate)); again.Changed || again.ItemID != r.ItemID {
			t.Fatalf("repeat changed: %+v", again)
		}
		ingest(t, d, ch, comment("c1", "När öppnar skolorna igen?", platform.VerbEdit))
		ingest(t, d, ch, comment("c1", "", platform.VerbHide))
		ingest(t, d, ch, comment("c1", "", platform.VerbRemove))
		it, err := s.Get(ctx, r.ItemID)
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != inbox.StatusRemoved || !it.Removed || !it.Hidden || it.Version != 4 || it.Body != "När öppnar skolorna igen?" {
			t.Fatalf("item after lifecycle: %+v", it)
		}
		vs, err := s.Versions(ctx, r.ItemID)
		if err != nil || len(vs) != 4 || vs[0].Body != "När öppnar skolan igen?" || vs[3].Verb != "remove" {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		// An edit that arrives before its create makes the item.
		r2 := ingest(t, d, ch, comment("c2", "Rättad text", platform.VerbEdit))
		if !r2.Created {
			t.Fatal("edit before create did not create")
		}
		// The create that was held back (its delivery could not be
		// processed at first) comes late with the text before the edit:
		// it does not revert the edit.
		if late := ingest(t, d, ch, comment("c2", "Rätad txet", platform.VerbCreate)); late.Changed {
			t.Fatal("late create changed the item")
		}
		if it, err := s.Get(ctx, r2.ItemID); err != nil || it.Body != "Rättad text" || it.Version != 1 {
			t.Fatalf("item after a late create: %+v %v", it, err)
		}
		// A late create fills a body that an earlier hide left empty.
		r3 := ingest(t, d, ch, comment("c3", "", platform.VerbHide))
		ingest(t, d, ch, comment("c3", "Dold fråga", platform.VerbCreate))
		if it, err := s.Get(ctx, r3.ItemID); err != nil || it.Body != "Dold fråga" || !it.Hidden {
			t.Fatalf("hidden item after its late create: %+v %v", it, err)
		}
	})
}

func TestReplyByPageMarksAnswered(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, ch, _ := setup(t, d)
		q := ingest(t, d, ch, comment("c1", "Var hämtar jag ut bygglovsblanketten?", platform.VerbCreate))
		reply := comment("r1", "Hej! Blanketten finns på exempelby.se/bygglov. /Karin", platform.VerbCreate)
		reply.Object.ParentID = "c1"
		reply.Object.Author = platform.Author{ExternalID: "page-1", Name: "Exempelby kommun", IsPage: true}
		ingest(t, d, ch, reply)
		it, _ := s.Get(context.Background(), q.ItemID)
		if it.Status != inbox.StatusAnswered || it.FirstResponseAt == nil {
			t.Fatalf("question after page reply: %+v", it)
		}
		thread, err := s.Thread(context.Background(), it.ThreadID)
		if err != nil || len(thread) != 2 {
			t.Fatalf("thread: %d %v", len(thread), err)
		}
	})
}

func TestSearchSwedishStems(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, ch, yt := setup(t, d)
		ingest(t, d, ch, comment("c1", "Är skolan stängd i morgon?", platform.VerbCreate))
		ingest(t, d, ch, comment("c2", "Tack för en fin skola!", platform.VerbCreate))
		ingest(t, d, ch, comment("c3", "Nya skolor byggs i norr", platform.VerbCreate))
		ingest(t, d, ch, comment("c4", "Biblioteket har öppet", platform.VerbCreate))
		other := comment("y1", "Skolan syns i videon", platform.VerbCreate)
		other.Platform = platform.YouTube
		ingest(t, d, yt, other)
		ctx := context.Background()
		tests := []struct {
			name string
			f    inbox.Filter
			want int
		}{
			{"stem skolan", inbox.Filter{Query: "skolan"}, 4},
			{"stem skola", inbox.Filter{Query: "Skola"}, 4},
			{"two terms", inbox.Filter{Query: "skolan stängd"}, 1},
			{"scoped to one channel", inbox.Filter{Query: "skola", Channels: []int64{ch}}, 3},
			{"empty scope", inbox.Filter{Channels: []int64{}}, 0},
			{"only stop words", inbox.Filter{Query: "och i att"}, 0},
			{"hostile query", inbox.Filter{Query: `skola" OR 1=1 --'`}, 0},
			{"platform", inbox.Filter{Platform: "youtube"}, 1},
		}
		for _, tt := range tests {
			got, err := s.List(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got) != tt.want {
				t.Errorf("%s: %d items, want %d", tt.name, len(got), tt.want)
			}
		}
	})
}

func TestStatusAndAssignment(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, ch, _ := setup(t, d)
		ctx := context.Background()
		mustExec(t, d, "INSERT INTO users (email, name, created_at, updated_at) VALUES ('rut@exempelby.se', 'Rut', ?, ?)", t0, t0)
		id := ingest(t, d, ch, comment("c1", "Hej", platform.VerbCreate)).ItemID
		steps := []struct {
			do   func() error
			want inbox.Status
		}{
			{func() error { return s.Assign(ctx, id, 1) }, inbox.StatusAssigned},
			{func() error { return s.SetStatus(ctx, id, inbox.StatusWaiting) }, inbox.StatusWaiting},
			{func() error { return s.SetStatus(ctx, id, inbox.StatusAnswered) }, inbox.StatusAnswered},
			{func() error { return s.SetStatus(ctx, id, inbox.StatusNew) }, inbox.StatusNew},
			{func() error { return s.SetStatus(ctx, id, inbox.StatusNoAction) }, inbox.StatusNoAction},
		}
		for i, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			it, _ := s.Get(ctx, id)
			if it.Status != st.want {
				t.Fatalf("step %d: status %s, want %s", i, it.Status, st.want)
			}
		}
		if err := s.SetStatus(ctx, id, inbox.StatusHidden); err == nil {
			t.Fatal("hidden set by hand")
		}
		if err := s.Assign(ctx, id, 999); err == nil {
			t.Fatal("assigned to nobody")
		}
		if err := s.AddNote(ctx, id, "Ring skolan först"); err != nil {
			t.Fatal(err)
		}
		acts, _ := s.Activities(ctx, id)
		if len(acts) != 6 || acts[5].Kind != "note" {
			t.Fatalf("activities: %+v", acts)
		}
	})
}

func TestHostileTextIsStoredAsWritten(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, ch, _ := setup(t, d)
		text := "Hej\x00 <img src=x onerror=alert(1)> \u202egnuR\u200b \xff slut"
		id := ingest(t, d, ch, comment("evil", text, platform.VerbCreate)).ItemID
		it, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if it.Body != "Hej <img src=x onerror=alert(1)> \u202egnuR\u200b \uFFFD slut" {
			t.Fatalf("body %q", it.Body)
		}
	})
}
