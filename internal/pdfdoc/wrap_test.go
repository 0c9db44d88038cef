package pdfdoc

import (
	"slices"
	"strings"
	"testing"
)

// TestWrapMatchesGopdf: the cached wrapping breaks lines exactly where
// gopdf's own word wrap does, for words that fit, words longer than a line,
// Swedish letters and several fonts and widths.
func TestWrapMatchesGopdf(t *testing.T) {
	d, err := New("t", "a")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Kommunfullmäktigesammanträdesprotokollsjusteringen", 3)
	texts := []string{
		"När öppnar biblioteket på lördag? Jag undrar också om det går att låna e-böcker och ljudböcker i appen.",
		long,
		"Ord " + long + " och sedan några fler ord som fortsätter raden en bra bit till, så att den bryts flera gånger.",
		"kort",
		"  inledande mellanslag och   flera   mellanslag mellan ord som ska brytas någonstans mitt i texten här  ",
		"ce6294880d7baa0bcf60bb05b2bd0f426d17be38d79af40dea2ed124e77a08da",
		"Åsa Öberg: ÅÄÖ åäö é ü – “citat” … och 1234567890 kronor, 45 % av 12,5 m².",
	}
	for _, f := range []struct {
		bold bool
		size float64
	}{{false, 10}, {true, 13}, {false, 9.5}, {true, 15}} {
		d.font(f.bold, f.size)
		for _, width := range []float64{483, 333, 467, 120, 40} {
			for _, text := range texts {
				want, err := d.pdf.SplitTextWithWordWrap(text, width)
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.wrap(text, width)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("font %v/%v width %v: %q\ngot  %q\nwant %q", f.bold, f.size, width, text, got, want)
				}
			}
		}
	}
}
