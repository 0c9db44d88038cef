package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/auth"
	"tilltal/internal/org"
)

// fuzzPrincipals are an editor of two channels, a department contact and
// a communicator: the scopes a query must never widen.
var fuzzPrincipals = []*auth.Principal{
	{User: org.User{ID: 7, Roles: []org.Role{org.Editor}, Channels: []int64{3, 5}, Departments: []int64{2}}, ChannelDepartments: []int64{2}},
	{User: org.User{ID: 8, Roles: []org.Role{org.DeptContact}, Departments: []int64{4}}},
	{User: org.User{ID: 9, Roles: []org.Role{org.Communicator}}},
}

// FuzzListFilters: any query string read into the inbox, archive, report
// and diary filters never panics, fails only as Invalid or NotFound, and
// never widens what the person may see: the inbox and report filters keep
// the person's channels, a report's channel or department is one they
// see, dates bound a non-empty range, and a diary year is sensible.
func FuzzListFilters(f *testing.F) {
	for _, q := range []string{
		"q=simhallen&status=open&channel=3&since=2026-01-01&until=2026-01-31&mine=1",
		"status=bogus", "since=2026-02-30", "from=public&answered=no&question=1&escalated=4&period=evening&since=2026-11-01&until=2026-11-07",
		"how=200&since=2026-11-01&until=2026-11-07", "how=5&period=night&since=2026-11-01&until=2026-11-01",
		"kind=reply&department=2&after=1700000000000000.5&diary=KS+2026/1", "after=.%00", "from=2026-01-01&to=2025-01-01&channel=5&department=2",
		"ar=2026&q=bygglov", "ar=-1", "since=2026-02-01&until=2026-01-31", "channel=9223372036854775808", "period=holiday&since=0001-01-01&until=9999-12-31",
	} {
		f.Add(q)
	}
	s := &Server{Deps: Deps{Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }}}
	f.Fuzz(func(t *testing.T, query string) {
		for _, p := range fuzzPrincipals {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.URL.RawQuery = query
			r = r.WithContext(withPrincipal(r.Context(), p))
			allowed := func(what string, err error, kinds ...apperr.Kind) {
				if err != nil && !slices.Contains(kinds, apperr.KindOf(err)) {
					t.Fatalf("%s: error of kind %v: %v", what, apperr.KindOf(err), err)
				}
			}

			in, _, err := inboxFilter(r)
			allowed("inbox", err, apperr.Invalid)
			if !slices.Equal(in.Channels, p.VisibleChannels()) || (in.Channels == nil) != (p.VisibleChannels() == nil) {
				t.Fatalf("inbox: channels %v, the person sees %v", in.Channels, p.VisibleChannels())
			}
			if err == nil && !in.Since.IsZero() && !in.Until.IsZero() && !in.Until.After(in.Since) {
				// Until is the day after the last day asked for.
				t.Fatalf("inbox: until %v not after since %v", in.Until, in.Since)
			}
			for _, sp := range in.Spans {
				if !sp.From.Before(sp.To) {
					t.Fatalf("inbox: empty span %v", sp)
				}
			}

			q := r.URL.Query()
			form := archiveForm{Q: q.Get("q"), Kind: q.Get("kind"), Channel: q.Get("channel"), Department: q.Get("department"), Platform: q.Get("platform"),
				Author: q.Get("author"), Since: q.Get("since"), Until: q.Get("until"), Diary: q.Get("diary")}
			af, err := archiveFilter(form, q.Get("after"))
			allowed("archive", err, apperr.Invalid)
			if err == nil && af.Kind != "" && !af.Kind.Valid() {
				t.Fatalf("archive: kind %q", af.Kind)
			}
			if err == nil && !af.Since.IsZero() && !af.Until.IsZero() && !af.Until.After(af.Since) {
				t.Fatalf("archive: until %v not after since %v", af.Until, af.Since)
			}

			rf, _, err := reportFilter(r, s.Now())
			allowed("report", err, apperr.Invalid, apperr.NotFound)
			if !slices.Equal(rf.Channels, p.VisibleChannels()) {
				t.Fatalf("report: channels %v, the person sees %v", rf.Channels, p.VisibleChannels())
			}
			if err == nil {
				if rf.ChannelID != 0 && !p.CanSeeChannel(rf.ChannelID) {
					t.Fatalf("report: channel %d is not the person's", rf.ChannelID)
				}
				if rf.DepartmentID != 0 && !p.CanSeeDepartment(rf.DepartmentID) {
					t.Fatalf("report: department %d is not the person's", rf.DepartmentID)
				}
				if rf.To.Before(rf.From) {
					t.Fatalf("report: %v before %v", rf.To, rf.From)
				}
			}

			df, year := s.diaryFilter(r)
			if year < 1900 || year > 3000 || df.Year != year {
				t.Fatalf("diary: year %d (%d)", year, df.Year)
			}
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		if err := checkQuery(r); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("checkQuery: %v", err)
		}
	})
}

// FuzzRotaForm: the rota and case-rule forms, with any fields repeated
// any number of times, never panic; they fail only as Invalid, read at
// most 600 rows, and what they accept has a person on every shift and a
// day that exists (the store checks the rest).
func FuzzRotaForm(f *testing.F) {
	for _, b := range []string{
		"shift_day=1&shift_start=08:00&shift_end=16:00&shift_person=a@x.se&shift_day=h&shift_start=10:00&shift_end=14:00&shift_person=b@x.se",
		"absence_person=a@x.se&absence_from=2026-12-20&absence_to=2026-12-31&extra_person=b@x.se&extra_date=2026-12-24&extra_start=10:00&extra_end=24:00",
		"shift_day=7&shift_start=1&shift_person=a", "extra_date=2026-13-01&extra_start=25:00", "shift_day=&shift_start=&shift_end=&shift_person=",
		"target=60&action_threat=flag&score_threat=0,5&case_threat=on", "target=x", "target=5&score_threat=NaN",
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			return
		}
		shifts, absences, extra := formShiftRows(r), formAbsenceRows(r), formExtraRows(r)
		if len(shifts) > 600 || len(absences) > 600 || len(extra) > 600 {
			t.Fatalf("%d, %d, %d rows", len(shifts), len(absences), len(extra))
		}
		rota, err := rotaFrom(shifts, absences, extra)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("rota: error of kind %v: %v", apperr.KindOf(err), err)
			}
		} else {
			for _, sh := range rota.Shifts {
				if sh.Email == "" || (!sh.Holiday && (sh.Weekday < time.Sunday || sh.Weekday > time.Saturday)) {
					t.Fatalf("shift %+v", sh)
				}
			}
		}
		if _, _, err := rulesForm(r); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("rules: error of kind %v: %v", apperr.KindOf(err), err)
		}
	})
}
