package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
)

// dayOptions are the days a rota row can name, Monday first, then public
// holidays; Key is the translation key of the label.
var dayOptions = []struct{ Value, Key string }{
	{"1", "day.1"}, {"2", "day.2"}, {"3", "day.3"}, {"4", "day.4"}, {"5", "day.5"}, {"6", "day.6"}, {"0", "day.0"}, {"h", "day.holiday"},
}

// Rows of the rota form as typed, so that a form with an error comes back
// as the person left it. People are given by e-mail address.
type shiftRow struct{ Day, Start, End, Person string }
type absenceRow struct{ Person, From, To, Note string }
type extraRow struct{ Person, Date, Start, End, Note string }

// numbered pairs a form row with its number for people ("pass 3").
type numbered[T any] struct {
	N   int
	Row T
}

func number[T any](rows []T) []numbered[T] {
	out := make([]numbered[T], len(rows))
	for i, r := range rows {
		out[i] = numbered[T]{i + 1, r}
	}
	return out
}

// blankRows is how many empty rows a rota form offers for additions.
const blankRows = 4

type channelRotaData struct {
	// TargetMinutes is the response target in covered minutes.
	TargetMinutes int
	C             channel.Channel
	Shifts        []shiftRow
	Absences      []absenceRow
	Extra         []extraRow
	// The rows as the template shows them, numbered.
	ShiftRows    []numbered[shiftRow]
	AbsenceRows  []numbered[absenceRow]
	ExtraRows    []numbered[extraRow]
	People       []channel.Member
	Days         []struct{ Value, Key string }
	Policy       policyForm
	Gaps         []gapView
	CanEdit      bool
	Communicator bool
	Error        string
}

type policyForm struct {
	WeekdayStart, WeekdayEnd, WeekendStart, WeekendEnd, HolidayStart, HolidayEnd string
}

func policyFormOf(p calendar.Policy) policyForm {
	part := func(w calendar.Window) (string, string) {
		if !w.Required() {
			return "", ""
		}
		return w.Start.String(), w.End.String()
	}
	var f policyForm
	f.WeekdayStart, f.WeekdayEnd = part(p.Weekday)
	f.WeekendStart, f.WeekendEnd = part(p.Weekend)
	f.HolidayStart, f.HolidayEnd = part(p.Holiday)
	return f
}

// channelRotaPage shows the rota, its coverage policy and its gaps, as a
// form to those who may change them.
func (s *Server) channelRotaPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := ChannelViewer(PrincipalFrom(r.Context()))
	rota, err := s.Channels.Rota(r.Context(), v, id)
	if err != nil {
		return err
	}
	return s.showRota(w, r, id, http.StatusOK, rotaForm(rota))
}

// rotaForm turns a stored rota into the rows of the rota form.
func rotaForm(rota channel.Rota) channelRotaData {
	var d channelRotaData
	for _, sh := range rota.Shifts {
		day := strconv.Itoa(int(sh.Weekday))
		if sh.Holiday {
			day = "h"
		}
		d.Shifts = append(d.Shifts, shiftRow{day, sh.Start, sh.End, sh.Email})
	}
	for _, a := range rota.Absences {
		d.Absences = append(d.Absences, absenceRow{a.Email, a.From.String(), a.To.String(), a.Note})
	}
	for _, x := range rota.Extra {
		st, en := x.Start.In(calendar.Stockholm), x.End.In(calendar.Stockholm)
		end := en.Format("15:04")
		if calendar.DateOf(en) != calendar.DateOf(st) {
			end = "24:00"
		}
		d.Extra = append(d.Extra, extraRow{x.Email, st.Format(time.DateOnly), st.Format("15:04"), end, x.Note})
	}
	return d
}

func (s *Server) showRota(w http.ResponseWriter, r *http.Request, id int64, status int, d channelRotaData) error {
	p := PrincipalFrom(r.Context())
	v := ChannelViewer(p)
	c, err := s.Channels.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	d.C, d.People, d.Days, d.CanEdit, d.Communicator = c, c.People(), dayOptions, v.CanManage(c), v.Communicator
	if d.Policy == (policyForm{}) {
		d.Policy = policyFormOf(c.Policy)
	}
	if d.CanEdit {
		d.Shifts = append(d.Shifts, make([]shiftRow, blankRows)...)
		d.Absences = append(d.Absences, make([]absenceRow, 2)...)
		d.Extra = append(d.Extra, make([]extraRow, 2)...)
	}
	d.ShiftRows, d.AbsenceRows, d.ExtraRows = number(d.Shifts), number(d.Absences), number(d.Extra)
	now := s.Now()
	gaps, err := s.Channels.Coverage(r.Context(), v, id, now, channel.Horizon(now))
	if err != nil {
		return err
	}
	for _, g := range gaps {
		d.Gaps = append(d.Gaps, gapView{Text: channel.FormatGap(g), Kind: g.Kind.String()})
	}
	target, err := s.Channels.ResponseTarget(r.Context(), id)
	if err != nil {
		return err
	}
	d.TargetMinutes = int(target / time.Minute)
	s.renderStatus(w, r, status, "channel_rota", d)
	return nil
}

// channelRotaSave replaces the rota with the form's rows.
func (s *Server) channelRotaSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	d := channelRotaData{Shifts: formShiftRows(r), Absences: formAbsenceRows(r), Extra: formExtraRows(r)}
	rota, err := rotaFrom(d.Shifts, d.Absences, d.Extra)
	if err == nil {
		err = s.Channels.SetRota(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, rota)
	}
	if err == nil {
		return redirect(w, r, "/admin/kanaler/"+itoa(id)+"/jourschema?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.NotFound || k == apperr.Forbidden || k == apperr.Internal {
		return err
	}
	d.Error = apperr.Message(err)
	return s.showRota(w, r, id, statusOf(apperr.KindOf(err)), d)
}

// channelPolicy sets the coverage policy; empty times mean "not required".
func (s *Server) channelPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := policyForm{r.PostFormValue("weekday_start"), r.PostFormValue("weekday_end"), r.PostFormValue("weekend_start"),
		r.PostFormValue("weekend_end"), r.PostFormValue("holiday_start"), r.PostFormValue("holiday_end")}
	var p calendar.Policy
	p.Weekday, err = formWindow(f.WeekdayStart, f.WeekdayEnd)
	if err == nil {
		p.Weekend, err = formWindow(f.WeekendStart, f.WeekendEnd)
	}
	if err == nil {
		p.Holiday, err = formWindow(f.HolidayStart, f.HolidayEnd)
	}
	if err == nil {
		err = s.Channels.SetPolicy(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, p)
	}
	if err == nil {
		return redirect(w, r, "/admin/kanaler/"+itoa(id)+"/jourschema?ok=1")
	}
	if k := apperr.KindOf(err); k == apperr.NotFound || k == apperr.Forbidden || k == apperr.Internal {
		return err
	}
	return s.showRotaAgain(w, r, id, f, apperr.Message(err), statusOf(apperr.KindOf(err)))
}

// showRotaAgain shows the stored rota with the policy form as posted and
// its error.
func (s *Server) showRotaAgain(w http.ResponseWriter, r *http.Request, id int64, f policyForm, msg string, status int) error {
	rota, err := s.Channels.Rota(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id)
	if err != nil {
		return err
	}
	d := rotaForm(rota)
	d.Policy, d.Error = f, msg
	return s.showRota(w, r, id, status, d)
}

func formWindow(start, end string) (calendar.Window, error) {
	start, end = strings.TrimSpace(start), strings.TrimSpace(end)
	if start == "" && end == "" {
		return calendar.NotRequired, nil
	}
	return calendar.ParseWindow(start, end)
}

// column returns the i-th value of a repeated form field, "" when absent.
func column(r *http.Request, name string, i int) string {
	if v := r.PostForm[name]; i < len(v) {
		return strings.TrimSpace(v[i])
	}
	return ""
}

// rowCount is the number of rows a form posted, bounded.
func rowCount(r *http.Request, names ...string) int {
	n := 0
	for _, name := range names {
		n = max(n, len(r.PostForm[name]))
	}
	return min(n, 600)
}

func formShiftRows(r *http.Request) []shiftRow {
	var out []shiftRow
	for i := range rowCount(r, "shift_day", "shift_start", "shift_end", "shift_person") {
		row := shiftRow{column(r, "shift_day", i), column(r, "shift_start", i), column(r, "shift_end", i), column(r, "shift_person", i)}
		if row.Start != "" || row.End != "" || row.Person != "" {
			out = append(out, row)
		}
	}
	return out
}

func formAbsenceRows(r *http.Request) []absenceRow {
	var out []absenceRow
	for i := range rowCount(r, "absence_person", "absence_from", "absence_to") {
		row := absenceRow{column(r, "absence_person", i), column(r, "absence_from", i), column(r, "absence_to", i), column(r, "absence_note", i)}
		if row.From != "" || row.To != "" {
			out = append(out, row)
		}
	}
	return out
}

func formExtraRows(r *http.Request) []extraRow {
	var out []extraRow
	for i := range rowCount(r, "extra_person", "extra_date", "extra_start", "extra_end") {
		row := extraRow{column(r, "extra_person", i), column(r, "extra_date", i), column(r, "extra_start", i), column(r, "extra_end", i), column(r, "extra_note", i)}
		if row.Date != "" || row.Start != "" || row.End != "" {
			out = append(out, row)
		}
	}
	return out
}

// rotaFrom turns the form's rows into a rota, saying which row is wrong.
func rotaFrom(shifts []shiftRow, absences []absenceRow, extra []extraRow) (channel.Rota, error) {
	var out channel.Rota
	for i, row := range shifts {
		sh := channel.Shift{Start: row.Start, End: row.End, Email: row.Person}
		switch wd, err := strconv.Atoi(row.Day); {
		case row.Day == "h":
			sh.Holiday = true
		case err == nil && wd >= 0 && wd <= 6:
			sh.Weekday = time.Weekday(wd)
		default:
			return out, apperr.Invalidf("Välj dag för pass %d", i+1)
		}
		if row.Person == "" {
			return out, apperr.Invalidf("Välj person för pass %d", i+1)
		}
		out.Shifts = append(out.Shifts, sh)
	}
	for i, row := range absences {
		from, err1 := calendar.ParseDate(row.From)
		to, err2 := calendar.ParseDate(row.To)
		if err1 != nil || err2 != nil {
			return out, apperr.Invalidf("Frånvaro %d: ange datum som ÅÅÅÅ-MM-DD", i+1)
		}
		out.Absences = append(out.Absences, channel.Absence{Email: row.Person, From: from, To: to, Note: row.Note})
	}
	for i, row := range extra {
		x, err := extraFrom(row)
		if err != nil {
			return out, apperr.Invalidf("Extrapass %d: %s", i+1, apperr.Message(err))
		}
		out.Extra = append(out.Extra, x)
	}
	return out, nil
}

func extraFrom(row extraRow) (channel.ExtraShift, error) {
	d, err := calendar.ParseDate(row.Date)
	if err != nil {
		return channel.ExtraShift{}, apperr.Invalidf("ange datum som ÅÅÅÅ-MM-DD")
	}
	start, err := calendar.ParseTimeOfDay(row.Start)
	if err != nil {
		return channel.ExtraShift{}, err
	}
	end, err := calendar.ParseTimeOfDay(row.End)
	if err != nil {
		return channel.ExtraShift{}, err
	}
	return channel.ExtraShift{Email: row.Person, Start: d.At(start), End: d.At(end), Note: row.Note}, nil
}

// channelTarget sets the channel's response target, in minutes of covered
// time.
func (s *Server) channelTarget(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes")))
	if err != nil {
		return apperr.Invalidf("Ange svarsmålet i hela minuter")
	}
	if err := s.Channels.SetResponseTarget(r.Context(), ChannelViewer(PrincipalFrom(r.Context())), id, time.Duration(minutes)*time.Minute); err != nil {
		return err
	}
	return redirect(w, r, "/admin/kanaler/"+itoa(id)+"/jourschema?ok=1")
}
