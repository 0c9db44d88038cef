package replycheck

import (
	"context"
	"os"
	"strings"
	"testing"
)

// BenchmarkCheck checks a reply of some 350 characters against a thread of
// 20 comments, as the reply form does while the editor types, and reports
// checks per second on one core. At typing speed a check every 100 ms is
// plenty; the target is 1,000 checks per second or more.
func BenchmarkCheck(b *testing.B) {
	raw, err := os.ReadFile("testdata/long_reply.txt")
	if err != nil {
		b.Fatal(err)
	}
	var thread []string
	for _, c := range loadCases(b)[:20] {
		thread = append(thread, c.Text)
	}
	in := Input{Text: string(raw), ThreadTexts: thread, ThreadAuthors: []string{"Anna Andersson", "Erik Svensson"},
		Rules: Rules{SignOffs: []string{"/Förnamn"}}, Allow: []string{"0771-17 40 60"}}
	Check(context.Background(), in) // the name lists load once, not per check
	b.ReportAllocs()
	for b.Loop() {
		Check(context.Background(), in)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// BenchmarkCheckLong checks a reply of the API's maximum, 10,000 characters.
func BenchmarkCheckLong(b *testing.B) {
	raw, err := os.ReadFile("testdata/long_reply.txt")
	if err != nil {
		b.Fatal(err)
	}
	text := []rune(strings.Repeat(string(raw), 30))
	in := Input{Text: string(text[:10000]), Rules: Rules{SignOffs: []string{"/Förnamn"}}}
	b.ReportAllocs()
	for b.Loop() {
		Check(context.Background(), in)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}
