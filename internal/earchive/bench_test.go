package earchive_test

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/blob"
	"tilltal/internal/db"
	"tilltal/internal/dbtest"
	"tilltal/internal/earchive"
)

// BenchmarkExport measures export throughput in records per second against
// a baseline measured in the same run on the same records: paging through
// them the same way and writing each one's JSON content to a ZIP, with no
// METS, ERMS, PREMIS, normalised record or rendition. TILLTAL_EXPORT_BENCH
// is the number of records (default 20,000; nothing under -short):
//
//	TILLTAL_EXPORT_BENCH=100000 go test ./internal/earchive -run '^$' -bench Export -benchtime 3x -timeout 60m
//
// TILLTAL_EXPORT_BENCH_DB=sqlite (or postgres) runs one database.
func BenchmarkExport(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a large archive")
	}
	n, _ := strconv.Atoi(os.Getenv("TILLTAL_EXPORT_BENCH"))
	if n <= 0 {
		n = 20000
	}
	for _, dialect := range dbtest.Dialects {
		if only := os.Getenv("TILLTAL_EXPORT_BENCH_DB"); only != "" && only != string(dialect) {
			continue
		}
		d := dbtest.New(b, dialect)
		seedBench(b, d, n)
		blobs, err := blob.NewDir(filepath.Join(b.TempDir(), "blobs"), 0)
		if err != nil {
			b.Fatal(err)
		}
		ex := &earchive.Exporter{DB: d, Blobs: blobs, Organisation: "Exempelby kommun", Version: "bench"}
		sel := earchive.Selection{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		b.Run(string(dialect), func(b *testing.B) {
			var full, base time.Duration
			for b.Loop() {
				dir := b.TempDir()
				start := time.Now()
				if err := baseline(d, sel, filepath.Join(dir, "baseline.zip")); err != nil {
					b.Fatal(err)
				}
				base += time.Since(start)
				start = time.Now()
				res, err := ex.Export(context.Background(), earchive.Options{Selection: sel, Dir: dir, Zip: true})
				if err != nil || res.Records != n {
					b.Fatalf("export: %+v %v", res, err)
				}
				full += time.Since(start)
				os.RemoveAll(dir)
			}
			b.ReportMetric(float64(n)*float64(b.N)/full.Seconds(), "records/s")
			b.ReportMetric(float64(n)*float64(b.N)/base.Seconds(), "baseline_records/s")
			b.ReportMetric(base.Seconds()/full.Seconds(), "ratio")
		})
	}
}

// baseline pages through the records as the export does and writes their
// content to a ZIP, one entry each.
func baseline(d *db.DB, sel earchive.Selection, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	var thread, seq int64 = -1, 0
	for {
		page, err := archive.Page(context.Background(), d, "r.occurred_at >= ? AND r.occurred_at < ? AND (r.thread_id > ? OR (r.thread_id = ? AND r.seq > ?))",
			[]any{sel.From, sel.To, thread, thread, seq}, "r.thread_id, r.seq", 200)
		if err != nil {
			return err
		}
		for _, r := range page {
			w, err := zw.Create(strconv.FormatInt(r.Seq, 10) + ".json")
			if err != nil {
				return err
			}
			if _, err := w.Write(r.Content); err != nil {
				return err
			}
		}
		if len(page) < 200 {
			return zw.Close()
		}
		thread, seq = page[len(page)-1].ThreadID, page[len(page)-1].Seq
	}
}

// seedBench appends n item versions and replies over 2025, in threads of
// twenty, a tenth of them registered and a hundredth secret.
func seedBench(b *testing.B, d *db.DB, n int) {
	b.Helper()
	ctx := context.Background()
	sqlExec(b, d, "INSERT INTO departments (name, code, created_at, updated_at) VALUES ('Kultur och fritid', 'KOF', ?, ?)", t0, t0)
	sqlExec(b, d, "INSERT INTO channels (department_id, platform, external_id, name, status, created_at, updated_at) VALUES (1, 'facebook', 'page-1', 'Exempelby bibliotek', 'active', ?, ?)", t0, t0)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(n)
	for done := 0; done < n; {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := 0; i < 2000 && done < n; i++ {
				at := base.Add(time.Duration(done) * step)
				kind, dir := archive.KindItemVersion, archive.In
				if done%5 == 4 {
					kind, dir = archive.KindReply, archive.Out
				}
				content := fmt.Sprintf(`{"item_id":%d,"version":1,"verb":"create","kind":"comment","text":"Hej! När öppnar biblioteket på lördag, och går det att låna e-böcker? Fråga nummer %d.","author":{"name":"Invånare %d"}}`, done+1, done, done%997)
				r, err := archive.AppendTx(ctx, tx, archive.Record{Kind: kind, ChannelID: 1, DepartmentID: 1, ItemID: int64(done + 1), ItemVersion: 1,
					ThreadID: int64(done/20 + 1), Platform: "facebook", ExternalID: "c" + strconv.Itoa(done), AuthorName: "Invånare " + strconv.Itoa(done%997),
					Direction: dir, OccurredAt: at, CapturedAt: at, ContentType: archive.ContentJSON, Content: []byte(content)})
				if err != nil {
					return err
				}
				if done%10 == 0 {
					secret := done%100 == 0
					if _, err := tx.Exec(ctx, "UPDATE archive_records SET diary_number = ?, secret = ?, secrecy_ground = ? WHERE seq = ?",
						fmt.Sprintf("KS 2025/%04d", done/10+1), secret, map[bool]string{true: "OSL 26 kap. 1 §"}[secret], r.Seq); err != nil {
						return err
					}
				}
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
