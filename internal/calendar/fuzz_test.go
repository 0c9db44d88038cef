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

// FuzzParseWindow: an on-duty window typed into the coverage form never
// panics; what parses is the zero window or starts before it ends within
// the day, and prints back to the same window.
func FuzzParseWindow(f *testing.F) {
	for _, p := range [][2]string{{"08:00", "17:00"}, {"00:00", "24:00"}, {"17:00", "08:00"}, {"00:00", "00:00"}, {"", ""}, {"24:00", "24:00"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, start, end string) {
		w, err := ParseWindow(start, end)
		if err != nil {
			return
		}
		if w != NotRequired && (!(w.Start < w.End) || !w.Start.Valid() || !w.End.Valid()) {
			t.Fatalf("%q–%q parsed to %+v", start, end, w)
		}
		again, err := ParseWindow(w.Start.String(), w.End.String())
		if err != nil || again != w {
			t.Fatalf("%q–%q → %+v → %+v %v", start, end, w, again, err)
		}
	})
}
