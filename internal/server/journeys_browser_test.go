package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"tilltal/internal/browsertest"
	"tilltal/internal/demo"
	"tilltal/internal/inbox"
)

// TestBrowserJourneys walks the main journey of every role of DESIGN.md §2
// in a real Chromium, on one server (SQLite, the demo municipality and a
// simulated Facebook page with jobs running) and one browser: each role in
// a tab of its own, in parallel. Every page on the way passes axe-core's
// WCAG 2.1 A/AA rules, the structural HTML checks and reflow at 320 px,
// and each journey asserts what the person sees at its end.
func TestBrowserJourneys(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	e, ch := startSim(t, "sqlite")
	var items []inbox.Item
	waitFor(t, "the back-fill", func() bool {
		items, _ = e.app.Inbox.List(context.Background(), inbox.Filter{ChannelID: ch, OpenOnly: true})
		return len(items) >= 4
	})
	// Each journey works on an item of its own, so that they can run side
	// by side: the registrar registers one, legal opens a case on another,
	// the department is asked about a third, the editor answers a fourth.
	registered, reported, asked, answered := items[0], items[1], items[2], items[3]
	ctx := context.Background()
	sbfQuestion := "Gäller bygglovet för bryggan fortfarande?"
	if _, err := e.app.Escalations.Create(ctx, asked.ID, e.department("SBF").ID, sbfQuestion, time.Time{}); err != nil {
		t.Fatal(err)
	}
	kffQuestion := "Vilka öppettider gäller i jul?"
	if _, err := e.app.Escalations.Create(ctx, asked.ID, e.department("KFF").ID, kffQuestion, time.Time{}); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL

	t.Run("redaktör svarar", func(t *testing.T) {
		t.Parallel()
		editorAnswers(t, b, base, answered)
	})

	t.Run("kommunikatör lägger till ett pass i jourschemat", func(t *testing.T) {
		t.Parallel()
		tab := signedIn(t, b, base, communicatorEmail)
		open(t, tab, base+fmt.Sprintf("/admin/kanaler/%d", ch))
		if status := browsertest.ClickNavigate(t, tab, `main a[href$="/jourschema"]`); status != http.StatusOK {
			t.Fatalf("rota: status %d", status)
		}
		checkPage(t, tab)
		// The first empty row of the rota: Monday 07:00–09:00, the first
		// person the channel has.
		row := browsertest.Eval[int](t, tab, `[...document.querySelectorAll('input[name=shift_start]')].findIndex(i => i.value === '')`)
		if row < 0 {
			t.Fatal("the rota form has no empty row")
		}
		person := browsertest.Eval[string](t, tab, fmt.Sprintf(`(() => {
			const day = document.querySelectorAll('select[name=shift_day]')[%[1]d];
			day.value = '1';
			const who = document.querySelectorAll('select[name=shift_person]')[%[1]d];
			who.selectedIndex = 1;
			return who.options[1].text;
		})()`, row))
		fillNth(t, tab, "shift_start", row, "07:00")
		fillNth(t, tab, "shift_end", row, "09:00")
		if status := browsertest.ClickNavigate(t, tab, `form[action$="/jourschema"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("save rota: status %d: %s", status, browsertest.Text(t, tab, "main"))
		}
		checkPage(t, tab)
		if got := browsertest.Location(t, tab); !strings.HasSuffix(got, "/jourschema?ok=1") {
			t.Fatalf("after saving at %s", got)
		}
		saved := browsertest.Eval[bool](t, tab, fmt.Sprintf(`[...document.querySelectorAll('main tr')].some(tr => {
			const v = n => (tr.querySelector('[name=' + n + ']') || {}).value;
			const who = tr.querySelector('select[name=shift_person]');
			return v('shift_day') === '1' && v('shift_start') === '07:00' && v('shift_end') === '09:00' && who && who.options[who.selectedIndex].text === %q;
		})`, person))
		if !saved {
			t.Errorf("the saved rota does not show Monday 07:00–09:00 for %s", person)
		}
	})

	t.Run("registrator diarieför och klassar", func(t *testing.T) {
		t.Parallel()
		tab := signedIn(t, b, base, "registrator@exempelby.se")
		open(t, tab, base+fmt.Sprintf("/inkorg/%d", registered.ID))
		browsertest.Click(t, tab, `details:has(form[action$="/diarium"]) > summary`)
		browsertest.Fill(t, tab, "#reg-desc", "Synpunkt från medborgare")
		if status := browsertest.ClickNavigate(t, tab, `form[action$="/diarium"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("register: status %d", status)
		}
		checkPage(t, tab)
		number := diaryNumber.FindString(browsertest.Text(t, tab, "main"))
		if number == "" {
			t.Fatalf("the item shows no diary number: %s", browsertest.Text(t, tab, "main"))
		}
		// The diary lists it.
		open(t, tab, base+"/diarium")
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, number) || !strings.Contains(got, "Synpunkt från medborgare") {
			t.Fatalf("the diary does not list %s: %s", number, got)
		}
		// The archive search finds the item's record by a word of it.
		open(t, tab, base+"/arkiv")
		browsertest.Fill(t, tab, "#q", searchWord(registered.Body))
		browsertest.Fill(t, tab, "#author", registered.AuthorName)
		if status := browsertest.ClickNavigate(t, tab, `form[action="/arkiv"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("search: status %d", status)
		}
		checkPage(t, tab)
		if n := countAll(t, tab, "main tbody tr"); n == 0 {
			t.Fatalf("searching for %q by %s finds nothing", searchWord(registered.Body), registered.AuthorName)
		}
		if status := browsertest.ClickNavigate(t, tab, `main tbody a`); status != http.StatusOK {
			t.Fatalf("record: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, registered.AuthorName) {
			t.Fatalf("the record is not the item's: %s", got)
		}
		// Triage: the registrar decides the record is secret.
		browsertest.Eval[bool](t, tab, `(document.querySelector('#class').value = 'sekretess', true)`)
		browsertest.Fill(t, tab, "#ground", "OSL 26 kap. 1 §")
		browsertest.Fill(t, tab, "#reason", "Uppgifter om enskilds hälsa")
		if status := browsertest.ClickNavigate(t, tab, `form[action$="/klass"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("class: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Sekretess (registreras) – OSL 26 kap. 1 §") || !strings.Contains(got, "beslutad av registrator") {
			t.Fatalf("the record does not show the registrar's class: %s", got)
		}
	})

	t.Run("jurist öppnar ärende, bevis och polisanmälan", func(t *testing.T) {
		t.Parallel()
		tab := signedIn(t, b, base, "jurist@exempelby.se")
		open(t, tab, base+fmt.Sprintf("/inkorg/%d", reported.ID))
		browsertest.Click(t, tab, `details:has(form[action$="/arende"]) > summary`)
		browsertest.Eval[bool](t, tab, `(document.querySelector('#inc-cat').value = 'threat', true)`)
		browsertest.Fill(t, tab, "#inc-note", "Hot mot en anställd")
		if status := browsertest.ClickNavigate(t, tab, `form[action$="/arende"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("open case: status %d", status)
		}
		caseURL := strings.TrimSuffix(browsertest.Location(t, tab), "?ok=1")
		if !regexp.MustCompile(`/arenden/\d+$`).MatchString(caseURL) {
			t.Fatalf("after opening the case at %s", caseURL)
		}
		// The vault is sealed by a job: the page shows it once it is.
		reloadUntil(t, tab, caseURL, "the sealed vault", func() bool { return countAll(t, tab, "#vault-caption") == 1 })
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Sigillet och alla kontrollsummor stämmer") {
			t.Fatalf("the vault does not verify: %s", got)
		}
		part, _ := browsertest.Attribute(t, tab, `table:has(#vault-caption) tbody a`, "href")
		if part == "" {
			t.Fatal("the vault lists no evidence")
		}
		// Evidence downloads (as an attachment); legal gets it.
		if status := fetchStatus(t, tab, part); status != http.StatusOK {
			t.Errorf("legal fetches %s with status %d", part, status)
		}
		browsertest.Fill(t, tab, "#k-number", "K123456-26")
		if status := browsertest.ClickNavigate(t, tab, `form[action$="/polisanmalan"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("police report: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Polisens diarienummer (K-nummer): K123456-26") {
			t.Fatalf("the case does not show the police report number: %s", got)
		}
		open(t, tab, base+"/arenden")
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "K123456-26") && !strings.Contains(got, reported.AuthorName) {
			t.Errorf("the case list does not show the case: %s", got)
		}

		// The editor of the channel is refused the case and its evidence.
		editor := signedIn(t, b, base, editorEmail)
		for _, path := range []string{strings.TrimPrefix(caseURL, base), part} {
			if status := browsertest.Navigate(t, editor, base+path); status != http.StatusForbidden {
				t.Errorf("the editor opens %s with status %d, want %d", path, status, http.StatusForbidden)
			}
			if got := browsertest.Text(t, editor, "main"); strings.Contains(got, "Sigillet") || strings.Contains(got, "K123456-26") {
				t.Errorf("the editor sees the case at %s: %s", path, got)
			}
		}
		checkPage(t, editor)
	})

	t.Run("verksamhetskontakt svarar på sin fråga", func(t *testing.T) {
		t.Parallel()
		tab := signedIn(t, b, base, "verksamhet@exempelby.se")
		if status := browsertest.ClickNavigate(t, tab, `nav a[href="/verksamhet/fragor"]`); status != http.StatusOK {
			t.Fatalf("questions: status %d", status)
		}
		checkPage(t, tab)
		list := browsertest.Text(t, tab, "main")
		if !strings.Contains(list, sbfQuestion) || strings.Contains(list, kffQuestion) || countAll(t, tab, "main tbody tr") != 1 {
			t.Fatalf("the department contact of SBF should see only SBF's question: %s", list)
		}
		if status := browsertest.ClickNavigate(t, tab, `main tbody a`); status != http.StatusOK {
			t.Fatalf("question: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, asked.Body) {
			t.Errorf("the question does not show the citizen's text: %s", got)
		}
		browsertest.Fill(t, tab, "#answer", "Ja, bygglovet gäller till och med 2027.")
		if status := browsertest.ClickNavigate(t, tab, `form[action^="/verksamhet/fragor/"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("answer: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Sparat") || countAll(t, tab, "main tbody tr") != 0 {
			t.Fatalf("the answered question is still waiting: %s", got)
		}
		if status := browsertest.ClickNavigate(t, tab, `main a[href="/verksamhet/fragor?alla=1"]`); status != http.StatusOK {
			t.Fatalf("all questions: status %d", status)
		}
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main tbody"); !strings.Contains(got, sbfQuestion) || !strings.Contains(got, "Besvarad") || strings.Contains(got, kffQuestion) {
			t.Fatalf("the answered questions: %s", got)
		}
		browsertest.ClickNavigate(t, tab, `main tbody a`)
		checkPage(t, tab)
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Ja, bygglovet gäller till och med 2027.") || countAll(t, tab, "#answer") != 0 {
			t.Fatalf("the question is not shown answered: %s", got)
		}
		// Nothing beyond the department's questions.
		for _, path := range []string{"/inkorg", "/arkiv", fmt.Sprintf("/inkorg/%d", asked.ID)} {
			if status := browsertest.Navigate(t, tab, base+path); status != http.StatusForbidden {
				t.Errorf("the department contact opens %s with status %d", path, status)
			}
		}
	})

	t.Run("administratör lägger till en användare", func(t *testing.T) {
		t.Parallel()
		tab := signedIn(t, b, base, communicatorEmail)
		open(t, tab, base+"/admin/anvandare/ny")
		browsertest.Fill(t, tab, "#email", "ny.handlaggare@exempelby.se")
		browsertest.Fill(t, tab, "#name", "Nina Ny")
		browsertest.Click(t, tab, "#role-editor")
		browsertest.Click(t, tab, `input[name=department]`)
		browsertest.Fill(t, tab, "#password", "ett-långt-lösenord-2026")
		if status := browsertest.ClickNavigate(t, tab, `form[action="/admin/anvandare"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("create user: status %d: %s", status, browsertest.Text(t, tab, "main"))
		}
		checkPage(t, tab)
		open(t, tab, base+"/admin/anvandare")
		if got := browsertest.Text(t, tab, "main"); !strings.Contains(got, "Nina Ny") {
			t.Fatalf("the user list lacks the new user: %s", got)
		}
		open(t, tab, base+"/admin/logg")
		browsertest.Fill(t, tab, "#action", "user.create")
		if status := browsertest.ClickNavigate(t, tab, `form[action="/admin/logg"] button[type=submit]`); status != http.StatusOK {
			t.Fatalf("audit: status %d", status)
		}
		checkPage(t, tab)
		// The newest entry first: who added whom.
		if got := browsertest.Text(t, tab, "main tbody tr"); !strings.Contains(got, "ny.handlaggare@exempelby.se") || !strings.Contains(got, communicatorEmail) {
			t.Fatalf("the audit log does not show who added the user: %s", got)
		}
		// The new person can sign in.
		if status := signIn(t, b.Tab(t), base, "ny.handlaggare@exempelby.se", "ett-långt-lösenord-2026"); status != http.StatusOK {
			t.Errorf("the new user signs in with status %d", status)
		}
	})

	t.Run("allmänheten ser kanallistan och inget annat", func(t *testing.T) {
		t.Parallel()
		tab := b.Tab(t)
		open(t, tab, base+"/kanaler")
		if n := countAll(t, tab, "ul.kanaler li a"); n < 8 {
			t.Errorf("%d channels listed, want the demo's active ones", n)
		}
		if got := browsertest.Text(t, tab, "main"); strings.Contains(got, "återvinning") {
			t.Errorf("the public list shows a channel that is only requested: %s", got)
		}
		for _, path := range []string{"/inkorg", "/arkiv", "/arenden"} {
			browsertest.Navigate(t, tab, base+path)
			if got := browsertest.Location(t, tab); !strings.HasPrefix(got, base+"/login") {
				t.Errorf("an anonymous visitor to %s ends at %s, want the sign-in", path, got)
			}
		}
		checkPage(t, tab)
	})
}

// diaryNumber matches a diary number as the item page shows it.
var diaryNumber = regexp.MustCompile(`[A-ZÅÄÖ]+ \d{4}/\d{4}`)

// signedIn opens a tab signed in as email.
func signedIn(t *testing.T, b *browsertest.Browser, base, email string) context.Context {
	t.Helper()
	tab := b.Tab(t)
	if status := signIn(t, tab, base, email, demo.Password); status != http.StatusOK {
		t.Fatalf("sign-in %s: %d", email, status)
	}
	return tab
}

// open navigates to url, wants 200 and checks the page.
func open(t *testing.T, tab context.Context, url string) {
	t.Helper()
	if status := browsertest.Navigate(t, tab, url); status != http.StatusOK {
		t.Fatalf("%s: status %d", url, status)
	}
	checkPage(t, tab)
}

// fillNth types value into the i-th field named name.
func fillNth(t *testing.T, tab context.Context, name string, i int, value string) {
	t.Helper()
	label := browsertest.Eval[string](t, tab, fmt.Sprintf(`document.querySelectorAll('[name=%s]')[%d].getAttribute('aria-label')`, name, i))
	browsertest.Fill(t, tab, fmt.Sprintf(`[name=%s][aria-label=%q]`, name, label), value)
}

// reloadUntil loads url until cond holds, for what a job does in the
// background; it fails after a minute.
func reloadUntil(t *testing.T, tab context.Context, url, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		browsertest.Navigate(t, tab, url)
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s at %s", what, url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// searchWord is the longest word of text, for a search that finds it.
func searchWord(text string) string {
	best := ""
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) > len([]rune(best)) {
			best = w
		}
	}
	return best
}

// fetchStatus requests path from the page, with its cookies, and returns
// the status: for downloads, which do not load as a page.
func fetchStatus(t *testing.T, tab context.Context, path string) int {
	t.Helper()
	status, err := chromedp.Run(tab, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q).then(r => r.status)`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	return status
}
