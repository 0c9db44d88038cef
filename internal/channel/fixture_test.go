package channel_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/jobs"
	"tilltal/internal/notify"
	"tilltal/internal/org"
)

// fixture is a small municipality: two departments, a communicator, an
// owner, two editors, a department contact and someone who has left.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	store *channel.Store
	org   *org.Store
	now   time.Time
	depts map[string]int64
	users map[string]org.User
}

// fixedNow is a Tuesday morning in September 2026, with no holiday in the
// four weeks after it.
var fixedNow = time.Date(2026, 9, 1, 9, 0, 0, 0, calendar.Stockholm)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	f := &fixture{t: t, ctx: ctx, d: d, now: fixedNow, depts: map[string]int64{}, users: map[string]org.User{}}
	// The clock is the fixture's: a test moves it by setting f.now.
	now := func() time.Time { return f.now.UTC() }
	o := &org.Store{DB: d, Now: now}
	f.org = o
	q, err := jobs.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	box := notify.Outbox{DB: d, Queue: q, Now: now}
	f.store = &channel.Store{DB: d, Outbox: &box, Queue: q, Now: now, BaseURL: "https://tilltal.exempelby.se"}
	if err := o.SetMunicipality(ctx, org.Municipality{Name: "Exempelby kommun"}); err != nil {
		t.Fatal(err)
	}
	for _, dep := range []org.Department{{Name: "Kultur- och fritidsförvaltningen", Code: "KFF"}, {Name: "Samhällsbyggnadsförvaltningen", Code: "SBF"}} {
		created, err := o.CreateDepartment(ctx, dep)
		if err != nil {
			t.Fatal(err)
		}
		f.depts[dep.Code] = created.ID
	}
	people := []struct {
		key   string
		roles []org.Role
		dept  string
	}{
		{"kommunikator", []org.Role{org.Communicator}, ""},
		{"agare", []org.Role{org.Owner, org.Editor}, "KFF"},
		{"redaktor", []org.Role{org.Editor}, "KFF"},
		{"redaktor2", []org.Role{org.Editor}, "SBF"},
		{"kontakt", []org.Role{org.DeptContact}, "SBF"},
		{"slutat", []org.Role{org.Editor}, "KFF"},
	}
	for _, p := range people {
		n := org.NewUser{Email: p.key + "@exempelby.se", Name: p.key, Roles: p.roles}
		if p.dept != "" {
			n.Departments = []int64{f.depts[p.dept]}
		}
		u, err := o.CreateUser(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		f.users[p.key] = u
	}
	gone := f.users["slutat"]
	gone.Active = false
	if err := o.UpdateUser(ctx, gone); err != nil {
		t.Fatal(err)
	}
	return f
}

// viewer returns the registry viewer for a fixture person.
func (f *fixture) viewer(key string) channel.Viewer {
	u := f.users[key]
	all := u.Has(org.Communicator)
	return channel.Viewer{UserID: u.ID, All: all, Communicator: all}
}

func (f *fixture) email(key string) string { return f.users[key].Email }

// fullRota covers the default policy every day and on holidays.
func (f *fixture) fullRota() channel.Rota {
	var r channel.Rota
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		r.Shifts = append(r.Shifts, channel.Shift{Weekday: wd, Start: "08:00", End: "15:00", Email: f.email("agare")},
			channel.Shift{Weekday: wd, Start: "15:00", End: "22:00", Email: f.email("redaktor")})
	}
	r.Shifts = append(r.Shifts, channel.Shift{Holiday: true, Start: "08:00", End: "22:00", Email: f.email("redaktor")})
	return r
}

// newChannel is a complete request for a KFF Facebook page.
func (f *fixture) newChannel(externalID string) channel.NewChannel {
	return channel.NewChannel{
		Details: channel.Details{DepartmentID: f.depts["KFF"], Platform: channel.Facebook, ExternalID: externalID,
			Name: "Exempelby bibliotek", Handle: "@exempelbybibliotek", URL: "https://www.facebook.com/exempelbybibliotek",
			Purpose: "Nyheter och evenemang från biblioteken.", Audience: "Låntagare och föräldrar", Upkeep: "Inlägg varje vecka",
			SenderRules: "Svar signeras med förnamn och ”Exempelby bibliotek”.", GraphicProfileURL: "https://exempelby.se/grafisk-profil"},
		People: channel.People{Owner: f.email("agare"), Editors: []string{f.email("redaktor")}},
		Rota:   f.fullRota(),
	}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// notifications counts outbox messages to a person whose subject starts so.
func (f *fixture) notifications(key, subjectPrefix string) int {
	return f.count("SELECT COUNT(*) FROM notifications WHERE recipient_user_id = ? AND subject LIKE ?", f.users[key].ID, subjectPrefix+"%")
}

// activate takes a channel through review to active as the communicator.
func (f *fixture) activate(id int64) {
	f.t.Helper()
	v := f.viewer("kommunikator")
	if err := f.store.Transition(f.ctx, v, id, channel.Change{To: channel.UnderReview}); err != nil {
		f.t.Fatal(err)
	}
	all := channel.Checklist{Sender: true, GraphicProfile: true, NamePicture: true}
	if err := f.store.Transition(f.ctx, v, id, channel.Change{To: channel.Active, Checklist: &all}); err != nil {
		f.t.Fatal(err)
	}
}
