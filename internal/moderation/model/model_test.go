package model

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"tilltal/internal/moderation/token"
)

func feats(s string) []uint32 { return Features(token.Split(s), nil) }

func TestFeatures(t *testing.T) {
	t.Parallel()
	a, b := feats("Jag ska döda dig"), feats("jag  SKA döda dig")
	if !slices.Equal(a, b) {
		t.Error("case and spacing change the features")
	}
	if len(a) < 20 {
		t.Errorf("%d features for four words", len(a))
	}
	for _, f := range a {
		if f >= Buckets {
			t.Fatalf("bucket %d out of range", f)
		}
	}
	if slices.Equal(feats("hur"), feats("hur?")) {
		t.Error("a question mark is not a feature")
	}
	// A very long word gives a bounded number of n-grams.
	if n := len(feats(string(bytes.Repeat([]byte("a"), 10000)))); n > 3*maxWord+10 {
		t.Errorf("%d features for one long word", n)
	}
	if len(feats("")) != 0 {
		t.Error("features of nothing")
	}
}

// TestTrainPredictRoundTrip trains a tiny model, checks that it learnt,
// and that writing and reading it keeps its answers.
func TestTrainPredictRoundTrip(t *testing.T) {
	t.Parallel()
	texts := []struct {
		s string
		y int8
	}{
		{"jag ska döda dig", 1}, {"jag ska skjuta dig", 1}, {"vi ska döda er", 1}, {"jag dödar dig", 1},
		{"tack för hjälpen", 0}, {"när öppnar badhuset", 0}, {"fint väder idag", 0}, {"bra jobbat med parken", 0},
	}
	var ex []Example
	for _, x := range texts {
		ex = append(ex, Example{Feats: feats(x.s), Target: []int8{x.y, -1}, Weight: 1})
	}
	m, err := Train([]string{"threat", "other"}, ex, Options{Epochs: 30, Rate: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 2)
	m.Predict(feats("jag ska döda honom"), out)
	threat := out[0]
	m.Predict(feats("tack för fint väder"), out)
	if threat < 0.6 || out[0] > 0.4 {
		t.Fatalf("p(threat) = %.2f for a threat, %.2f for thanks", threat, out[0])
	}
	if out[1] != 0.5 {
		t.Errorf("an untrained head says %.2f, want 0.5", out[1])
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m2.Heads, m.Heads) || m2.Head("other") != 1 || m2.Head("nej") != -1 {
		t.Fatalf("heads %v", m2.Heads)
	}
	out2 := make([]float64, 2)
	m2.Predict(feats("jag ska döda honom"), out2)
	if math.Abs(out2[0]-threat) > 0.02 {
		t.Errorf("after a round trip p = %.3f, before %.3f", out2[0], threat)
	}
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	if _, err := Read(bytes.NewReader([]byte("not gzip"))); err == nil {
		t.Error("read garbage")
	}
	m, _ := New([]string{"a"})
	var buf bytes.Buffer
	m.WriteTo(&buf)
	short := buf.Bytes()[:buf.Len()/2]
	if _, err := Read(bytes.NewReader(short)); err == nil {
		t.Error("read a truncated file")
	}
	if _, err := New(nil); err == nil {
		t.Error("a model without heads")
	}
}
