package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/server"
)

// TestRegistrarExportsToTheEArchive: the registrar starts an export in the
// UI, the job queue writes it while the page shows its progress, and the
// registrar downloads a package with METS at its root; an empty period is
// refused in Swedish; an editor may neither see nor download exports, in
// the UI or the API.
func TestRegistrarExportsToTheEArchive(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := startE2EWith(t, dialect, nil, e2eOptions{Options: server.Options{FetchPollInterval: 50 * time.Millisecond}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
			for i := range 3 {
				err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
					_, err := archive.AppendTx(ctx, tx, archive.Record{Kind: archive.KindItemVersion, Direction: archive.In, AuthorName: "Åsa",
						OccurredAt: at.Add(time.Duration(i) * time.Hour), CapturedAt: at, ContentType: archive.ContentJSON, Content: []byte(`{"text":"Hej kommunen"}`)})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := e.app.Queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
				defer c()
				_ = e.app.Queue.Stop(sctx)
			})

			reg := e.login("registrator@exempelby.se")
			status, page := e.get(reg, "/arkiv/export")
			if status != http.StatusOK || !strings.Contains(page, `action="/arkiv/export"`) {
				t.Fatalf("export page: %d", status)
			}
			csrf := e.csrf(reg, "/arkiv/export")
			status, body, _ := e.post(reg, "/arkiv/export", url.Values{"csrf": {csrf}, "from": {"2020-01-01"}, "to": {"2020-12-31"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Det finns inga handlingar att exportera") {
				t.Fatalf("empty period: %d", status)
			}
			if n := e.count("SELECT COUNT(*) FROM exports"); n != 0 {
				t.Fatalf("empty period recorded %d exports", n)
			}
			status, _, h := e.post(reg, "/arkiv/export", url.Values{"csrf": {csrf}, "from": {"2026-01-01"}, "to": {"2026-12-31"}})
			if status != http.StatusSeeOther || h.Get("Location") != "/arkiv/export" {
				t.Fatalf("start: %d", status)
			}
			_, page = e.get(reg, "/arkiv/export")
			if !strings.Contains(page, "<progress") || !strings.Contains(page, "av 3 handlingar") {
				t.Fatalf("no progress bar on the page:\n%s", page)
			}
			// Wait for the job (the page without JavaScript is reloaded).
			link := regexp.MustCompile(`href="(/arkiv/export/\d+)" download`)
			var download string
			for deadline := time.Now().Add(60 * time.Second); download == "" && time.Now().Before(deadline); {
				_, page = e.get(reg, "/arkiv/export")
				if m := link.FindStringSubmatch(page); m != nil {
					download = m[1]
				} else if strings.Contains(page, "misslyckades") {
					t.Fatalf("export failed:\n%s", page)
				} else {
					time.Sleep(100 * time.Millisecond)
				}
			}
			if download == "" {
				t.Fatal("the export did not finish")
			}
			if !strings.Contains(page, "3 av 3 handlingar") || !strings.Contains(page, `value="3"`) {
				t.Errorf("finished export's progress not shown in full")
			}
			resp, err := reg.Get(e.srv.URL + download)
			if err != nil {
				t.Fatal(err)
			}
			zipped, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
				t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, f := range zr.File {
				names[f.Name[strings.Index(f.Name, "/")+1:]] = true
			}
			for _, want := range []string{"METS.xml", "metadata/descriptive/ERMS.xml", "metadata/preservation/PREMIS.xml", "schemas/mets.xsd",
				"representations/rep1/data/records/2.json", "representations/rep2/data/del-0001.pdf"} {
				if !names[want] {
					t.Errorf("downloaded package lacks %s", want)
				}
			}
			if n := e.count("SELECT COUNT(*) FROM audit_log WHERE action = 'earchive.export'"); n != 1 {
				t.Errorf("%d audit entries for the export", n)
			}
			if n := e.count("SELECT COUNT(*) FROM audit_log WHERE action = 'earchive.download'"); n != 1 {
				t.Errorf("%d audit entries for the download", n)
			}

			// The editor: no page, no download, no API.
			ed := e.login("redaktor@exempelby.se")
			for _, p := range []string{"/arkiv/export", download} {
				if st, _ := e.get(ed, p); st != http.StatusForbidden && st != http.StatusNotFound {
					t.Errorf("editor GET %s: %d", p, st)
				}
			}
			if st, _ := e.api("GET", "/api/v1/exports", e.token("redaktor@exempelby.se"), ""); st != http.StatusForbidden {
				t.Errorf("editor API list: %d", st)
			}
			if st, _ := e.api("POST", "/api/v1/exports", e.token("redaktor@exempelby.se"), `{"from":"2026-01-01","to":"2026-12-31"}`); st != http.StatusForbidden {
				t.Errorf("editor API start: %d", st)
			}
			// The registrar through the API.
			tok := e.token("registrator@exempelby.se")
			st, out := e.api("POST", "/api/v1/exports", tok, `{"from":"2026-04-01","to":"2026-04-01","seqs":[1,2]}`)
			if st != http.StatusAccepted || out["status"] != "queued" || out["total"] != float64(2) {
				t.Fatalf("API start: %d %v", st, out)
			}
			if st, out := e.api("POST", "/api/v1/exports", tok, `{"from":"2019-01-01","to":"2019-01-31"}`); st != http.StatusUnprocessableEntity {
				t.Errorf("API empty period: %d %v", st, out)
			}
			if st, out := e.api("GET", "/api/v1/exports", tok, ""); st != http.StatusOK || len(out["exports"].([]any)) != 2 {
				t.Errorf("API list: %d %v", st, out)
			}
		})
	}
}
