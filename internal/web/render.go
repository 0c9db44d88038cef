package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tilltal/internal/auth"
	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
	"tilltal/internal/moderation/score"
	"tilltal/internal/org"
)

// Localizer translates for one request's language.
type Localizer struct{ Lang string }

// T returns the text for key.
func (l Localizer) T(key string) string { return translate(l.Lang, key) }

// Tf formats the text for key with args.
func (l Localizer) Tf(key string, args ...any) string {
	return fmt.Sprintf(translate(l.Lang, key), args...)
}

// Role names a role in the language.
func (l Localizer) Role(r org.Role) string {
	if l.Lang == "en" {
		return r.LabelEN()
	}
	return r.Label()
}

// ItemStatus names an inbox status in the language.
func (l Localizer) ItemStatus(s inbox.Status) string {
	if l.Lang == "en" {
		return s.LabelEN()
	}
	return s.Label()
}

// Status names a delivery status.
func (l Localizer) Status(s string) string { return translate(l.Lang, "status."+s) }

// navItem is a link in the main menu.
type navItem struct {
	Href, Key string
	Current   bool
}

// page is what every template gets: the page's own data under .D.
type page struct {
	L         Localizer
	Title     string
	Principal *auth.Principal
	CSRF      string
	Nav       []navItem
	Path      string
	Flash     string
	D         any
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return calendar.FormatDateTime(t) },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return calendar.FormatDateTime(*t)
	},
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"date":     calendar.FormatDate,
	"duration": formatDuration,
	"deref":    func(t *time.Time) time.Time { return *t },
	"contains": func(list []int64, id int64) bool { return containsID(list, id) },
	"hasRole": func(list []org.Role, r org.Role) bool {
		for _, x := range list {
			if x == r {
				return true
			}
		}
		return false
	},
	"roles": func() []org.Role { return org.Roles },
	"join":  strings.Join,
	"excerpt": func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n-1]) + "…"
	},
	"row":            func(l Localizer, it inbox.Item) inboxRow { return inboxRow{L: l, Item: it} },
	"presence":       presenceText,
	"flagCategories": score.Categories,
	"categoryName":   func(c score.Category) string { return c.Swedish() },
	"platforms":      func() []string { return []string{"facebook", "instagram", "linkedin", "youtube"} },
	"platformName":   platformName,
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// lang returns the request's language: the person's setting, else the
// language cookie, else Swedish.
func lang(r *http.Request) string {
	if p := PrincipalFrom(r.Context()); p != nil && p.User.Locale == "en" {
		return "en"
	} else if p != nil {
		return "sv"
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	return "sv"
}

// render writes a page with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	s.renderStatus(w, r, http.StatusOK, name, data)
	return nil
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "template "+name+" missing", http.StatusInternalServerError)
		return
	}
	p := page{L: Localizer{Lang: lang(r)}, Principal: PrincipalFrom(r.Context()), Path: r.URL.Path, D: data}
	if p.Principal != nil {
		p.CSRF = p.Principal.SessionCSRF
		p.Nav = navFor(p.Principal, r.URL.Path)
	}
	if r.URL.Query().Get("ok") == "1" {
		p.Flash = p.L.T("common.saved")
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "Internt fel", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// navFor builds the menu for a person's roles.
func navFor(p *auth.Principal, path string) []navItem {
	items := []navItem{{Href: "/", Key: "nav.home"}}
	if inboxReaders.Allows(p) {
		items = append(items, navItem{Href: "/inkorg", Key: "nav.inbox"})
	}
	if publishReaders.Allows(p) {
		items = append(items, navItem{Href: "/publicera", Key: "nav.publish"})
	}
	if answerKeepers.Allows(p) {
		items = append(items, navItem{Href: "/svar", Key: "nav.answers"})
	}
	if deptAnswerers.Allows(p) {
		items = append(items, navItem{Href: "/verksamhet/fragor", Key: "nav.questions"})
	}
	if reportReaders.Allows(p) {
		items = append(items, navItem{Href: "/rapporter", Key: "nav.reports"})
	}
	items = append(items, navItem{Href: "/admin/kanaler", Key: "nav.channels"}, navItem{Href: "/kanaler", Key: "nav.public_list"})
	items = append(items, navItem{Href: "/admin/verksamheter", Key: "nav.departments"})
	if p.Has(org.Communicator) {
		items = append(items, navItem{Href: "/admin/anvandare", Key: "nav.users"}, navItem{Href: "/admin/utskick", Key: "nav.outbox"})
	}
	if diaryKeepers.Allows(p) {
		items = append(items, navItem{Href: "/diarium", Key: "nav.diary"})
	}
	if incidentWorkers.Allows(p) {
		items = append(items, navItem{Href: "/arenden", Key: "nav.incidents"})
	} else if incidentReaders.Allows(p) {
		items = append(items, navItem{Href: "/arenden/rapport", Key: "nav.moderation_report"})
	}
	if p.Has(org.Communicator) {
		items = append(items, navItem{Href: "/admin/plattformar", Key: "nav.platforms"})
	}
	if archiveReaders.Allows(p) {
		items = append(items, navItem{Href: "/arkiv", Key: "nav.archive"})
	}
	if releaseReaders.Allows(p) {
		items = append(items, navItem{Href: "/utlamnande", Key: "nav.releases"})
	}
	if p.SeesAll() {
		items = append(items, navItem{Href: "/admin/logg", Key: "nav.audit"})
	}
	items = append(items, navItem{Href: "/konto", Key: "nav.account"})
	for i := range items {
		items[i].Current = items[i].Href == path || (items[i].Href != "/" && strings.HasPrefix(path, items[i].Href+"/"))
	}
	return items
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// redirect sends the browser on after a successful form (post/redirect/get).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// platformName is a platform's name as people write it.
func platformName(p string) string {
	switch p {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	case "linkedin":
		return "LinkedIn"
	case "youtube":
		return "YouTube"
	case "other":
		return "Annan"
	}
	return p
}

// formatDuration writes a wait the way people say it: "3 d 4 h", "2 h 5 min".
func formatDuration(d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	days, hours, mins := m/(24*60), m/60%24, m%60
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", mins)
}
