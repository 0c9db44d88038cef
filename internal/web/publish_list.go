package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/org"
	"tilltal/internal/publish"
)

// Who may see and who may write posts.
var (
	publishReaders = RolesOf(org.Communicator, org.Owner, org.Editor, org.Registrar, org.Legal)
	publishers     = RolesOf(org.Communicator, org.Owner, org.Editor)
)

type calDay struct {
	Date  calendar.Date
	Name  string
	Posts []publish.Listed
	// Outside: the day belongs to the next or previous month.
	Outside bool
	Today   bool
}

type calWeek struct {
	Number int
	Days   []calDay
}

type publishListData struct {
	// View is "lista", "vecka" or "manad".
	View        string
	Posts       []publish.Listed
	Weeks       []calWeek
	Heading     string
	Prev, Next  string
	Department  int64
	Channel     int64
	Status      string
	Date        string
	Departments []org.Department
	Channels    []channel.Channel
	Statuses    []publish.Status
	CanWrite    bool
}

// filterQuery is the list's filter as a query, for links that keep it.
func (d publishListData) filterQuery(view string, date calendar.Date) string {
	q := url.Values{}
	if view != "" {
		q.Set("vy", view)
	}
	if !date.IsZero() {
		q.Set("datum", date.String())
	}
	if d.Department != 0 {
		q.Set("verksamhet", strconv.FormatInt(d.Department, 10))
	}
	if d.Channel != 0 {
		q.Set("kanal", strconv.FormatInt(d.Channel, 10))
	}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	return "?" + q.Encode()
}

// Query keeps the filter and date when switching to view.
func (d publishListData) Query(view string) string {
	date, _ := calendar.ParseDate(d.Date)
	if view == "lista" {
		date = calendar.Date{}
	}
	return d.filterQuery(view, date)
}

// Clock is a post's time of day in Stockholm, "" without a time.
func (publishListData) Clock(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(calendar.Stockholm).Format("15:04")
}

// postsPage is the list of posts and the calendar by week or month.
func (s *Server) postsPage(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	v := ChannelViewer(p)
	q := r.URL.Query()
	d := publishListData{View: q.Get("vy"), Status: q.Get("status"), CanWrite: publishers.Allows(p),
		Statuses: []publish.Status{publish.Draft, publish.Pending, publish.Changes, publish.Approved, publish.Rejected, publish.Cancelled}}
	d.Department, _ = strconv.ParseInt(q.Get("verksamhet"), 10, 64)
	d.Channel, _ = strconv.ParseInt(q.Get("kanal"), 10, 64)
	f := publish.Filter{DepartmentID: d.Department, ChannelID: d.Channel, Status: publish.Status(d.Status)}
	today := calendar.DateOf(s.Now())
	day := today
	if t, err := calendar.ParseDate(q.Get("datum")); err == nil {
		day = t
	}
	d.Date = day.String()
	var days []calendar.Date
	switch d.View {
	case "vecka":
		start := day.AddDays(-((int(day.Weekday()) + 6) % 7))
		for i := range 7 {
			days = append(days, start.AddDays(i))
		}
		_, week := start.Start().ISOWeek()
		d.Heading = "v. " + strconv.Itoa(week) + " " + start.String() + " – " + start.AddDays(6).String()
		d.Prev, d.Next = d.filterQuery("vecka", start.AddDays(-7)), d.filterQuery("vecka", start.AddDays(7))
	case "manad":
		first := calendar.NewDate(day.Year, day.Month, 1)
		start := first.AddDays(-((int(first.Weekday()) + 6) % 7))
		last := calendar.NewDate(day.Year, day.Month+1, 0)
		for dd := start; !dd.After(last) || dd.Weekday() != time.Monday; dd = dd.AddDays(1) {
			days = append(days, dd)
		}
		d.Heading = monthName(day.Month) + " " + strconv.Itoa(day.Year)
		d.Prev, d.Next = d.filterQuery("manad", calendar.NewDate(day.Year, day.Month-1, 1)), d.filterQuery("manad", calendar.NewDate(day.Year, day.Month+1, 1))
	default:
		d.View = "lista"
	}
	if len(days) > 0 {
		f.From, f.To = days[0].Start(), days[len(days)-1].AddDays(1).Start()
	}
	var err error
	if d.Posts, err = s.Publish.List(r.Context(), v, f); err != nil {
		return err
	}
	if len(days) > 0 {
		d.Weeks = calendarWeeks(days, d.Posts, day.Month, d.View == "manad", today)
	}
	if d.Departments, err = s.Org.Departments(r.Context(), nil); err != nil {
		return err
	}
	if d.Channels, err = s.Channels.List(r.Context(), v, channel.Filter{}); err != nil {
		return err
	}
	return s.render(w, r, "publish_list", d)
}

// calendarWeeks lays posts out on the days, a row per week.
func calendarWeeks(days []calendar.Date, posts []publish.Listed, month time.Month, monthView bool, today calendar.Date) []calWeek {
	byDay := map[calendar.Date][]publish.Listed{}
	for _, p := range posts {
		if p.When != nil {
			dd := calendar.DateOf(*p.When)
			byDay[dd] = append(byDay[dd], p)
		}
	}
	var weeks []calWeek
	for i, dd := range days {
		if i%7 == 0 {
			_, n := dd.Start().ISOWeek()
			weeks = append(weeks, calWeek{Number: n})
		}
		w := &weeks[len(weeks)-1]
		w.Days = append(w.Days, calDay{Date: dd, Name: calendar.WeekdayName(dd.Weekday()), Posts: byDay[dd],
			Outside: monthView && dd.Month != month, Today: dd == today})
	}
	return weeks
}

var monthNames = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

func monthName(m time.Month) string { return monthNames[m-1] }
