package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/answer"
	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/diary"
	"tilltal/internal/escalation"
	"tilltal/internal/inbox"
	"tilltal/internal/moderation/score"
	"tilltal/internal/org"
	"tilltal/internal/outbound"
	"tilltal/internal/replycheck"
)

// Who may read and who may work the inbox.
var (
	inboxReaders = RolesOf(org.Communicator, org.Owner, org.Editor, org.Registrar, org.Legal)
	inboxWorkers = RolesOf(org.Communicator, org.Owner, org.Editor)
)

type inboxData struct {
	Departments []org.Department
	Items       []inbox.Item
	Filter      inboxForm
	Statuses    []inbox.Status
	Next        string
	// LatestID is the newest item id when the page was made; the live
	// stream sends what arrives after it.
	LatestID  int64
	LiveQuery string
}

// inboxRow is what the row template gets, on the page and in the stream.
type inboxRow struct {
	L    Localizer
	Item inbox.Item
}

// inboxForm is the filter form as typed, echoed back into the form.
type inboxForm struct {
	Q, Status, Platform, Channel, Mine, Order, Since, Until, Department, Sentiment, Flag string
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	f, form, err := inboxFilter(r)
	if err != nil {
		return err
	}
	f.After, _ = strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	items, err := s.Inbox.List(r.Context(), f)
	if err != nil {
		return err
	}
	d := inboxData{Items: items, Filter: form, Statuses: inbox.Statuses, LiveQuery: r.URL.Query().Encode()}
	if d.Departments, err = s.Org.Departments(r.Context(), PrincipalFrom(r.Context()).VisibleDepartments()); err != nil {
		return err
	}
	if len(items) == f.Limit {
		v := r.URL.Query()
		v.Set("after", strconv.FormatInt(items[len(items)-1].ID, 10))
		d.Next = "/inkorg?" + v.Encode()
	}
	if len(items) > 0 && !f.Oldest && f.After == 0 {
		d.LatestID = items[0].ID
	} else {
		d.LatestID, err = s.Inbox.LatestID(r.Context())
		if err != nil {
			return err
		}
	}
	return s.render(w, r, "inbox", d)
}

// inboxFilter reads the filter form of the inbox page, scoped to what the
// person may see.
func inboxFilter(r *http.Request) (inbox.Filter, inboxForm, error) {
	p := PrincipalFrom(r.Context())
	q := r.URL.Query()
	form := inboxForm{Q: q.Get("q"), Status: q.Get("status"), Platform: q.Get("platform"), Channel: q.Get("channel"), Mine: q.Get("mine"),
		Order: q.Get("order"), Since: q.Get("since"), Until: q.Get("until"), Department: q.Get("department"), Sentiment: q.Get("sentiment"), Flag: q.Get("flag")}
	f := inbox.Filter{Channels: p.VisibleChannels(), Query: form.Q, Platform: form.Platform, Oldest: form.Order == "oldest", Limit: 50,
		Sentiment: form.Sentiment, Flag: form.Flag}
	if id, err := strconv.ParseInt(form.Department, 10, 64); err == nil {
		f.DepartmentID = id
	}
	switch form.Status {
	case "":
		f.OpenOnly = true
	case "all":
	default:
		st, err := inbox.ParseStatus(form.Status)
		if err != nil {
			return f, form, err
		}
		f.Status = st
	}
	if form.Mine == "1" {
		f.AssigneeID = p.User.ID
	}
	if id, err := strconv.ParseInt(form.Channel, 10, 64); err == nil {
		f.ChannelID = id
	}
	var err error
	if f.Since, f.Until, err = dateRange(form.Since, form.Until); err != nil {
		return f, form, err
	}
	return f, form, drillFilter(q, &f)
}

// dateRange reads a filter's from and to dates (either may be empty) as
// the times since ≤ t < until, in Stockholm; a to-date before the
// from-date is refused rather than answered with nothing.
func dateRange(from, to string) (since, until time.Time, err error) {
	if since, err = dateParam(from); err != nil {
		return since, until, err
	}
	if until, err = dateParam(to); err != nil || until.IsZero() {
		return since, until, err
	}
	if until.Before(since) {
		return since, until, apperr.Invalidf("Till-datumet %s ligger före från-datumet %s", strings.TrimSpace(to), strings.TrimSpace(from))
	}
	return since, until.AddDate(0, 0, 1), nil
}

// dateParam reads a yyyy-mm-dd date as the start of that day in Stockholm.
func dateParam(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return time.Time{}, apperr.Invalidf("Datumet %q ska skrivas ÅÅÅÅ-MM-DD", s)
	}
	return d.Start(), nil
}

type itemData struct {
	Item       inbox.Item
	Thread     []inbox.Item
	Versions   []inbox.Version
	Activities []inbox.Activity
	Users      []org.User
	CanWork    bool
	Statuses   []inbox.Status
	Others     []inbox.Presence
	// Escalations are the questions sent to departments about the item.
	Escalations []escalation.Escalation
	Departments []org.Department
	// Actions are the replies, hides and deletes asked for on the item.
	Actions []inbox.ItemAction
	// Draft identifies this page's reply form, so that sending it twice
	// sends one reply.
	Draft string
	Reply string
	Error string
	// Suggestions are saved answers and earlier replies that may help.
	Suggestions []answer.Suggestion
	Now         time.Time
	Clock       inbox.Clock
	// Findings are the reply check's, when a reply was stopped.
	Findings []replycheck.Finding
	// CanRegister lets a registrar register the item in the diary;
	// Registered is its diary entry once it is.
	CanRegister bool
	Registered  *diary.Entry
	// Flags explain why the classifier flagged the item.
	Flags []flagView
	// Incident says whether the item is under a case of suspected crime.
	Incident itemIncident
}

// flagView is one flagged category with the evidence for it.
type flagView struct {
	Category string
	Reasons  []string
}

// explainFlags classifies the text again (it is fast) to show the rules
// and words behind each flag; only the flags are stored.
func explainFlags(it inbox.Item) []flagView {
	if it.Flags == "" || it.FromUs {
		return nil
	}
	r := score.Classify(it.Body)
	var out []flagView
	for _, c := range r.Flags {
		v := flagView{Category: c.Swedish()}
		for _, why := range r.Reasons[c] {
			if why.Match != "" {
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s: ”%s”", strings.TrimSuffix(why.Why, "."), why.Match))
			} else {
				v.Reasons = append(v.Reasons, why.Why)
			}
		}
		out = append(out, v)
	}
	return out
}

// item loads an item the person may see; others get not found.
func (s *Server) item(r *http.Request) (inbox.Item, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return inbox.Item{}, err
	}
	it, err := s.Inbox.Get(r.Context(), id)
	if err != nil {
		return it, err
	}
	if !PrincipalFrom(r.Context()).CanSeeChannel(it.ChannelID) {
		return inbox.Item{}, apperr.NotFoundf("Ärendet finns inte")
	}
	return it, nil
}

func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) error {
	return s.itemPageWith(w, r, http.StatusOK, "", "")
}

// itemPageWith shows an item, with a reply that could not be sent kept in
// its field and the reason why.
func (s *Server) itemPageWith(w http.ResponseWriter, r *http.Request, status int, reply, problem string) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	d := itemData{Item: it, CanWork: inboxWorkers.Allows(p), Statuses: inbox.Statuses}
	if d.CanWork {
		if err := s.Inbox.MarkPresence(r.Context(), it.ID, p.User.ID, "viewing"); err != nil {
			return err
		}
	}
	if d.Others, err = s.Inbox.Others(r.Context(), it.ID, p.User.ID); err != nil {
		return err
	}
	if d.Escalations, err = s.Escalations.ForItem(r.Context(), it.ID); err != nil {
		return err
	}
	if d.Actions, err = s.Actions.ForItem(r.Context(), it.ID); err != nil {
		return err
	}
	d.Draft = randomToken()[:16]
	d.Reply, d.Error, d.Now = reply, problem, s.Now()
	d.Clock = it.ResponseClock(d.Now)
	d.Findings = findingsFrom(r.Context())
	d.CanRegister = diaryKeepers.Allows(p)
	d.Flags = explainFlags(it)
	if d.Incident, err = s.itemIncident(r.Context(), p, it); err != nil {
		return err
	}
	if e, err := s.Diary.ForObject(r.Context(), "item", itoa(it.ID)); err == nil {
		d.Registered = &e
	}
	if d.CanWork && !it.FromUs {
		if d.Suggestions, err = s.Answers.Suggest(r.Context(), it.Body, p.VisibleChannels(), 5); err != nil {
			return err
		}
		d.Reply = s.prefill(r, d.Reply)
	}
	if d.CanWork {
		if d.Departments, err = s.Org.Departments(r.Context(), nil); err != nil {
			return err
		}
	}
	if d.Thread, err = s.Inbox.Thread(r.Context(), it.ThreadID); err != nil {
		return err
	}
	if d.Versions, err = s.Inbox.Versions(r.Context(), it.ID); err != nil {
		return err
	}
	if d.Activities, err = s.Inbox.Activities(r.Context(), it.ID); err != nil {
		return err
	}
	if d.CanWork {
		if d.Users, err = s.Org.Users(r.Context()); err != nil {
			return err
		}
	}
	s.renderStatus(w, r, status, "item", d)
	return nil
}

func (s *Server) itemStatus(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	st, err := inbox.ParseStatus(r.PostFormValue("status"))
	if err != nil {
		return err
	}
	if err := s.Inbox.SetStatus(r.Context(), it.ID, st); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

func (s *Server) itemAssign(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	uid, _ := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if r.PostFormValue("user") == "me" {
		uid = PrincipalFrom(r.Context()).User.ID
	}
	if err := s.Inbox.Assign(r.Context(), it.ID, uid); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

func (s *Server) itemNote(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.Inbox.AddNote(r.Context(), it.ID, r.PostFormValue("note")); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

// itemPresence renews the person's presence at an item and answers with
// who else is there, as JSON for the page's script.
func (s *Server) itemPresence(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := PrincipalFrom(r.Context())
	if err := s.Inbox.MarkPresence(r.Context(), it.ID, p.User.ID, r.PostFormValue("state")); err != nil {
		return err
	}
	others, err := s.Inbox.Others(r.Context(), it.ID, p.User.ID)
	if err != nil {
		return err
	}
	l := Localizer{Lang: lang(r)}
	var lines []string
	for _, o := range others {
		lines = append(lines, presenceText(l, o))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"others": lines})
}

// presenceText says who else is at the item and what they do.
func presenceText(l Localizer, o inbox.Presence) string {
	if o.Writing {
		return l.Tf("item.other_writing", o.Name)
	}
	return l.Tf("item.other_viewing", o.Name)
}

// maxBulk bounds one bulk action.
const maxBulk = 200

// inboxBulk sets a status on, or takes, several items at once. Every item
// is checked against the person's scope; one the person may not see stops
// the whole action before anything changes.
func (s *Server) inboxBulk(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ids, err := formIDs(r, "item")
	if err != nil {
		return err
	}
	if len(ids) == 0 || len(ids) > maxBulk {
		return apperr.Invalidf("Välj mellan 1 och %d ärenden", maxBulk)
	}
	var st inbox.Status
	if v := r.PostFormValue("status"); v != "" {
		if st, err = inbox.ParseStatus(v); err != nil {
			return err
		}
	}
	me := r.PostFormValue("assign_me") == "1"
	if st == "" && !me {
		return apperr.Invalidf("Välj en status eller att ta ärendena")
	}
	p := PrincipalFrom(r.Context())
	for _, id := range ids {
		it, err := s.Inbox.Get(r.Context(), id)
		if err != nil || !p.CanSeeChannel(it.ChannelID) {
			return apperr.NotFoundf("Ärende %d finns inte", id)
		}
	}
	for _, id := range ids {
		if me {
			if err := s.Inbox.Assign(r.Context(), id, p.User.ID); err != nil {
				return err
			}
		}
		if st != "" {
			if err := s.Inbox.SetStatus(r.Context(), id, st); err != nil {
				return err
			}
		}
	}
	return redirect(w, r, "/inkorg?ok=1")
}

// itemReply sends a reply through the platform. The text stays on the page
// if it cannot be sent.
func (s *Server) itemReply(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if _, err := s.Actions.Reply(r.Context(), it.ID, r.PostFormValue("reply"), r.PostFormValue("draft"), r.PostFormValue("override")); err != nil {
		if k := apperr.KindOf(err); k == apperr.Internal {
			return err
		}
		var blocked *inbox.Blocked
		if errors.As(err, &blocked) {
			r = r.WithContext(withFindings(r.Context(), blocked.Findings))
		}
		return s.itemPageWith(w, r, statusOf(apperr.KindOf(err)), r.PostFormValue("reply"), apperr.Message(err))
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

// itemModerate hides, unhides or deletes the item on its platform.
func (s *Server) itemModerate(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if _, err := s.Actions.Moderate(r.Context(), it.ID, outbound.Kind(r.PostFormValue("action"))); err != nil {
		return err
	}
	return redirect(w, r, "/inkorg/"+itoa(it.ID)+"?ok=1")
}

// prefill puts a chosen saved answer, with its source, into an empty reply
// field: "Använd" is a plain link, so it works without JavaScript.
func (s *Server) prefill(r *http.Request, reply string) string {
	id, err := strconv.ParseInt(r.URL.Query().Get("svar"), 10, 64)
	if err != nil || reply != "" {
		return reply
	}
	a, err := s.Answers.Get(r.Context(), id)
	if err != nil || a.Archived {
		return reply
	}
	return a.Body + "\n\n" + a.SourceURL
}

type findingsKey struct{}

func withFindings(ctx context.Context, f []replycheck.Finding) context.Context {
	return context.WithValue(ctx, findingsKey{}, f)
}

func findingsFrom(ctx context.Context) []replycheck.Finding {
	f, _ := ctx.Value(findingsKey{}).([]replycheck.Finding)
	return f
}

// itemCheck runs the reply check on a draft while it is written and answers
// with the findings as JSON; the page shows them beside the field.
func (s *Server) itemCheck(w http.ResponseWriter, r *http.Request) error {
	it, err := s.item(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	text := r.PostFormValue("reply")
	if len([]rune(text)) > 10000 {
		return apperr.Invalidf("Texten är för lång")
	}
	findings, err := s.Actions.CheckReply(r.Context(), it, text)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"findings": findings})
}
