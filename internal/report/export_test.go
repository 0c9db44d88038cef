package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tilltal/internal/report"
)

func exportTables() []report.Table {
	cols := []report.Column{{ID: "name", Key: "col.name"}, {ID: "n", Key: "col.n", Kind: report.Count}, {ID: "rate", Key: "col.rate", Kind: report.Percent}}
	return []report.Table{
		{ID: "one", Key: "Svar per kanal: vecka [20]", Columns: cols, Rows: [][]report.Cell{
			{{Kind: report.Text, Text: "=HYPERLINK(\"x\")"}, {Kind: report.Count, Num: 7, Link: "/inkorg?x=1"}, {Kind: report.Percent, Num: 87.5}},
			{{Kind: report.Text, Text: "Kanal B"}, {Kind: report.Count, Num: 0}, report.Null},
		}},
		{ID: "two", Key: "Svar per kanal: vecka [20]", Columns: cols},
	}
}

func tr(k string) string { return k }

// TestExports: the CSV writes cells as the page does, semicolon-separated
// for Swedish, keeps formulas as text; the spreadsheet opens, with one
// sheet per table under valid, distinct names, numbers as numbers and
// the drill-down as a link.
func TestExports(t *testing.T) {
	t.Parallel()
	e := report.Export{Lang: "sv", T: tr, Title: "Test", Period: "Perioden", BaseURL: "https://tilltal.exempelby.se/"}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, exportTables(), e); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF")))
	r.Comma, r.FieldsPerRecord = ';', -1
	lines, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Svar per kanal: vecka [20]"}, {"col.name", "col.n", "col.rate"}, {`'=HYPERLINK("x")`, "7", "87,5"}, {"Kanal B", "0", "–"},
		{"Svar per kanal: vecka [20]"}, {"col.name", "col.n", "col.rate"}} // the empty line between tables is skipped by the reader
	if len(lines) != len(want) {
		t.Fatalf("CSV lines %q, want %q", lines, want)
	}
	for i := range want {
		if strings.Join(lines[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("CSV line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	b.Reset()
	if err := report.WriteXLSX(&b, exportTables(), e); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 2 || sheets[0] == sheets[1] || len([]rune(sheets[0])) > 31 || strings.ContainsAny(sheets[0], "[]:") {
		t.Fatalf("sheets %q", sheets)
	}
	cells := []struct{ at, want string }{{"A1", "Svar per kanal: vecka [20]"}, {"A2", "Perioden"}, {"B4", "col.n"}, {"B5", "7"}, {"C5", "87.5"}, {"C6", ""}, {"A5", `=HYPERLINK("x")`}}
	for _, c := range cells {
		got, err := f.GetCellValue(sheets[0], c.at, excelize.Options{RawCellValue: true})
		if err != nil || got != c.want {
			t.Errorf("%s = %q (%v), want %q", c.at, got, err, c.want)
		}
	}
	if formula, _ := f.GetCellFormula(sheets[0], "A5"); formula != "" {
		t.Errorf("a channel name became the formula %q", formula)
	}
	if ok, link, _ := f.GetCellHyperLink(sheets[0], "B5"); !ok || link != "https://tilltal.exempelby.se/inkorg?x=1" {
		t.Errorf("B5 links to %q", link)
	}
}
