package swedish

import (
	"slices"
	"testing"
)

func TestStemsMeet(t *testing.T) {
	t.Parallel()
	groups := [][]string{
		{"skola", "skolan", "skolor", "skolorna"},
		{"bygglov", "bygglovet", "bygglovs"},
		{"snöröjning", "snöröjningen"},
		{"förskola", "förskolan", "förskolor"},
		{"förskoleplats", "förskoleplatsen", "förskoleplatser"},
		{"beslut", "beslutet", "besluten"},
	}
	for _, g := range groups {
		want := Stem(g[0])
		for _, w := range g[1:] {
			if got := Stem(w); got != want {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q", w, got, g[0], want)
			}
		}
	}
	if Stem("skola") == Stem("bibliotek") {
		t.Fatal("unrelated words share a stem")
	}
}

func TestTerms(t *testing.T) {
	t.Parallel()
	got := Terms("När öppnar Skolan igen? Skolan har varit stängd, och <b>bygglovet</b> dröjer!")
	for _, w := range []string{Stem("skolan"), Stem("öppnar"), Stem("bygglovet"), Stem("stängd")} {
		if !slices.Contains(got, w) {
			t.Errorf("terms %v lack %q", got, w)
		}
	}
	for _, w := range []string{"och", "när", "har", "b"} {
		if slices.Contains(got, w) {
			t.Errorf("terms %v contain %q", got, w)
		}
	}
	if n := len(Terms("skolan skolan skolor")); n != 1 {
		t.Errorf("duplicates kept: %d", n)
	}
}

func FuzzTerms(f *testing.F) {
	f.Add("Hej! Var ligger simhallen?")
	f.Add("\u202e\u200bskola\x00")
	f.Fuzz(func(t *testing.T, s string) {
		for _, term := range Terms(s) {
			if term == "" || len(term) > maxWordLen*4 {
				t.Fatalf("bad term %q", term)
			}
		}
	})
}

func BenchmarkTerms(b *testing.B) {
	text := "Hej! Jag undrar när förskolan på Björkvägen öppnar igen efter sommaren, och om det finns plats för två barn?"
	for b.Loop() {
		Terms(text)
	}
}
