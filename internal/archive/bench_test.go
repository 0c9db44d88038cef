package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/dbtest"
)

// BenchmarkArchive measures Verify and Search on a seeded archive. It is
// skipped unless TILLTAL_ARCHIVE_BENCH gives the number of records, e.g.
//
//	TILLTAL_ARCHIVE_BENCH=1000000 go test -run '^$' -bench Archive -benchtime 3x ./internal/archive
//
// Seeding a million records takes a few minutes per database; it happens
// once, and the sub-benchmarks share it.
func BenchmarkArchive(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("TILLTAL_ARCHIVE_BENCH"))
	if n <= 0 {
		b.Skip("set TILLTAL_ARCHIVE_BENCH to the number of records to seed")
	}
	for _, dialect := range dbtest.Dialects {
		if only := os.Getenv("TILLTAL_ARCHIVE_BENCH_DB"); only != "" && only != string(dialect) {
			continue
		}
		d := dbtest.New(b, dialect)
		start := time.Now()
		seed(b, d, n)
		b.Logf("%s: seeded %d records in %s", dialect, n, time.Since(start).Round(time.Second))
		b.Run(string(dialect)+"/verify", func(b *testing.B) {
			for b.Loop() {
				rep, err := Verify(context.Background(), d)
				if err != nil || !rep.OK() || rep.Records != int64(n) {
					b.Fatalf("verify: %+v %v", rep, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run(string(dialect)+"/search", func(b *testing.B) { benchSearch(b, d) })
	}
}

// benchWords are what the seeded texts are made of: the test comments and
// a long tail of rarer words, so that terms range from very common to rare.
func benchWords(tb testing.TB) (common []string, rare []string) {
	for _, c := range comments(tb) {
		common = append(common, strings.Fields(strings.Trim(c, "!?."))...)
	}
	for i := range 5000 {
		rare = append(rare, fmt.Sprintf("ord%dtal", i))
	}
	return common, rare
}

// seed appends n records in large transactions: mostly item versions,
// with replies, attachments and raw deliveries among them, over two years,
// 20 channels, 8 departments and 20 000 authors.
func seed(tb testing.TB, d *db.DB, n int) {
	tb.Helper()
	common, rare := benchWords(tb)
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	kinds := []Kind{KindItemVersion, KindItemVersion, KindItemVersion, KindItemVersion, KindItemVersion, KindItemVersion, KindReply, KindAttachment, KindRawDelivery}
	const perTx = 5000
	for done := 0; done < n; {
		batch := make([]Record, 0, perTx)
		for i := 0; i < perTx && done+i < n; i++ {
			k := done + i
			words := make([]string, 8+r.IntN(20))
			for j := range words {
				if r.IntN(4) == 0 {
					words[j] = rare[int(r.ExpFloat64()*500)%len(rare)]
				} else {
					words[j] = common[r.IntN(len(common))]
				}
			}
			text := strings.Join(words, " ")
			author := r.IntN(20000)
			kind := kinds[r.IntN(len(kinds))]
			content, _ := json.Marshal(map[string]any{"item_id": k, "version": 1, "verb": "create", "kind": "comment", "text": text,
				"author": map[string]any{"id": strconv.Itoa(author), "name": fmt.Sprintf("Person %d", author)}})
			at := base.Add(time.Duration(k) * (2 * 365 * 24 * time.Hour / time.Duration(n)))
			rec := Record{Kind: kind, ChannelID: 1 + int64(r.IntN(20)), DepartmentID: 1 + int64(r.IntN(8)), ItemID: int64(k), ItemVersion: 1,
				ThreadID: int64(k / 10), Platform: []string{"facebook", "instagram", "linkedin", "youtube"}[r.IntN(4)], ExternalID: "obj_" + strconv.Itoa(k),
				AuthorID: strconv.Itoa(author), AuthorName: fmt.Sprintf("Person %d", author), Direction: In,
				OccurredAt: at, CapturedAt: at.Add(2 * time.Second), Content: content, IndexText: text}
			if kind == KindReply {
				rec.Direction = Out
			}
			batch = append(batch, rec)
		}
		err := d.InTx(context.Background(), func(tx *db.Tx) error {
			_, err := appendAll(context.Background(), tx, batch)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += len(batch)
	}
	if d.Dialect == db.Postgres {
		if _, err := d.Exec(context.Background(), "ANALYZE archive_records"); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchSearch runs a mix of searches and reports their 95th percentile.
func benchSearch(b *testing.B, d *db.DB) {
	_, rare := benchWords(b)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	filters := []Filter{
		{Query: "öppettider"},
		{Query: "lekparken gungan"},
		{Query: "snöat"},
		{Query: rare[3]},
		{Query: rare[4000]},
		{Query: "bygglov", ChannelID: 7},
		{ChannelID: 3},
		{DepartmentID: 2, Kind: KindReply},
		{Author: "Person 1234"},
		{Platform: "linkedin", Since: base.AddDate(1, 0, 0), Until: base.AddDate(1, 1, 0)},
		{Query: "simhallen", Since: base.AddDate(0, 3, 0), Until: base.AddDate(0, 4, 0)},
		{Kind: KindRawDelivery},
		{DiaryNumber: "KS 2026/0042"},
		{Query: "förskolan", Author: "Person 77"},
	}
	var took []time.Duration
	worst := make([]time.Duration, len(filters))
	for b.Loop() {
		for i, f := range filters {
			f.Limit = 50
			start := time.Now()
			if _, err := Search(context.Background(), d, f); err != nil {
				b.Fatalf("%+v: %v", f, err)
			}
			el := time.Since(start)
			took = append(took, el)
			worst[i] = max(worst[i], el)
		}
	}
	for i, f := range filters {
		fmt.Fprintf(os.Stderr, "%s %6.1f ms  %s\n", d.Dialect, float64(worst[i].Microseconds())/1000, describe(f))
	}
	slices.Sort(took)
	p95 := took[len(took)*95/100]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
}

// describe writes the filter's set fields.
func describe(f Filter) string {
	var parts []string
	add := func(k, v string) {
		if v != "" && v != "0" {
			parts = append(parts, k+"="+v)
		}
	}
	add("q", f.Query)
	add("channel", strconv.FormatInt(f.ChannelID, 10))
	add("department", strconv.FormatInt(f.DepartmentID, 10))
	add("platform", f.Platform)
	add("author", f.Author)
	add("kind", string(f.Kind))
	add("diary", f.DiaryNumber)
	if !f.Since.IsZero() {
		add("period", f.Since.Format("2006-01-02")+"–"+f.Until.Format("2006-01-02"))
	}
	return strings.Join(parts, " ")
}
