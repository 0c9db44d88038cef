package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/demo"
	"tilltal/internal/incident"
	"tilltal/internal/moderation/score"
	"tilltal/internal/platform"
	"tilltal/internal/platform/sim"
	"tilltal/internal/server"
)

// threatSeed finds a seed for which the simulated Facebook page of account
// has a threatening comment in the backlog of its first poll: the sim's
// traffic is a function of its seed, so the test is deterministic.
func threatSeed(t *testing.T, account string) uint64 {
	t.Helper()
	for seed := uint64(1); seed < 500; seed++ {
		c := sim.New(sim.Config{Platform: platform.Facebook, Seed: seed})
		evs, _, err := c.Poll(context.Background(), platform.Credentials{AccountID: account}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Object.Kind == platform.KindComment && score.Classify(ev.Object.Text).Flagged(score.Threat) {
				return seed
			}
		}
	}
	t.Fatal("no seed gives a threat")
	return 0
}

// startIncidentSim runs Tilltal on the simulated Facebook with a channel of
// Kultur- och fritidsförvaltningen that the editor works and Oskar
// Kontoansvarig owns; its owner sets the channel's rules before the first
// poll. The returned sim is the platform itself, to look at.
func startIncidentSim(t *testing.T, dialect db.Dialect, setRules func(e *e2e, channelID int64)) (*e2e, int64, *sim.Connector) {
	t.Helper()
	const account = "sim-kff-hot"
	platformSim := sim.New(sim.Config{Platform: platform.Facebook, Seed: threatSeed(t, account)})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := startE2EWith(t, dialect, nil, e2eOptions{Options: server.Options{Connectors: map[platform.Name]platform.Connector{platform.Facebook: platformSim},
		PollEvery: time.Hour, FetchPollInterval: 50 * time.Millisecond}})
	now := time.Now().UTC()
	var ch int64
	err := e.app.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		ch, err = tx.InsertID(ctx, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (?, 'facebook', ?, 'Kultur i Exempelby', 'active', ?, ?)",
			e.department("KFF").ID, account, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.addMember("redaktor@exempelby.se", ch, "editor")
	e.addMember("kontoansvarig@exempelby.se", ch, "owner")
	setRules(e, ch)
	if _, err := demo.Connect(ctx, e.app.DB, e.app.Credentials); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = e.app.Queue.Stop(sctx)
	})
	return e, ch, platformSim
}

// ownerSetsCaseRule: the channel's owner, on the rules page, has threats
// hidden and a case opened automatically; every other category is left
// as it was.
func ownerSetsCaseRule(e *e2e, ch int64) {
	e.t.Helper()
	owner := e.login("kontoansvarig@exempelby.se")
	path := fmt.Sprintf("/admin/kanaler/%d/regler", ch)
	form := url.Values{"csrf": {e.csrf(owner, path)}, "target": {"60"}}
	for _, r := range incident.DefaultRules() {
		k := r.Category.String()
		form.Set("action_"+k, string(r.Action))
		form.Set("score_"+k, fmt.Sprintf("%.2f", r.MinScore))
	}
	form.Set("action_threat", "hide")
	form.Set("case_threat", "on")
	if st, body, _ := e.post(owner, path, form); st != http.StatusSeeOther {
		e.t.Fatalf("rules: %d %s", st, body)
	}
	if st, _, _ := e.post(e.login("redaktor@exempelby.se"), path, form); st != http.StatusForbidden {
		e.t.Fatalf("an editor set the rules: %d", st)
	}
}

// TestThreatFromArrivalToPoliceBundle runs the whole path on the simulated
// platform: a threatening comment arrives, is flagged, the owner's rule
// opens a case in the ingest transaction, the comment is hidden on the
// platform, preserved and sealed, registered with a secret diary number,
// and bundled for the police; the bundle's manifest verifies, recomputed
// from the ZIP. Nobody without the role reaches the vault by UI or API,
// and every look into it is in the audit log.
func TestThreatFromArrivalToPoliceBundle(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e, ch, platformSim := startIncidentSim(t, dialect, ownerSetsCaseRule)
			ctx := context.Background()
			var i incident.Incident
			waitFor(t, "a case hidden on the platform and preserved", func() bool {
				list, err := e.app.Incidents.List(ctx, incident.Viewer{Legal: true}, incident.Filter{ChannelID: ch})
				if err != nil || len(list) == 0 {
					return false
				}
				i = list[len(list)-1]
				return i.RemovedAt != nil && i.PreservedAt != nil
			})
			it, err := e.app.Inbox.Get(ctx, i.ItemID)
			if err != nil {
				t.Fatal(err)
			}
			threat := it.Body
			if !strings.Contains(" "+it.Flags+" ", " threat ") || !it.Hidden || !i.OpenedByRule || i.Category != score.Threat || i.Removal != incident.RemovalHidden {
				t.Fatalf("item %+v\ncase %+v", it, i)
			}
			onPlatform, err := platformSim.Fetch(ctx, platform.Credentials{AccountID: "sim-kff-hot"}, it.ExternalID)
			if err != nil || !onPlatform.Hidden {
				t.Fatalf("not hidden on the platform: %+v %v", onPlatform, err)
			}
			if took, _ := i.TimeToRemoval(); took > time.Minute || i.RemovalLate(time.Now()) {
				t.Fatalf("removal took %s", took)
			}
			entry, err := e.app.Diary.ForObject(ctx, "incident", audit.ID(i.ID))
			if err != nil || entry.Number != i.DiaryNumber || !entry.Secret || entry.SecrecyGround == "" {
				t.Fatalf("diary %+v %v", entry, err)
			}
			if err := e.app.Incidents.Verify(ctx, i.ID); err != nil {
				t.Fatal(err)
			}

			legal := e.login("jurist@exempelby.se")
			path := fmt.Sprintf("/arenden/%d", i.ID)
			st, page := e.get(legal, path)
			if st != http.StatusOK || !strings.Contains(page, i.DiaryNumber) || !strings.Contains(page, "Sigillet och alla kontrollsummor stämmer") {
				t.Fatalf("case page for legal: %d\n%s", st, page)
			}
			resp, zipped := e.fetch(legal, path+"/polisanmalan.zip", nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
				t.Fatalf("bundle: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			files := checkBundle(t, []byte(zipped))
			if string(files["bevis/text.txt"]) != threat || !bytes.HasPrefix(files["sammanfattning.pdf"], []byte("%PDF-")) {
				t.Fatal("the bundle does not hold the text and the summary")
			}
			tok := e.token("jurist@exempelby.se")
			apiBundle := e.apiBytes("GET", fmt.Sprintf("/api/v1/incidents/%d/bundle", i.ID), tok)
			checkBundle(t, apiBundle)
			if st, out := e.api("GET", fmt.Sprintf("/api/v1/incidents/%d/evidence", i.ID), tok, ""); st != http.StatusOK || out["verified"] != true {
				t.Fatalf("evidence API: %d %v", st, out)
			}
			// The owner records the police's number.
			owner := e.login("kontoansvarig@exempelby.se")
			if st, _, _ := e.post(owner, path+"/polisanmalan", url.Values{"number": {"5000-K123456-26"}, "csrf": {e.csrf(owner, path)}}); st != http.StatusSeeOther {
				t.Fatalf("K-nummer: %d", st)
			}
			looks := 5 // legal's page, the UI bundle, the API bundle, the API manifest, the owner's page
			if n := vaultLooks(t, e, i.ID); n != looks {
				t.Fatalf("%d looks into the vault logged, want %d", n, looks)
			}

			// Nobody else reaches the case or the vault, by UI or API, and
			// the answer carries nothing of it.
			leaks := []string{threat, i.DiaryNumber, i.SealSHA256}
			for _, who := range []string{"redaktor@exempelby.se", "kommunikator@exempelby.se", "skola@exempelby.se", "registrator@exempelby.se"} {
				c := e.login(who)
				tok := e.token(who)
				for _, p := range []string{path, path + "/bevis/1", path + "/polisanmalan.zip"} {
					resp, body := e.fetch(c, p, nil)
					if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
						t.Errorf("%s got %d for %s", who, resp.StatusCode, p)
					}
					assertNoLeak(t, who+" "+p, body, leaks)
				}
				for _, p := range []string{"", "/evidence", "/evidence/1", "/bundle"} {
					body := e.apiBytes("GET", fmt.Sprintf("/api/v1/incidents/%d%s", i.ID, p), tok)
					assertNoLeak(t, who+" API "+p, string(body), leaks)
				}
				if st, _ := e.api("GET", fmt.Sprintf("/api/v1/incidents/%d/evidence", i.ID), tok, ""); st != http.StatusForbidden && st != http.StatusNotFound {
					t.Errorf("%s reached the evidence API: %d", who, st)
				}
			}
			if n := vaultLooks(t, e, i.ID); n != looks {
				t.Fatalf("refused attempts counted as looks: %d", n)
			}
			// The owner of another channel passes the route's role check
			// but not the case's: the refused look is logged.
			if n := len(auditOf(t, e, "incident.denied", i.ID)); n == 0 {
				t.Fatal("refused looks are not logged")
			}
			// The editor sees that the item is under a case, nothing more.
			_, itemPage := e.get(e.login("redaktor@exempelby.se"), fmt.Sprintf("/inkorg/%d", it.ID))
			if !strings.Contains(itemPage, "hanteras i ett ärende om misstänkt brott") || strings.Contains(itemPage, "/arenden/") {
				t.Fatal("the editor's item page does not show the notice, or links to the case")
			}
			_, itemPage = e.get(legal, fmt.Sprintf("/inkorg/%d", it.ID))
			if !strings.Contains(itemPage, path) {
				t.Fatal("legal's item page does not link to the case")
			}
			// The moderation report counts it.
			if st, rep := e.get(legal, "/arenden/rapport"); st != http.StatusOK || !strings.Contains(rep, "olaga hot") {
				t.Fatalf("report: %d", st)
			}
		})
	}
}

// checkBundle verifies a bundle the way a recipient would: every SHA-256
// in SHA256SUMS recomputed from the ZIP's files, every file listed; then
// by the package's own check, which adds the seal and the manifest.
func checkBundle(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	listed := 0
	for _, line := range strings.Split(strings.TrimSpace(string(files["SHA256SUMS"])), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		h := sha256.Sum256(files[name])
		if _, ok := files[name]; !ok || hex.EncodeToString(h[:]) != sum {
			t.Fatalf("%s does not match SHA256SUMS", name)
		}
		listed++
	}
	if listed != len(files)-1 || listed < 5 {
		t.Fatalf("%d of %d files listed", listed, len(files)-1)
	}
	if err := incident.VerifyBundle(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	return files
}

func assertNoLeak(t *testing.T, where, body string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("%s: the answer holds %q", where, s)
		}
	}
}

// apiBytes calls the API and returns the raw body.
func (e *e2e) apiBytes(method, path, token string) []byte {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func auditOf(t *testing.T, e *e2e, action string, id int64) []audit.Entry {
	t.Helper()
	list, err := audit.List(context.Background(), e.app.DB, audit.Filter{Action: action, ObjectType: "incident", ObjectID: audit.ID(id), Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func vaultLooks(t *testing.T, e *e2e, id int64) int { return len(auditOf(t, e, "incident.vault", id)) }
