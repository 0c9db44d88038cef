package channel_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// TestRequestReviewApprove follows a request from a department contact to
// the public list and off it again.
func TestRequestReviewApprove(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		n := f.newChannel("")
		n.People.Editors = nil
		n.Rota.Shifts = slices.DeleteFunc(n.Rota.Shifts, func(s channel.Shift) bool { return s.Email != f.email("agare") })
		c, err := f.store.Request(f.ctx, f.viewer("kontakt"), n)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != channel.Requested || c.HasExternalID() || !strings.Contains(c.CommentNotice, "Exempelby kommun") {
			t.Fatalf("requested channel: %+v", c)
		}
		if got := f.notifications("kommunikator", "Ny kanal begärd"); got != 1 {
			t.Fatalf("communicator got %d request notifications", got)
		}
		// The requester sees the request; an editor elsewhere does not.
		if _, err := f.store.Get(f.ctx, f.viewer("kontakt"), c.ID); err != nil {
			t.Fatalf("requester cannot see the request: %v", err)
		}
		if _, err := f.store.Get(f.ctx, f.viewer("redaktor2"), c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("outsider: %v", err)
		}

		// Approval straight from the request is refused; review first.
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Active}); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("approve unreviewed: %v", err)
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.UnderReview}); err != nil {
			t.Fatal(err)
		}
		// Every broken rule is named, in Swedish, and nothing changes.
		err = f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Active})
		var re *channel.RuleError
		if !errors.As(err, &re) || apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("approve incomplete: %v", err)
		}
		var rules []string
		for _, p := range re.Problems {
			rules = append(rules, p.Rule)
		}
		if want := []string{"sender", "graphic_profile", "name_picture", "external_id", "editor", "coverage"}; !slices.Equal(rules, want) {
			t.Errorf("rules = %v, want %v", rules, want)
		}
		if msg := apperr.Message(err); !strings.Contains(msg, "Kanalen kan inte bli aktiv") || !strings.Contains(msg, "saknar en redaktör") {
			t.Errorf("message %q", msg)
		}
		if got, _ := f.store.Get(f.ctx, comm, c.ID); got.Status != channel.UnderReview {
			t.Fatalf("status after refusal: %s", got.Status)
		}

		// Sending back needs a reason and tells the requester why.
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Requested}); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("send back without reason: %v", err)
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Requested, Reason: "Redaktör saknas"}); err != nil {
			t.Fatal(err)
		}
		if f.notifications("kontakt", "Begäran skickad tillbaka") != 1 {
			t.Error("requester not told of the send-back")
		}

		// The requester completes the request.
		det := channel.DetailsOf(c)
		det.ExternalID = "104857600123"
		if err := f.store.Update(f.ctx, f.viewer("kontakt"), c.ID, det); err != nil {
			t.Fatal(err)
		}
		p := channel.PeopleOf(c)
		p.Editors = []string{f.email("redaktor")}
		if err := f.store.SetMembers(f.ctx, f.viewer("kontakt"), c.ID, p); err != nil {
			t.Fatal(err)
		}
		if err := f.store.SetRota(f.ctx, f.viewer("kontakt"), c.ID, f.fullRota()); err != nil {
			t.Fatal(err)
		}
		f.activate(c.ID)
		if f.notifications("agare", "Kanalen är aktiv") != 1 {
			t.Error("owner not told of the approval")
		}
		list, err := f.store.PublicList(f.ctx)
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("public list: %v %v", list, err)
		}
		// Once under review, the requester can no longer change it.
		if err := f.store.Update(f.ctx, f.viewer("kontakt"), c.ID, det); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("requester update after approval: %v", err)
		}

		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Closed, Reason: "Ersatt av ny sida"}); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.store.PublicList(f.ctx); len(list) != 0 {
			t.Fatalf("closed channel still public: %v", list)
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Active}); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("reopen closed: %v", err)
		}
		changes, err := f.store.PublicChanges(f.ctx, 10)
		if err != nil || len(changes) != 2 || changes[0].What != "removed" || changes[1].What != "added" {
			t.Fatalf("public changes: %+v %v", changes, err)
		}
		history, err := f.store.History(f.ctx, comm, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range history {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"status", "status", "review", "status", "rota", "members", "updated", "status", "status", "requested"}
		if !slices.Equal(kinds, want) {
			t.Errorf("history = %v, want %v", kinds, want)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_log WHERE object_type = 'channel' AND object_id = ?", audit.ID(c.ID)); n != len(history) {
			t.Errorf("%d audit entries for %d changes", n, len(history))
		}
	})
}

// TestBadInputChangesNothing: each bad request gets a clear error and
// leaves no trace.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		if _, err := f.store.Create(f.ctx, comm, f.newChannel("111")); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			edit func(n *channel.NewChannel)
			kind apperr.Kind
			text string
		}{
			{"duplicate platform id", func(n *channel.NewChannel) {}, apperr.Conflict, "Det finns redan en kanal på Facebook med id 111"},
			{"same id on another platform is fine", func(n *channel.NewChannel) { n.Platform = channel.Instagram }, 0, ""},
			{"unknown department", func(n *channel.NewChannel) { n.DepartmentID = 9999; n.ExternalID = "x1" }, apperr.Invalid, "Verksamheten finns inte"},
			{"unknown platform", func(n *channel.NewChannel) { n.Platform = "myspace"; n.ExternalID = "x2" }, apperr.Invalid, "Okänd plattform"},
			{"owner without an account", func(n *channel.NewChannel) { n.Owner = "ingen@exempelby.se"; n.ExternalID = "x3" }, apperr.Invalid, "Det finns ingen användare med e-postadressen ingen@exempelby.se"},
			{"owner who has left", func(n *channel.NewChannel) { n.Owner = f.email("slutat"); n.ExternalID = "x4" }, apperr.Invalid, "har inget aktivt konto"},
			{"inverted rota times", func(n *channel.NewChannel) {
				n.ExternalID = "x5"
				n.Rota.Shifts[0].Start, n.Rota.Shifts[0].End = "22:00", "08:00"
			}, apperr.Invalid, "slutar före det börjar"},
			{"overlapping rota times", func(n *channel.NewChannel) {
				n.ExternalID = "x6"
				n.Rota.Shifts = append(n.Rota.Shifts, channel.Shift{Weekday: time.Monday, Start: "14:00", End: "16:00", Email: f.email("agare")})
			}, apperr.Invalid, "överlappar"},
			{"bad rota time", func(n *channel.NewChannel) { n.ExternalID = "x7"; n.Rota.Shifts[0].Start = "8.00" }, apperr.Invalid, "Ogiltig tid"},
			{"rota person not on the channel", func(n *channel.NewChannel) {
				n.ExternalID = "x8"
				n.Rota.Shifts[0].Email = f.email("redaktor2")
			}, apperr.Invalid, "hör inte till kanalen"},
			{"script link", func(n *channel.NewChannel) { n.ExternalID = "x9"; n.URL = "javascript:alert(1)" }, apperr.Invalid, "webbadress"},
			{"control characters", func(n *channel.NewChannel) { n.ExternalID = "x10"; n.Name = "Bibliotek\x07" }, apperr.Invalid, "otillåtna tecken"},
			{"no name", func(n *channel.NewChannel) { n.ExternalID = "x11"; n.Name = "  " }, apperr.Invalid, "Namnet saknas"},
		}
		for _, tt := range tests {
			before := [4]int{f.count("SELECT COUNT(*) FROM channels"), f.count("SELECT COUNT(*) FROM channel_members"),
				f.count("SELECT COUNT(*) FROM channel_rota_shifts"), f.count("SELECT COUNT(*) FROM audit_log")}
			n := f.newChannel("111")
			n.Rota = f.fullRota()
			tt.edit(&n)
			_, err := f.store.Create(f.ctx, comm, n)
			if tt.kind == 0 {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
				continue
			}
			if apperr.KindOf(err) != tt.kind || !strings.Contains(apperr.Message(err), tt.text) {
				t.Errorf("%s: got %v (kind %d), want %q", tt.name, err, apperr.KindOf(err), tt.text)
			}
			after := [4]int{f.count("SELECT COUNT(*) FROM channels"), f.count("SELECT COUNT(*) FROM channel_members"),
				f.count("SELECT COUNT(*) FROM channel_rota_shifts"), f.count("SELECT COUNT(*) FROM audit_log")}
			if after != before {
				t.Errorf("%s: half-saved: %v → %v", tt.name, before, after)
			}
		}
	})
}

// TestActivationRefusedWithGap: a channel whose rota leaves a gap in the
// next four weeks cannot go live; the refusal names the gap.
func TestActivationRefusedWithGap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		n := f.newChannel("222")
		// Nobody on Sunday evenings.
		n.Rota.Shifts = slices.DeleteFunc(n.Rota.Shifts, func(s channel.Shift) bool {
			return !s.Holiday && s.Weekday == time.Sunday && s.Start == "15:00"
		})
		c, err := f.store.Create(f.ctx, comm, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.UnderReview}); err != nil {
			t.Fatal(err)
		}
		all := channel.Checklist{Sender: true, GraphicProfile: true, NamePicture: true}
		err = f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Active, Checklist: &all})
		if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(apperr.Message(err), "söndag 2026-09-06 15:00–22:00") ||
			!strings.Contains(apperr.Message(err), "och 1 till") {
			t.Fatalf("activation with a gap: %v", err)
		}
		// Nothing of the refused change is saved, the checklist included.
		if got, _ := f.store.Get(f.ctx, comm, c.ID); got.Status != channel.UnderReview || got.Checklist.Sender {
			t.Fatalf("after refusal: status %s, checklist %+v", got.Status, got.Checklist)
		}
		// Covering Sunday evenings lets it go live.
		r, err := f.store.Rota(f.ctx, comm, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		r.Shifts = append(r.Shifts, channel.Shift{Weekday: time.Sunday, Start: "15:00", End: "22:00", UserID: f.users["redaktor"].ID})
		if err := f.store.SetRota(f.ctx, f.viewer("agare"), c.ID, r); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Transition(f.ctx, comm, c.ID, channel.Change{To: channel.Active, Checklist: &all}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestActiveChannelKeepsItsPeople: people changes that would break the
// rules of an active channel are refused.
func TestActiveChannelKeepsItsPeople(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c, err := f.store.Create(f.ctx, f.viewer("kommunikator"), f.newChannel("333"))
		if err != nil {
			t.Fatal(err)
		}
		f.activate(c.ID)
		owner := f.viewer("agare")
		err = f.store.SetMembers(f.ctx, owner, c.ID, channel.People{Owner: f.email("agare")})
		if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(apperr.Message(err), "saknar en redaktör") {
			t.Fatalf("dropping the last editor: %v", err)
		}
		err = f.store.SetMembers(f.ctx, owner, c.ID, channel.People{Owner: f.email("agare"), Deputy: f.email("agare"), Editors: []string{f.email("redaktor")}})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("owner as own deputy: %v", err)
		}
		// An editor may not manage; a stranger does not see the channel.
		if err := f.store.SetRota(f.ctx, f.viewer("redaktor"), c.ID, channel.Rota{}); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("editor sets rota: %v", err)
		}
		if err := f.store.SetRota(f.ctx, f.viewer("redaktor2"), c.ID, channel.Rota{}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("stranger sets rota: %v", err)
		}
		if err := f.store.Transition(f.ctx, owner, c.ID, channel.Change{To: channel.Paused}); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("owner pauses: %v", err)
		}
		// The owner adds a second editor: fine.
		err = f.store.SetMembers(f.ctx, owner, c.ID, channel.People{Owner: f.email("agare"), Editors: []string{f.email("redaktor"), f.email("redaktor2")}})
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.store.List(f.ctx, f.viewer("redaktor2"), channel.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("new editor's list: %v %v", list, err)
		}
	})
}

func TestListScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		comm := f.viewer("kommunikator")
		a, err := f.store.Create(f.ctx, comm, f.newChannel("a1"))
		if err != nil {
			t.Fatal(err)
		}
		n := f.newChannel("b1")
		n.DepartmentID = f.depts["SBF"]
		n.Name = "Exempelby gator och trafik"
		n.People = channel.People{Owner: f.email("agare"), Editors: []string{f.email("redaktor2")}}
		n.Rota = channel.Rota{}
		b, err := f.store.Create(f.ctx, comm, n)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			who  string
			want []int64
		}{
			{"kommunikator", []int64{a.ID, b.ID}},
			{"agare", []int64{a.ID, b.ID}},
			{"redaktor", []int64{a.ID}},
			{"redaktor2", []int64{b.ID}},
			{"kontakt", nil},
		}
		for _, tt := range tests {
			list, err := f.store.List(f.ctx, f.viewer(tt.who), channel.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range list {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s sees %v, want %v", tt.who, got, tt.want)
			}
		}
		if _, err := f.store.Get(f.ctx, f.viewer("redaktor"), b.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("editor reads another department's channel: %v", err)
		}
	})
}
