package report_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
	"tilltal/internal/report"
	"tilltal/internal/report/reporttest"
)

// sameAsDirect fails t unless the refreshed table holds exactly the rows
// that the items give when counted directly, for the fixture's two weeks.
func sameAsDirect(t *testing.T, s *report.Store, step string) {
	t.Helper()
	ctx := context.Background()
	f := report.Filter{From: calendar.NewDate(2026, 5, 1), To: calendar.NewDate(2026, 5, 31)}
	stored, err := s.Rows(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := s.Direct(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, direct) {
		t.Fatalf("%s: stored rows differ from the direct count\nstored: %+v\ndirect: %+v", step, stored, direct)
	}
	if !reflect.DeepEqual(report.Compute(stored), report.Compute(direct)) {
		t.Fatalf("%s: figures differ", step)
	}
}

func ingest(t *testing.T, d *db.DB, channelID int64, ev platform.Event) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		_, err := inbox.Ingest(context.Background(), tx, channelID, ev, ev.OccurredAt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := reporttest.At(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRefreshMatchesDirect changes the inbox the ways that change figures
// — a late item for an old day, a reply that answers an old item, an edit
// that turns a comment into a question, a hide on the platform — and
// checks after each refresh, and after a rebuild, that the stored figures
// are the directly counted ones. A refresh with nothing new recomputes
// nothing.
func TestRefreshMatchesDirect(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seeded := seedWeek(t, d)
		s := store(d)
		if _, err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		sameAsDirect(t, s, "after seeding")
		if n, err := s.Refresh(ctx); err != nil || n != 0 {
			t.Fatalf("a refresh with nothing new recomputed %d days (%v)", n, err)
		}
		a := seeded.Channels["A"]
		steps := []struct {
			name string
			ev   platform.Event
		}{
			{"a late item for an old day", platform.Event{Platform: platform.Facebook, EventID: "late", Verb: platform.VerbCreate, OccurredAt: at(t, "2026-05-19 09:00"),
				Object: platform.Object{ExternalID: "late", Kind: platform.KindComment, ThreadID: "post-A", Text: "Hej?", CreatedAt: at(t, "2026-05-12 07:00"),
					Author: platform.Author{ExternalID: "x", Name: "X"}}}},
			{"a reply that answers i5", platform.Event{Platform: platform.Facebook, EventID: "r5", Verb: platform.VerbCreate, OccurredAt: at(t, "2026-05-19 10:00"),
				Object: platform.Object{ExternalID: "reply-i5", Kind: platform.KindReply, ParentID: "i5", ThreadID: "post-A", Text: "Tack!", CreatedAt: at(t, "2026-05-19 10:00"),
					Author: platform.Author{ExternalID: "page-A", IsPage: true}}}},
			{"an edit that asks", platform.Event{Platform: platform.Facebook, EventID: "e2", Verb: platform.VerbEdit, OccurredAt: at(t, "2026-05-19 11:00"),
				Object: platform.Object{ExternalID: "i2", Kind: platform.KindComment, ThreadID: "post-A", Text: "Tack! Men när kommer beslutet?"}}},
			{"a hide", platform.Event{Platform: platform.Facebook, EventID: "h4", Verb: platform.VerbHide, OccurredAt: at(t, "2026-05-19 12:00"),
				Object: platform.Object{ExternalID: "i4", Kind: platform.KindComment, ThreadID: "post-A"}}},
		}
		for _, st := range steps {
			ingest(t, d, a, st.ev)
			if n, err := s.Refresh(ctx); err != nil || n == 0 {
				t.Fatalf("%s: refresh recomputed %d days (%v)", st.name, n, err)
			}
			sameAsDirect(t, s, st.name)
		}
		g := report.Compute(mustRows(t, s, week()))
		if g.Total.Incoming != 9 || g.Total.Answered != 8 || g.Total.Questions != 6 {
			t.Errorf("after the changes: %+v, want 9 in, 8 answered, 6 questions", g.Total)
		}
		if _, err := d.Exec(ctx, "DELETE FROM report_days"); err != nil {
			t.Fatal(err)
		}
		if err := s.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		sameAsDirect(t, s, "after a rebuild")
	})
}

func mustRows(t *testing.T, s *report.Store, f report.Filter) []report.Row {
	t.Helper()
	rows, err := s.Rows(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRebuildInSteps: a rebuild cut into the smallest steps, as the job
// queue runs it, ends with the same table as one in a go.
func TestRebuildInSteps(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seedWeek(t, d)
		s := store(d)
		if err := s.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		whole := mustRows(t, s, report.Filter{From: calendar.NewDate(2026, 5, 1), To: calendar.NewDate(2026, 5, 31)})
		if _, err := d.Exec(ctx, "UPDATE report_days SET incoming = 99"); err != nil {
			t.Fatal(err)
		}
		c, steps := report.Cursor{}, 0
		for done := false; !done; steps++ {
			var err error
			if c, done, err = s.RebuildStep(ctx, c, time.Nanosecond); err != nil {
				t.Fatal(err)
			}
			if steps > 10 {
				t.Fatal("the rebuild does not end")
			}
		}
		if steps < 2 {
			t.Errorf("a nanosecond's budget took %d step", steps)
		}
		sameAsDirect(t, s, "after a rebuild in steps")
		if got := mustRows(t, s, report.Filter{From: calendar.NewDate(2026, 5, 1), To: calendar.NewDate(2026, 5, 31)}); !reflect.DeepEqual(got, whole) {
			t.Error("the rebuild in steps differs from the one in a go")
		}
	})
}
