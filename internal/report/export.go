package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Export is what an export needs besides the tables: the language the
// page speaks, its translations, a heading and the address that links
// are relative to.
type Export struct {
	Lang    string
	T       func(key string) string
	Title   string
	Period  string
	BaseURL string
}

// Separator is the CSV field separator for a language: the semicolon that
// Excel expects where the comma is the decimal sign, else the comma.
func Separator(lang string) rune {
	if lang == "en" {
		return ','
	}
	return ';'
}

// WriteCSV writes tables as CSV, each cell exactly as the page shows it:
// a table's caption on a line of its own, its headings, its rows, and an
// empty line before the next. A byte order mark tells Excel it is UTF-8.
func WriteCSV(w io.Writer, tables []Table, e Export) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = Separator(e.Lang)
	for i, t := range tables {
		if i > 0 {
			if err := cw.Write([]string{""}); err != nil {
				return err
			}
		}
		if len(tables) > 1 {
			if err := cw.Write([]string{e.T(t.Key)}); err != nil {
				return err
			}
		}
		head := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = c.Heading(e.T)
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, r := range t.Rows {
			line := make([]string, len(r))
			for j, c := range r {
				line[j] = safeCSV(c.Format(e.Lang, e.T))
			}
			if err := cw.Write(line); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCSV keeps a label that a spreadsheet would run as a formula (a
// channel named "=HYPERLINK(…)") as text, by a leading apostrophe.
func safeCSV(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && !isNumber(s) {
		return "'" + s
	}
	return s
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != ',' && r != '.' {
			return false
		}
	}
	return true
}

// WriteXLSX writes tables as a spreadsheet, a sheet per table: the
// caption, the period, the headings, and the rows with figures as
// numbers (rounded as on the page) and their drill-down links.
func WriteXLSX(w io.Writer, tables []Table, e Export) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	oneDecimal := "0.0"
	dec, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDecimal})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(e.T(t.Key), used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, t, e, bold, dec); err != nil {
			return fmt.Errorf("report: sheet %s: %w", t.ID, err)
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: e.Title, Creator: "Tilltal", Language: e.Lang}); err != nil {
		return err
	}
	return f.Write(w)
}

// SheetHeaderRows are the rows above a sheet's table: caption, period,
// an empty row; the headings follow.
const SheetHeaderRows = 3

func writeSheet(f *excelize.File, sheet string, t Table, e Export, bold, dec int) error {
	if err := f.SetCellValue(sheet, "A1", e.T(t.Key)); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", bold); err != nil {
		return err
	}
	if err := f.SetCellValue(sheet, "A2", e.Period); err != nil {
		return err
	}
	head := make([]any, len(t.Columns))
	for j, c := range t.Columns {
		head[j] = c.Heading(e.T)
	}
	first := cellName(1, SheetHeaderRows+1)
	if err := f.SetSheetRow(sheet, first, &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, first, cellName(len(head), SheetHeaderRows+1), bold); err != nil {
		return err
	}
	for i, r := range t.Rows {
		row := SheetHeaderRows + 2 + i
		for j, c := range r {
			if err := writeCell(f, sheet, cellName(j+1, row), c, e, dec); err != nil {
				return err
			}
		}
	}
	return f.SetColWidth(sheet, "A", "A", 36)
}

func writeCell(f *excelize.File, sheet, at string, c Cell, e Export, dec int) error {
	switch {
	case c.Null:
		return nil
	case c.Kind == Text:
		if err := f.SetCellValue(sheet, at, c.Format(e.Lang, e.T)); err != nil {
			return err
		}
	default:
		if err := f.SetCellValue(sheet, at, c.Value()); err != nil {
			return err
		}
		if c.Kind != Count && c.Kind != Minutes {
			if err := f.SetCellStyle(sheet, at, at, dec); err != nil {
				return err
			}
		}
	}
	if c.Link != "" && e.BaseURL != "" {
		return f.SetCellHyperLink(sheet, at, strings.TrimSuffix(e.BaseURL, "/")+c.Link, "External")
	}
	return nil
}

func cellName(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

// sheetName makes a caption a valid, unique sheet name: at most 31
// characters, none of []:*?/\.
func sheetName(caption string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, caption)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	base := []rune(name)
	for n := 2; used[name] || name == ""; n++ {
		suffix := fmt.Sprintf(" %d", n)
		keep := min(len(base), 31-len(suffix))
		name = string(base[:keep]) + suffix
	}
	used[name] = true
	return name
}
