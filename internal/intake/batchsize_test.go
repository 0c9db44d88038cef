package intake

import (
	"slices"
	"testing"
)

// TestBatchSizeGrowsWhileBehind: batches are sized to the time target
// from what deliveries cost, at least one, double while each batch is
// full, up to busyBatch, and fall back after one that was not.
func TestBatchSizeGrowsWhileBehind(t *testing.T) {
	var p processor
	if n := p.batchSize(); n != 8 {
		t.Fatalf("first batch %d", n)
	}
	p.perDelivery = 3 * batchTarget // one delivery costs more than the target
	if n := p.batchSize(); n != 1 {
		t.Fatalf("costly deliveries: %d", n)
	}
	var sizes []int
	for range 8 {
		p.caughtUp(true)
		sizes = append(sizes, p.batchSize())
	}
	if want := []int{2, 4, 8, 16, 32, 64, 64, 64}; !slices.Equal(sizes, want) {
		t.Fatalf("sizes while behind %v, want %v", sizes, want)
	}
	p.caughtUp(false)
	if n := p.batchSize(); n != 1 {
		t.Fatalf("after catching up: %d", n)
	}
	p.perDelivery = batchTarget / 20
	if n := p.batchSize(); n != 20 {
		t.Fatalf("cheap deliveries: %d", n)
	}
}
