package calendar

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readTable returns the fields of each non-comment line of a testdata file.
func readTable(t *testing.T, name, sep string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if sep == "" {
			rows = append(rows, strings.Fields(line))
		} else {
			rows = append(rows, strings.Split(line, sep))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", name)
	}
	return rows
}

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	t.Parallel()
	for _, row := range readTable(t, "easter.txt", "") {
		t.Run(row[0], func(t *testing.T) {
			t.Parallel()
			year, err := strconv.Atoi(row[0])
			if err != nil {
				t.Fatal(err)
			}
			if got, want := Easter(year), mustDate(t, row[1]); got != want {
				t.Errorf("Easter(%d) = %s, want %s", year, got, want)
			}
			if wd := Easter(year).Weekday(); wd != time.Sunday {
				t.Errorf("Easter(%d) falls on %s", year, wd)
			}
		})
	}
}

func TestMidsummerAndAllSaints(t *testing.T) {
	t.Parallel()
	for _, row := range readTable(t, "midsummer.txt", "") {
		t.Run(row[0], func(t *testing.T) {
			t.Parallel()
			year, _ := strconv.Atoi(row[0])
			byName := map[string]Date{}
			for _, h := range Holidays(year) {
				byName[h.Name] = h.Date
			}
			for i, name := range []string{"midsommarafton", "midsommardagen", "alla helgons dag"} {
				if got, want := byName[name], mustDate(t, row[i+1]); got != want {
					t.Errorf("%s %d = %s, want %s", name, year, got, want)
				}
			}
		})
	}
}

func TestHolidays2026(t *testing.T) {
	t.Parallel()
	var want []Holiday
	for _, row := range readTable(t, "holidays-2026.txt", "|") {
		want = append(want, Holiday{mustDate(t, row[0]), row[1], row[2] == "true"})
	}
	got := Holidays(2026)
	if len(got) != len(want) {
		t.Fatalf("got %d holidays, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("holiday %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHolidaysReturnsCopy(t *testing.T) {
	t.Parallel()
	h := Holidays(2031)
	h[0].Name = "ändrad"
	if Holidays(2031)[0].Name != "nyårsdagen" {
		t.Fatal("Holidays shares its cached slice with the caller")
	}
}

func TestIsHoliday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date string
		name string // "" when not a holiday
		eve  bool
	}{
		{"2026-12-24", "julafton", true},
		{"2026-12-25", "juldagen", false},
		{"2026-12-23", "", false},
		{"2026-05-24", "pingstdagen", false},
		{"2026-05-25", "", false}, // annandag pingst stopped being a holiday in 2005
		{"2026-06-06", "nationaldagen", false},
		{"2008-05-01", "första maj", false}, // also Kristi himmelsfärdsdag that year
		{"2025-04-18", "långfredagen", false},
		{"2025-04-19", "påskafton", true},
		{"2025-12-31", "nyårsafton", true},
		{"2026-03-29", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			t.Parallel()
			h, ok := IsHoliday(mustDate(t, tt.date))
			if ok != (tt.name != "") || h.Name != tt.name || h.Eve != tt.eve {
				t.Errorf("IsHoliday(%s) = %+v, %v; want %q eve=%v", tt.date, h, ok, tt.name, tt.eve)
			}
		})
	}
}

func TestAscensionOnFirstMay2008(t *testing.T) {
	t.Parallel()
	var names []string
	for _, h := range Holidays(2008) {
		if h.Date == (Date{2008, time.May, 1}) {
			names = append(names, h.Name)
		}
	}
	if strings.Join(names, ",") != "första maj,Kristi himmelsfärdsdag" {
		t.Errorf("1 May 2008 = %v", names)
	}
}

func TestDayKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date string
		want DayKind
	}{
		{"2026-03-10", KindWeekday},
		{"2026-03-14", KindWeekend},
		{"2026-03-15", KindWeekend},
		{"2026-06-19", KindHoliday}, // midsommarafton, Friday
		{"2026-06-06", KindHoliday}, // nationaldagen on a Saturday
		{"2026-04-03", KindHoliday},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			t.Parallel()
			if got := DayKindOf(mustDate(t, tt.date)); got != tt.want {
				t.Errorf("DayKindOf(%s) = %s, want %s", tt.date, got, tt.want)
			}
		})
	}
}
