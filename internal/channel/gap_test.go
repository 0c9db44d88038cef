package channel_test

import (
	"slices"
	"testing"
	"time"

	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestGapAlertsOnce: a gap that appears in an active channel alerts its
// owner and the communicators once, however often the check runs; a new
// gap coming into the horizon alerts again; someone leaving alerts too.
func TestGapAlertsOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c, err := f.store.Create(f.ctx, f.viewer("kommunikator"), f.newChannel("444"))
		if err != nil {
			t.Fatal(err)
		}
		f.activate(c.ID)
		if err := f.store.AlertGaps(f.ctx, 0); err != nil {
			t.Fatal(err)
		}
		if n := f.notifications("agare", "Lucka"); n != 0 {
			t.Fatalf("%d gap alerts for a covered channel", n)
		}
		// The owner takes Sunday evenings off the rota: four Sundays in the
		// next four weeks (6, 13, 20 and 27 September).
		r, err := f.store.Rota(f.ctx, f.viewer("agare"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		r.Shifts = slices.DeleteFunc(r.Shifts, func(s channel.Shift) bool { return !s.Holiday && s.Weekday == time.Sunday && s.Start == "15:00" })
		if err := f.store.SetRota(f.ctx, f.viewer("agare"), c.ID, r); err != nil {
			t.Fatal(err)
		}
		if n := f.count("SELECT COUNT(*) FROM river_job WHERE kind = 'channel.gap_check'"); n != 1 {
			t.Errorf("%d immediate gap checks enqueued, want 1", n)
		}
		for range 3 {
			if err := f.store.AlertGaps(f.ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		for _, who := range []string{"agare", "kommunikator"} {
			if n := f.notifications(who, "Lucka i jourschemat: Exempelby bibliotek, söndag"); n != 4 {
				t.Errorf("%s got %d gap alerts, want 4", who, n)
			}
		}
		if n := f.notifications("redaktor", "Lucka"); n != 0 {
			t.Errorf("an editor got %d gap alerts", n)
		}
		// A week later the fifth Sunday comes into view; the first is past.
		f.now = f.now.AddDate(0, 0, 7)
		if err := f.store.AlertGaps(f.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if n := f.notifications("agare", "Lucka"); n != 5 {
			t.Errorf("owner has %d gap alerts after a week, want 5", n)
		}
		// The editor leaves: every evening opens, and the channel lacks an
		// editor; each is alerted once.
		u := f.users["redaktor"]
		u.Active = false
		if err := f.org.UpdateUser(f.ctx, u); err != nil {
			t.Fatal(err)
		}
		before := f.notifications("kommunikator", "Lucka")
		for range 2 {
			if err := f.store.AlertGaps(f.ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.notifications("kommunikator", "Lucka") - before; n != 24 {
			t.Errorf("%d new gap alerts after the editor left, want 24 (every evening but the Sundays already alerted)", n)
		}
		if n := f.notifications("kommunikator", "Kanalen bryter mot reglerna"); n != 1 {
			t.Errorf("%d rule alerts, want 1", n)
		}
		// Paused channels are not watched.
		if err := f.store.Transition(f.ctx, f.viewer("kommunikator"), c.ID, channel.Change{To: channel.Paused, Reason: "Sommaruppehåll"}); err != nil {
			t.Fatal(err)
		}
		before = f.count("SELECT COUNT(*) FROM notifications")
		f.now = f.now.AddDate(0, 0, 7)
		if err := f.store.AlertGaps(f.ctx, 0); err != nil {
			t.Fatal(err)
		}
		if n := f.count("SELECT COUNT(*) FROM notifications"); n != before {
			t.Errorf("a paused channel alerted %d gaps", n-before)
		}
	})
}
