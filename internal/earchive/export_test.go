package earchive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/earchive"
	"tilltal/internal/inbox"
	"tilltal/internal/platform"
)

func readPkg(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// packageContains reports whether any file of the package holds needle.
func packageContains(t *testing.T, root string, needle []byte) []string {
	t.Helper()
	var hits []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, needle) {
			hits = append(hits, p)
		}
		return err
	})
	return hits
}

func TestExportedPackageValidatesAndListsEveryFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		out := t.TempDir()
		var progress []int
		res, err := f.ex.Export(context.Background(), earchive.Options{Selection: year2026, Dir: out,
			Progress: func(done, total int) error { progress = append(progress, done, total); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(res.Path) != out || filepath.Base(res.Path) != res.PackageID || !strings.HasPrefix(res.PackageID, "uuid-") {
			t.Fatalf("result %+v", res)
		}
		if n := len(progress); n == 0 || progress[n-2] != res.Records || progress[n-1] != res.Records {
			t.Errorf("progress %v, records %d", progress, res.Records)
		}
		validatePackage(t, res.Path)

		// The platform's delivery exactly as received, and our record.
		raw := readPkg(t, res.Path, "representations/rep1/data/platform/1.json")
		if raw != rawBody {
			t.Errorf("raw delivery changed on the way:\n%s\n%s", raw, rawBody)
		}
		first := readPkg(t, res.Path, "representations/rep1/data/records/"+strconv.FormatInt(f.first, 10)+".json")
		if !strings.Contains(first, `"platform_file": "representations/rep1/data/platform/1.json"`) || !strings.Contains(first, "När öppnar biblioteket?") {
			t.Errorf("normalised record:\n%s", first)
		}
		// The attachment's bytes, the snapshot's HTML, the rendition.
		if got := readPkg(t, res.Path, "representations/rep1/data/attachments/"+strconv.FormatInt(f.picture, 10)+".png"); got != pictureBin {
			t.Errorf("attachment content %q", got)
		}
		if got := readPkg(t, res.Path, "representations/rep1/data/records/"+strconv.FormatInt(f.snapshot, 10)+".html"); got != snapshotHTML {
			t.Errorf("snapshot content %q", got)
		}
		snap := strconv.FormatInt(f.snapshotJSON, 10)
		if got := readPkg(t, res.Path, "representations/rep1/data/attachments/"+snap+"-1.pdf"); got != snapshotPDF {
			t.Errorf("snapshot PDF %q", got)
		}
		if got := readPkg(t, res.Path, "representations/rep1/data/attachments/"+snap+"-2.html"); got != snapshotHTML {
			t.Errorf("snapshot HTML %q", got)
		}
		html := readPkg(t, res.Path, "representations/rep2/data/del-0001.html")
		if !strings.Contains(html, "Vi öppnar klockan tio på lördag.") || !strings.Contains(html, diaryNumber) {
			t.Errorf("rendition lacks the reply or the diary number")
		}
		if pdf := readPkg(t, res.Path, "representations/rep2/data/del-0001.pdf"); !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("rendition PDF starts %q", pdf[:8])
		}

		// Quarantined media is nowhere in the package.
		if hits := packageContains(t, res.Path, []byte(quarantineBin)); len(hits) > 0 {
			t.Errorf("quarantined media in %v", hits)
		}
		if _, err := os.Stat(filepath.Join(res.Path, "representations/rep1/data/records", strconv.FormatInt(f.quarantined, 10)+".json")); err == nil {
			t.Error("the quarantined attachment's record was exported")
		}

		// ERMS: the diary number, directions, the secret sender masked with
		// the legal ground.
		erms := readPkg(t, res.Path, "metadata/descriptive/ERMS.xml")
		for _, want := range []string{"<objectId>" + diaryNumber + "</objectId>", "<objectId>" + hiddenDiary + "</objectId>", "<regulation>OSL 18 kap. 1 §</regulation>", `directionDefinition="incoming"`, `directionDefinition="outgoing"`,
			"<regulation>" + secretGround + "</regulation>", "<name>Åsa Öberg</name>"} {
			if !strings.Contains(erms, want) {
				t.Errorf("ERMS lacks %q", want)
			}
		}
		if !regexp.MustCompile(`<agent agentType="sender">\s*<name>\[sekretess\]</name>`).MatchString(erms) {
			t.Errorf("ERMS does not mask the secret record's sender:\n%s", erms)
		}
		if strings.Contains(erms, secretAuthor) || strings.Contains(erms, "far illa") {
			t.Error("ERMS names the secret record's sender or content")
		}
		// PREMIS: the capture, the edit, the hide, the classification and
		// the registration.
		premis := readPkg(t, res.Path, "metadata/preservation/PREMIS.xml")
		for _, want := range []string{"<eventType>capture</eventType>", "<eventType>modification</eventType>", "Dold på plattformen",
			"Redigerad på plattformen", "Registreringsklass Sekretess", "Registrerad i diariet som " + diaryNumber, "<eventType>information package creation</eventType>"} {
			if !strings.Contains(premis, want) {
				t.Errorf("PREMIS lacks %q", want)
			}
		}
	})
}

// TestCulledRawDeliveryIsLeftOutAndNoted: a platform delivery culled under
// retention is not in the package, so the item versions it carried do not
// name it; PREMIS says it was culled, once; the package is consistent.
func TestCulledRawDeliveryIsLeftOutAndNoted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var raw int64
		if err := d.QueryRow(context.Background(), "SELECT seq FROM archive_records WHERE kind = 'raw_delivery'").Scan(&raw); err != nil {
			t.Fatal(err)
		}
		// A second comment from the same delivery: the note is written once.
		f.tx(t, func(tx *db.Tx) error {
			ctx := archive.WithSource(context.Background(), archive.Source{DeliverySeq: raw})
			return err2(inbox.Ingest(ctx, tx, 1, comment("c4", "Per Persson", "Och på söndag?", platform.VerbCreate, t0.Add(11*time.Minute)), t0.Add(11*time.Minute)))
		})
		var second int64
		if err := d.QueryRow(context.Background(), "SELECT seq FROM archive_records WHERE kind = 'item_version' AND ref_seq = ? AND seq <> ?", raw, f.first).Scan(&second); err != nil {
			t.Fatal(err)
		}
		// What culling leaves of the record (archive.Store.Cull).
		culledAt := t0.Add(24 * time.Hour)
		sqlExec(t, d, "UPDATE archive_records SET content = NULL, search_text = '', culled_at = ?, culled_by = ? WHERE seq = ?", culledAt, f.snapshotJSON, raw)
		res, err := f.ex.Export(context.Background(), earchive.Options{Selection: year2026, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		validatePackage(t, res.Path)
		first := readPkg(t, res.Path, "representations/rep1/data/records/"+strconv.FormatInt(f.first, 10)+".json")
		if strings.Contains(first, "platform_file") || !strings.Contains(first, "När öppnar biblioteket?") {
			t.Errorf("record of a culled delivery:\n%s", first)
		}
		if other := readPkg(t, res.Path, "representations/rep1/data/records/"+strconv.FormatInt(second, 10)+".json"); strings.Contains(other, "platform_file") {
			t.Errorf("second record of a culled delivery:\n%s", other)
		}
		if _, err := os.Stat(filepath.Join(res.Path, "representations/rep1/data/platform")); !os.IsNotExist(err) {
			t.Errorf("the culled delivery's folder is in the package: %v", err)
		}
		premis := readPkg(t, res.Path, "metadata/preservation/PREMIS.xml")
		note := regexp.MustCompile(`<eventType>deletion</eventType>\s*<eventDateTime>2026-03-03T10:00:00Z</eventDateTime>\s*<eventDetailInformation>\s*<eventDetail>Leveransen från plattformen är gallrad[^<]*</eventDetail>[\s\S]*?<linkingObjectIdentifierValue>` +
			strconv.FormatInt(raw, 10) + `</linkingObjectIdentifierValue>`)
		if n := len(note.FindAllString(premis, -1)); n != 1 {
			t.Errorf("PREMIS notes the culled delivery %d times, want once:\n%s", n, premis)
		}
		if strings.Contains(premis, "mottagen som den kom") {
			t.Error("PREMIS records the capture of a culled delivery")
		}
	})
}

func TestZipPackageValidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		out := t.TempDir()
		res, err := f.ex.Export(context.Background(), earchive.Options{Selection: earchive.Selection{From: year2026.From, To: year2026.To, ChannelID: 1}, Dir: out, Zip: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Path != filepath.Join(out, res.PackageID+".zip") {
			t.Fatalf("path %s", res.Path)
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != 1 {
			t.Errorf("output folder holds %d entries, want the zip alone", len(entries))
		}
		validatePackage(t, unzip(t, res.Path))
	})
}

func TestSelectionOfRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res, err := f.ex.Export(context.Background(), earchive.Options{Selection: earchive.Selection{Seqs: []int64{f.reply, f.quarantined}}, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 1 {
			t.Errorf("exported %d records, want the reply alone (the quarantined attachment is left out)", res.Records)
		}
		validatePackage(t, res.Path)
		recs, _ := os.ReadDir(filepath.Join(res.Path, "representations/rep1/data/records"))
		if len(recs) != 1 || recs[0].Name() != strconv.FormatInt(f.reply, 10)+".json" {
			t.Errorf("records %v", recs)
		}
	})
}

func TestEmptyPeriodIsRefusedAndWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		out := filepath.Join(t.TempDir(), "ut")
		for _, zip := range []bool{false, true} {
			_, err := f.ex.Export(context.Background(), earchive.Options{Selection: earchive.Selection{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, Dir: out, Zip: zip})
			if !errors.Is(err, earchive.ErrEmpty) || apperr.KindOf(err) != apperr.Invalid || !strings.Contains(apperr.Message(err), "inga handlingar") {
				t.Fatalf("empty period: %v", err)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("an empty export created its folder: %v", err)
		}
		if _, err := f.ex.Export(context.Background(), earchive.Options{Dir: out}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("no selection: %v", err)
		}
	})
}

// failingBlobs loses every attachment: the export fails half way.
type failingBlobs struct{ blob.Store }

func (failingBlobs) Open(context.Context, string) (io.ReadCloser, error) {
	return nil, errors.New("disk gone")
}

func TestFailedExportLeavesNothingThatLooksComplete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.ex.Blobs = failingBlobs{f.blobs}
		for _, zip := range []bool{false, true} {
			out := t.TempDir()
			_, err := f.ex.Export(context.Background(), earchive.Options{Selection: year2026, Dir: out, Zip: zip})
			if err == nil || !strings.Contains(err.Error(), "disk gone") {
				t.Fatalf("zip=%v: %v", zip, err)
			}
			entries, _ := os.ReadDir(out)
			for _, e := range entries {
				t.Errorf("zip=%v: failed export left %s", zip, e.Name())
			}
		}
		// Progress can stop an export too (a cancelled job).
		out := t.TempDir()
		_, err := f.ex.Export(context.Background(), earchive.Options{Selection: year2026, Dir: out,
			Progress: func(done, _ int) error {
				if done == 3 {
					return errors.New("stopped")
				}
				return nil
			}})
		if err == nil {
			t.Fatal("stopped export succeeded")
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("stopped export left %v", entries)
		}
	})
}
