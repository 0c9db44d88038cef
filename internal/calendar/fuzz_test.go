package calendar

import "testing"

// FuzzParse: times and dates typed into rota and filter forms never panic,
// and what parses prints back to what parses the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "7:5", "25:00", "2026-02-29", "2024-02-29", "", "\x00", "99999-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tod, err := ParseTimeOfDay(s); err == nil {
			if !tod.Valid() {
				t.Fatalf("%q parsed to invalid %v", s, tod)
			}
			again, err := ParseTimeOfDay(tod.String())
			if err != nil || again != tod {
				t.Fatalf("%q → %v → %v %v", s, tod, again, err)
			}
		}
		if d, err := ParseDate(s); err == nil {
			again, err := ParseDate(d.String())
			if err != nil || again != d {
				t.Fatalf("%q → %v → %v %v", s, d, again, err)
			}
		}
	})
}
