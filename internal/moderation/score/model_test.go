package score

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestModelIsFresh fails when a training input changed after the model was
// trained: the rules file's examples and the tuning splits are training
// data, so editing them needs `go generate ./internal/moderation/score`.
func TestModelIsFresh(t *testing.T) {
	t.Parallel()
	rep, err := os.ReadFile("data/model-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(rep), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "input" {
			continue
		}
		n++
		b, err := os.ReadFile(f[2])
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != f[1] {
			t.Errorf("%s changed since the model was trained: run go generate ./internal/moderation/score", f[2])
		}
	}
	if n < 5 {
		t.Fatalf("the report lists %d inputs", n)
	}
}

// TestModelHeads checks that the embedded model has an output for every
// category, and the offensive and question heads.
func TestModelHeads(t *testing.T) {
	t.Parallel()
	for c, h := range theModel.heads.category {
		if h < 0 {
			t.Errorf("no model head for %s", Category(c))
		}
	}
	if theModel.heads.offensive < 0 || theModel.heads.question < 0 {
		t.Error("no offensive or question head")
	}
}
