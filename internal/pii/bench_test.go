package pii

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkScan scans short comments one at a time, as the inbox does, and
// reports comments per second on one core. The target is 20,000 or more.
func BenchmarkScan(b *testing.B) {
	raw, err := os.ReadFile("testdata/comments.txt")
	if err != nil {
		b.Fatal(err)
	}
	comments := strings.Split(strings.TrimSpace(string(raw)), "\n")
	theLexicon() // loading the lists is a one-off cost, not per comment
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Scan(comments[n%len(comments)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "comments/s")
}

// BenchmarkLoadLexicon measures the one-off cost of parsing the embedded lists.
func BenchmarkLoadLexicon(b *testing.B) {
	for b.Loop() {
		if _, err := loadLexicon(); err != nil {
			b.Fatal(err)
		}
	}
}
