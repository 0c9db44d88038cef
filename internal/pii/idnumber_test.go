package pii

import (
	"strings"
	"testing"
)

// pnrRecord is a row of personnummer-list.json.
type pnrRecord struct {
	LongFormat      string `json:"long_format"`
	ShortFormat     string `json:"short_format"`
	SeparatedFormat string `json:"separated_format"`
	SeparatedLong   string `json:"separated_long"`
	Valid           bool   `json:"valid"`
	Type            string `json:"type"`
}

func TestPersonnummerVectors(t *testing.T) {
	t.Parallel()
	var recs []pnrRecord
	loadJSON(t, "testdata/pnr/personnummer-list.json", &recs)
	if len(recs) == 0 {
		t.Fatal("no vectors")
	}
	for _, r := range recs {
		for _, s := range []string{r.LongFormat, r.ShortFormat, r.SeparatedFormat, r.SeparatedLong} {
			t.Run(s, func(t *testing.T) {
				t.Parallel()
				// A space is not a valid separator in the vectors.
				valid := r.Valid && !strings.Contains(s, " ")
				if got, want := ValidPersonnummer(s), valid && r.Type == "ssn"; got != want {
					t.Errorf("ValidPersonnummer(%q) = %v, want %v", s, got, want)
				}
				if got, want := ValidSamordningsnummer(s), valid && r.Type == "con"; got != want {
					t.Errorf("ValidSamordningsnummer(%q) = %v, want %v", s, got, want)
				}
				if ValidOrganisationsnummer(s) {
					t.Errorf("ValidOrganisationsnummer(%q) = true", s)
				}
			})
		}
	}
}

// TestOfficialTestNumbers checks Skatteverket's test personnummer and
// samordningsnummer in every written form, and that Scan finds them.
func TestOfficialTestNumbers(t *testing.T) {
	t.Parallel()
	var pins, coords []string
	loadJSON(t, "testdata/pnr/allPins-every10th.json", &pins)
	loadJSON(t, "testdata/pnr/allCoords.json", &coords)
	if len(pins) < 4000 || len(coords) < 2000 {
		t.Fatalf("loaded %d pins and %d coords", len(pins), len(coords))
	}
	tests := []struct {
		name  string
		nums  []string
		valid func(string) bool
		other func(string) bool
		kind  Kind
	}{
		{"personnummer", pins, ValidPersonnummer, ValidSamordningsnummer, KindPersonnummer},
		{"samordningsnummer", coords, ValidSamordningsnummer, ValidPersonnummer, KindSamordningsnummer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range tc.nums {
				for _, form := range writtenForms(n) {
					if !tc.valid(form) || tc.other(form) {
						t.Fatalf("%s: %q not accepted as %s only", n, form, tc.kind)
					}
					text := "Numret är " + form + ", tack."
					fs := Scan(text)
					if len(fs) != 1 || fs[0].Kind != tc.kind || fs[0].Text != form {
						t.Fatalf("Scan(%q) = %s", text, describe(fs))
					}
				}
				if bad := withWrongCheckDigit(n); tc.valid(bad) {
					t.Fatalf("%q with a wrong check digit is valid", bad)
				}
			}
		})
	}
}

// writtenForms returns a 12-digit number as YYYYMMDDNNNN, YYYYMMDD-NNNN and
// YYMMDD-NNNN (YYMMDD+NNNN for those born before 1925).
func writtenForms(n string) []string {
	sep := "-"
	if n < "1925" {
		sep = "+"
	}
	return []string{n, n[:8] + "-" + n[8:], n[2:8] + sep + n[8:]}
}

func withWrongCheckDigit(n string) string {
	last := n[len(n)-1]
	return n[:len(n)-1] + string('0'+(last-'0'+1)%10)
}

func TestInterimVectors(t *testing.T) {
	t.Parallel()
	var recs []pnrRecord
	loadJSON(t, "testdata/pnr/interim.json", &recs)
	for _, r := range recs {
		for _, s := range []string{r.LongFormat, r.ShortFormat, r.SeparatedFormat, r.SeparatedLong} {
			t.Run(s, func(t *testing.T) {
				t.Parallel()
				if ValidPersonnummer(s) || ValidSamordningsnummer(s) {
					t.Errorf("interim number %q accepted as personnummer", s)
				}
				fs := Scan(s)
				found := len(fs) == 1 && fs[0].Kind == KindInterimsnummer && fs[0].Text == s
				if found != r.Valid {
					t.Errorf("Scan(%q) = %s, valid %v", s, describe(fs), r.Valid)
				}
			})
		}
	}
}

type orgRecord struct {
	Input           string `json:"input"`
	ShortFormat     string `json:"short_format"`
	SeparatedFormat string `json:"separated_format"`
	LongFormat      string `json:"long_format"`
	Valid           bool   `json:"valid"`
	Type            string `json:"type"`
}

func TestOrganisationsnummerVectors(t *testing.T) {
	t.Parallel()
	var apFunds, orgs []orgRecord
	loadJSON(t, "testdata/pnr/orgnumber.json", &apFunds)
	loadJSON(t, "testdata/pnr/organisationsnummer-list.json", &orgs)
	for _, r := range apFunds {
		for _, s := range []string{r.ShortFormat, r.SeparatedFormat} {
			t.Run("ap/"+s, func(t *testing.T) {
				t.Parallel()
				if ValidPersonnummer(s) || ValidSamordningsnummer(s) || !ValidOrganisationsnummer(s) {
					t.Errorf("%q: want an organisation number only", s)
				}
				fs := Scan("Fonden har nummer " + s)
				if len(fs) != 1 || fs[0].Kind != KindOrganisationsnummer || fs[0].Personal() {
					t.Errorf("Scan(%q) = %s", s, describe(fs))
				}
			})
		}
	}
	for _, r := range orgs {
		if r.Type == "Enskild firma" {
			// A sole trader's number is the owner's personnummer: personal data.
			if ValidOrganisationsnummer(r.Input) {
				t.Errorf("personnummer %q accepted as organisation number", r.Input)
			}
			continue
		}
		for _, s := range []string{r.Input, r.LongFormat} {
			t.Run("ab/"+s, func(t *testing.T) {
				t.Parallel()
				want := r.Valid || s == r.LongFormat && ValidOrganisationsnummer(r.ShortFormat)
				if got := ValidOrganisationsnummer(s); got != want {
					t.Errorf("ValidOrganisationsnummer(%q) = %v, want %v", s, got, want)
				}
				if ValidPersonnummer(s) {
					t.Errorf("ValidPersonnummer(%q) = true", s)
				}
			})
		}
	}
}

func TestValidPersonnummerForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"19450112-8278", true},
		{"450112-8278", true},
		{"4501128278", true},
		{"194501128278", true},
		{"20000222-2388", true},
		{"000222-2388", true},
		{"000222+2388", true},    // 29 Feb is not involved, so any century works
		{"450112 8278", false},   // a space is not a separator
		{"450112--8278", false},  // two separators
		{"4501-128278", false},   // separator in the wrong place
		{"45011282780", false},   // 11 digits
		{"164501128278", false},  // no such century
		{"19450132-8278", false}, // 32 January
		{"19451312-8278", false}, // month 13
		{"", false},
		{"abcdefghijkl", false},
		{"19450112-827", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := ValidPersonnummer(tc.in); got != tc.want {
				t.Errorf("ValidPersonnummer(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestLeapDayCentury(t *testing.T) {
	t.Parallel()
	// 29 Feb 2000 exists; 29 Feb 1900 does not. The check digit covers only
	// YYMMDDNNN, so all four strings carry a valid one (an official test number).
	tests := []struct {
		in   string
		want bool
	}{
		{"000229-2399", true},
		{"200002292399", true},
		{"000229+2399", false},
		{"190002292399", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := ValidPersonnummer(tc.in); got != tc.want {
				t.Errorf("ValidPersonnummer(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
