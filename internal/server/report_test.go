package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
	"tilltal/internal/report"
	"tilltal/internal/report/reporttest"
	"tilltal/internal/server"
)

// seedReportWeek seeds the hand-counted week of ../report/testdata and
// brings the report figures up to date.
func (e *e2e) seedReportWeek() reporttest.Seeded {
	e.t.Helper()
	f, err := reporttest.Load("../report/testdata/week.json")
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := reporttest.Seed(context.Background(), e.app.DB, f)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Reports.Refresh(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return s
}

const reportWeek = "from=2026-05-11&to=2026-05-17"

// pageTable is a table of a report page as a person sees it: the text of
// every cell, and the links of the figures.
type pageTable struct {
	cells [][]string
	links [][]string
}

// reportTable finds the table with the id t-<id> in a page.
func reportTable(t *testing.T, page, id string) pageTable {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var table *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" && attr(n, "id") == "t-"+id {
			table = n
		}
		for c := n.FirstChild; c != nil && table == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if table == nil {
		t.Fatalf("no table t-%s on the page", id)
	}
	var out pageTable
	var rows func(*html.Node)
	rows = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var cells, links []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, strings.TrimSpace(text(c)))
					links = append(links, link(c))
				}
			}
			out.cells, out.links = append(out.cells, cells), append(out.links, links)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rows(c)
		}
	}
	rows(table)
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

func link(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "a" {
		return attr(n, "href")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if l := link(c); l != "" {
			return l
		}
	}
	return ""
}

// row finds the row whose first cell is name.
func (p pageTable) row(t *testing.T, name string) int {
	t.Helper()
	for i, r := range p.cells {
		if len(r) > 0 && r[0] == name {
			return i
		}
	}
	t.Fatalf("no row %q in %v", name, p.cells)
	return 0
}

// TestReportPagesByHand: the report pages show the hand-counted figures
// of the fixture week on both databases, every figure's link lists
// exactly the items it counts, and the CSV and the spreadsheet of a table
// hold what the page shows.
func TestReportPagesByHand(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		e.seedReportWeek()
		c := e.login(communicatorEmail)
		status, page := e.get(c, "/rapporter/svarstid?"+reportWeek)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, page)
		}
		channels := reportTable(t, page, "response_channels")
		tests := []struct {
			table, row string
			want       []string // incoming, answered, median, p90, previous median
		}{
			{"response_channels", "Kanal A", []string{"5", "4", "60", "1080", "20"}},
			{"response_channels", "Kanal B", []string{"3", "3", "120", "540", "–"}},
			{"response_channels", "Alla", []string{"8", "7", "75", "1080", "20"}},
			{"response_periods", "Helg", []string{"2", "1", "75", "75", "–"}},
			{"response_periods", "Helgdag", []string{"1", "1", "120", "120", "–"}},
			{"response_periods", "Natt", []string{"1", "1", "540", "540", "–"}},
		}
		for _, tt := range tests {
			tab := reportTable(t, page, tt.table)
			r := tab.cells[tab.row(t, tt.row)]
			got := []string{r[1], r[2], r[3], r[4], r[5]}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("%s %s: %v, want %v", tt.table, tt.row, got, tt.want)
			}
		}
		heat := reportTable(t, page, "response_heat")
		if got := heat.cells[heat.row(t, "Lördag")][1+19]; got != "75" {
			t.Errorf("Saturday 19–20 median %q, want 75", got)
		}
		// Every figure of a row leads to the items it counts.
		drills := []struct {
			table, row string
			col, n     int
		}{
			{"response_channels", "Kanal A", 1, 5},
			{"response_channels", "Kanal A", 2, 4},
			{"response_periods", "Helg", 1, 2},
			{"response_periods", "Kväll", 1, 1},
			{"response_heat", "Lördag", 1 + 19, 1},
		}
		for _, d := range drills {
			tab := reportTable(t, page, d.table)
			href := tab.links[tab.row(t, d.row)][d.col]
			if href == "" {
				t.Fatalf("%s %s column %d has no link", d.table, d.row, d.col)
			}
			st, inbox := e.get(c, href)
			if n := strings.Count(inbox, `<tr data-id=`); st != http.StatusOK || n != d.n {
				t.Errorf("%s %s column %d: %s lists %d items (status %d), want %d", d.table, d.row, d.col, href, n, st, d.n)
			}
		}
		// Volume per channel and day: A has i1 and i2 on Monday 11 May.
		_, vol := e.get(c, "/rapporter/volym?"+reportWeek)
		vt := reportTable(t, vol, "volume_channel_time")
		if r := vt.cells[vt.row(t, "Kanal A")]; strings.Join(r, " ") != "Kanal A 2 0 1 0 0 1 1 5" {
			t.Errorf("Kanal A per day: %q", r)
		}
		// SBF answered i3's question in 17 h, in time, and i7's after 93.5 h,
		// past its deadline.
		_, esc := e.get(c, "/rapporter/verksamheter?"+reportWeek)
		et := reportTable(t, esc, "escalations")
		if r := et.cells[et.row(t, "Samhällsbyggnadsförvaltningen")]; strings.Join(r[1:9], " ") != "2 2 1 1 0 0 17,0 93,5" {
			t.Errorf("SBF's turnaround: %q", r)
		}
		_, mod := e.get(c, "/rapporter/moderering?"+reportWeek)
		if mt := reportTable(t, mod, "moderation_flags"); strings.Join(mt.cells[mt.row(t, "threat")], " ") != "threat 1 0 –" {
			t.Errorf("flags: %q", mt.cells)
		}
		if !strings.Contains(mod, "Incidenter och tid till borttagning") || strings.Contains(mod, "Ingen data: Tilltal för ännu inget register över incidenter") {
			t.Error("the moderation report does not show the incident table")
		}
		checkCSV(t, e, c, "/rapporter/svarstid/csv?"+reportWeek+"&tabell=response_channels", channels)
		checkXLSX(t, e, c, "/rapporter/svarstid/xlsx?"+reportWeek+"&tabell=response_channels", channels)
	})
}

// checkCSV fetches a table's CSV and holds it to the page's table.
func checkCSV(t *testing.T, e *e2e, c *http.Client, path string, page pageTable) {
	t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("CSV: status %d, type %q", resp.StatusCode, ct)
	}
	b, _ := io.ReadAll(resp.Body)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(page.cells) {
		t.Fatalf("CSV has %d lines, the page's table %d rows", len(records), len(page.cells))
	}
	for i := range records {
		if strings.Join(records[i], "|") != strings.Join(page.cells[i], "|") {
			t.Errorf("CSV line %d = %q, page %q", i, records[i], page.cells[i])
		}
	}
}

// checkXLSX opens a table's spreadsheet and holds its figures to the page's.
func checkXLSX(t *testing.T, e *e2e, c *http.Client, path string, page pageTable) {
	t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("XLSX: status %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatalf("the spreadsheet does not open: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	for i, row := range page.cells {
		for j, want := range row {
			at, _ := excelize.CoordinatesToCellName(j+1, report.SheetHeaderRows+1+i)
			got, err := f.GetCellValue(sheet, at, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if want == "–" {
				want = ""
			}
			if w, err := strconv.ParseFloat(strings.Replace(want, ",", ".", 1), 64); err == nil {
				g, err := strconv.ParseFloat(got, 64)
				if err != nil || g != w {
					t.Errorf("sheet %s = %q, page %q", at, got, want)
				}
			} else if got != want {
				t.Errorf("sheet %s = %q, page %q", at, got, want)
			}
		}
	}
}

// TestReportScope: owners see their own channels' figures only, others'
// channels are not found, editors and department contacts have no
// reports, and the API gives the page's figures.
func TestReportScope(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		seeded := e.seedReportWeek()
		a := strconv.FormatInt(seeded.Channels["A"], 10)
		owner := e.login("kontoansvarig@exempelby.se")
		st, page := e.get(owner, "/rapporter/svarstid?"+reportWeek)
		if st != http.StatusOK {
			t.Fatalf("owner: status %d", st)
		}
		if strings.Contains(page, "Kanal A") {
			t.Error("the owner sees a channel that is not theirs")
		}
		if st, _ := e.get(owner, "/rapporter/svarstid?"+reportWeek+"&channel="+a); st != http.StatusNotFound {
			t.Errorf("owner filtering on another's channel: %d, want 404", st)
		}
		if st, _ := e.get(owner, "/rapporter/svarstid/csv?"+reportWeek+"&channel="+a); st != http.StatusNotFound {
			t.Errorf("owner exporting another's channel: %d, want 404", st)
		}
		for _, email := range []string{editorEmail, "verksamhet@exempelby.se"} {
			if st, _ := e.get(e.login(email), "/rapporter"); st != http.StatusForbidden {
				t.Errorf("%s opens the reports with %d", email, st)
			}
		}
		reg := e.login("registrator@exempelby.se")
		if st, page := e.get(reg, "/rapporter/volym?"+reportWeek+"&channel="+a); st != http.StatusOK || !strings.Contains(page, "Kanal A") {
			t.Errorf("registrar: status %d", st)
		}
		st, body := e.api("GET", "/api/v1/reports/svarsandel?"+reportWeek, e.token(communicatorEmail), "")
		if st != http.StatusOK {
			t.Fatalf("API: %d %v", st, body)
		}
		overall := body["tables"].([]any)[0].(map[string]any)
		rows := overall["rows"].([]any)
		all, questions, positive := rows[0].([]any), rows[1].([]any), rows[2].([]any)
		value := func(r []any, i int) any { return r[i].(map[string]any)["value"] }
		// 7 of 8 answered; all 4 questions; 1 of 2 positive comments.
		if value(all, 3) != 87.5 || value(questions, 3) != 100.0 || value(positive, 3) != 50.0 {
			t.Errorf("API answer rates: %v %v %v", value(all, 3), value(questions, 3), value(positive, 3))
		}
		if st, _ := e.api("GET", "/api/v1/reports/svarsandel?"+reportWeek, e.token(editorEmail), ""); st != http.StatusForbidden {
			t.Errorf("API for an editor: %d", st)
		}
		if st, _ := e.api("GET", "/api/v1/reports/nope", e.token(communicatorEmail), ""); st != http.StatusNotFound {
			t.Errorf("API for an unknown report: %d", st)
		}
	})
}

// TestReportDigest: last week's digest goes once to every owner and
// communicator, each with their own channels' figures.
func TestReportDigest(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, e *e2e) {
		e.seedReportWeek()
		s := *e.app.Reports
		// Monday 06:00 in Stockholm is too early.
		s.Now = func() time.Time { return time.Date(2026, 5, 18, 4, 0, 0, 0, time.UTC) }
		if n, err := s.SendDigests(context.Background()); err != nil || n != 0 {
			t.Fatalf("sent %d digests before the working day (%v)", n, err)
		}
		s.Now = func() time.Time { return time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC) }
		n, err := s.SendDigests(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		people := e.count(`SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles r ON r.user_id = u.id
			WHERE r.role IN ('owner', 'communicator') AND u.active`)
		if n == 0 || n > people {
			t.Fatalf("sent %d digests to %d owners and communicators", n, people)
		}
		if again, err := s.SendDigests(context.Background()); err != nil || again != 0 {
			t.Errorf("a second run sent %d (%v)", again, err)
		}
		var body string
		if err := e.app.DB.QueryRow(context.Background(), `SELECT n.body FROM notifications n JOIN users u ON u.id = n.recipient_user_id
			WHERE u.email = ? AND n.dedupe_key LIKE 'report-digest:2026-W20:%'`, communicatorEmail).Scan(&body); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"vecka 20", "Inkommande: 8 (veckan före 1)", "svarsandel 87,5 %", "median 75 min", "- Kanal A: 5 inkommande"} {
			if !strings.Contains(body, want) {
				t.Errorf("the communicator's digest lacks %q:\n%s", want, body)
			}
		}
		var owner string
		err = e.app.DB.QueryRow(context.Background(), `SELECT n.body FROM notifications n JOIN users u ON u.id = n.recipient_user_id
			WHERE u.email = ? AND n.dedupe_key LIKE 'report-digest:%'`, "kontoansvarig@exempelby.se").Scan(&owner)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(owner, "Inkommande: 0") || strings.Contains(owner, "Kanal A") {
			t.Errorf("the owner's digest shows others' channels:\n%s", owner)
		}
	})
}

// TestReportJobs runs the real job queue: on a database whose figures were
// never computed the refresh job asks for a rebuild, which computes the
// seeded week; an item that arrives later is counted by a later refresh.
func TestReportJobs(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startE2EWith(t, dialect, nil, e2eOptions{Options: server.Options{ReportRefreshInterval: time.Second, FetchPollInterval: 100 * time.Millisecond}})
			f, err := reporttest.Load("../report/testdata/week.json")
			if err != nil {
				t.Fatal(err)
			}
			seeded, err := reporttest.Seed(context.Background(), e.app.DB, f)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := e.app.Queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer scancel()
				_ = e.app.Queue.Stop(sctx)
			})
			week := report.Filter{From: calendarDate(2026, 5, 11), To: calendarDate(2026, 5, 17)}
			incoming := func() int {
				rows, err := e.app.Reports.Rows(context.Background(), week)
				if err != nil {
					t.Fatal(err)
				}
				return report.Compute(rows).Total.Incoming
			}
			waitFor(t, "the rebuild of the seeded week", func() bool { return incoming() == 8 })
			// The figures may come from the rebuild job or from a refresh that
			// ran first; either way no rebuild may still be under way when the
			// late item arrives, or it, not the refresh, would count it.
			waitFor(t, "no rebuild under way", func() bool {
				return e.count("SELECT COUNT(*) FROM river_job WHERE kind = 'report.rebuild' AND state NOT IN ('completed', 'cancelled', 'discarded')") == 0
			})
			posted := time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)
			err = e.app.DB.InTx(context.Background(), func(tx *db.Tx) error {
				_, err := inbox.Ingest(context.Background(), tx, seeded.Channels["A"], platform.Event{Platform: platform.Facebook, EventID: "late", Verb: platform.VerbCreate,
					Object: platform.Object{ExternalID: "late", Kind: platform.KindComment, ThreadID: "post-A", Text: "Och sedan?", CreatedAt: posted,
						Author: platform.Author{ExternalID: "x", Name: "X"}}}, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a refresh that counts the new item", func() bool { return incoming() == 9 })
		})
	}
}

func calendarDate(y int, m time.Month, d int) calendar.Date { return calendar.NewDate(y, m, d) }

// TestInboxDrillParameters: the inbox refuses drill-down parameters it
// cannot read, and narrows by the ones it can.
func TestInboxDrillParameters(t *testing.T) {
	t.Parallel()
	e := startE2E(t, db.SQLite)
	e.seedReportWeek()
	c := e.login(communicatorEmail)
	week := "status=all&from=public&since=2026-05-11&until=2026-05-17"
	tests := []struct {
		query  string
		status int
		items  int
	}{
		{week, http.StatusOK, 8},
		{week + "&answered=no", http.StatusOK, 1},
		{week + "&question=1&answered=yes", http.StatusOK, 4},
		{week + "&period=holiday", http.StatusOK, 1},
		{week + "&period=weekend&how=139", http.StatusOK, 1}, // Saturday 19–20
		{week + "&period=office&how=139", http.StatusOK, 0},
		{week + "&how=200", http.StatusUnprocessableEntity, 0},
		{week + "&period=lunch", http.StatusUnprocessableEntity, 0},
		{week + "&answered=maybe", http.StatusUnprocessableEntity, 0},
		{"status=all&how=10", http.StatusUnprocessableEntity, 0},
	}
	for _, tt := range tests {
		st, page := e.get(c, "/inkorg?"+tt.query)
		if n := strings.Count(page, `<tr data-id=`); st != tt.status || n != tt.items {
			t.Errorf("%s: status %d with %d items, want %d with %d", tt.query, st, n, tt.status, tt.items)
		}
	}
}
