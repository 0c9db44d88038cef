package diary_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"tilltal/internal/diary"
)

// FuzzWriteCSV: whatever a citizen or an official typed (a sender's name,
// a description), the diary's CSV export reads back as the same cells,
// one row per entry, and no cell starts with what a spreadsheet runs as a
// formula (=, +, -, @, tab, carriage return); such text gets a leading
// apostrophe and nothing else changes.
func FuzzWriteCSV(f *testing.F) {
	f.Add("KS 2026/14", "Åsa Öberg", `=HYPERLINK("http://x","klicka")`, "Kultur", "")
	f.Add("KS 2026/15", "@elak", "-2+3", "+46", "OSL 18 kap. 1 §")
	f.Add("", "\tflik", "rad1\r\nrad2\n\"citat\"", "\r", ",")
	f.Fuzz(func(t *testing.T, number, sender, description, department, ground string) {
		e := diary.Entry{Number: number, ReceivedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), RegisteredAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
			Direction: "in", Sender: sender, Description: description, DepartmentName: department, Secret: ground != "", SecrecyGround: ground}
		var buf bytes.Buffer
		if err := diary.WriteCSV(&buf, []diary.Entry{e, e}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("the export does not read back: %v\n%s", err, buf.Bytes())
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want a header and 2", len(rows))
		}
		typed := map[int]string{0: number, 4: sender, 5: description, 6: department, 8: ground}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Fatalf("cell %d starts with a formula character: %q", i, cell)
				}
				v, ok := typed[i]
				if !ok {
					continue
				}
				// encoding/csv reads \r\n inside a quoted cell as \n.
				v = strings.ReplaceAll(v, "\r\n", "\n")
				if cell != v && cell != "'"+v {
					t.Fatalf("cell %d is %q, typed %q", i, cell, v)
				}
				if cell == "'"+v && v != "" && !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
					t.Fatalf("cell %d %q got an apostrophe it does not need", i, v)
				}
			}
		}
	})
}
