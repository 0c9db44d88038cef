package db

import (
	"slices"
	"testing"
)

func TestChunksCoverRowsWithFewSizes(t *testing.T) {
	sizes := map[int]bool{}
	for n := range 1000 {
		parts := Chunks(n, 64)
		sum := 0
		for i, p := range parts {
			sum += p
			sizes[p] = true
			if i > 0 && p > parts[i-1] {
				t.Fatalf("%d rows: sizes grow: %v", n, parts)
			}
		}
		if sum != n {
			t.Fatalf("%d rows: chunks %v sum to %d", n, parts, sum)
		}
	}
	if len(sizes) != 7 { // 64, 32, 16, 8, 4, 2, 1
		t.Fatalf("sizes used: %v", sizes)
	}
}

func TestInListPadsWithTheLastValue(t *testing.T) {
	in, args := InList([]any{1, 2, 3})
	if in != "?, ?, ?, ?" || !slices.Equal(args, []any{1, 2, 3, 3}) {
		t.Fatalf("%q %v", in, args)
	}
	if in, args := InList([]any{7}); in != "?" || len(args) != 1 {
		t.Fatalf("%q %v", in, args)
	}
}
