package score

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkClassify classifies realistic comments one at a time, as the
// inbox does, and reports comments per second on one core. The target is
// 20,000 or more.
func BenchmarkClassify(b *testing.B) {
	raw, err := os.ReadFile("testdata/comments.txt")
	if err != nil {
		b.Fatal(err)
	}
	comments := strings.Split(strings.TrimSpace(string(raw)), "\n")
	Classify("uppvärmning") // the rules, lexicons and model load at start-up, not per comment
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Classify(comments[n%len(comments)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "comments/s")
}

// BenchmarkCompileRules measures the one-off cost of compiling the rules.
func BenchmarkCompileRules(b *testing.B) {
	for b.Loop() {
		mustCompileRules()
	}
}
