package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind says what a cell holds and how it is written.
type Kind uint8

// The kinds of cell.
const (
	Text    Kind = iota // a label
	Count               // a whole number
	Percent             // a share, 0–100, one decimal
	Minutes             // a wait in whole minutes
	Hours               // a duration in hours, one decimal
	Points              // a change in percentage points, signed
	Change              // a relative change in percent, signed
)

// Cell is one figure of a table, or a label.
type Cell struct {
	Kind Kind
	// Text is a label as it is; Key a label to translate instead.
	Text string
	Key  string
	Num  float64
	// Null is a figure that has no value (no answered item to take a
	// median of, nothing to compare with); it is written "–".
	Null bool
	// Link leads to the items behind the figure.
	Link string
}

// Column is a column of a table.
type Column struct {
	// ID names the column for programs (the API, the first row of CSV).
	ID string
	// Key is the heading's translation key; Text a heading as it is.
	Key  string
	Text string
	Kind Kind
}

// Table is figures as rows; the first column names the row. The page, the
// CSV and the spreadsheet are all written from it, so they agree.
type Table struct {
	ID      string
	Key     string // the caption's translation key
	Columns []Column
	Rows    [][]Cell
}

// Null is the empty figure.
var Null = Cell{Null: true}

func label(s string) Cell    { return Cell{Kind: Text, Text: s} }
func labelKey(k string) Cell { return Cell{Kind: Text, Key: k} }
func count(n int) Cell       { return Cell{Kind: Count, Num: float64(n)} }

// countLink is a count that drills down.
func countLink(n int, link string) Cell { return Cell{Kind: Count, Num: float64(n), Link: link} }

// rate is part of whole in percent, Null when whole is 0.
func rate(part, whole int) Cell {
	if whole == 0 {
		return Null
	}
	return Cell{Kind: Percent, Num: 100 * float64(part) / float64(whole)}
}

// minutes is a wait in minutes, Null when not ok.
func minutes(d time.Duration, ok bool) Cell {
	if !ok {
		return Null
	}
	return Cell{Kind: Minutes, Num: math.Round(d.Minutes())}
}

func hours(d time.Duration) Cell { return Cell{Kind: Hours, Num: d.Hours()} }

// change is the relative change from before to now in percent.
func change(now, before int) Cell {
	if before == 0 {
		return Null
	}
	return Cell{Kind: Change, Num: 100 * float64(now-before) / float64(before)}
}

// points is the change of a share in percentage points.
func points(now, before Cell) Cell {
	if now.Null || before.Null {
		return Null
	}
	return Cell{Kind: Points, Num: now.Num - before.Num}
}

// Value is the number a spreadsheet stores: rounded as the page shows it.
func (c Cell) Value() float64 {
	switch c.Kind {
	case Percent, Hours, Points, Change:
		return math.Round(c.Num*10) / 10
	}
	return math.Round(c.Num)
}

// Format writes the cell as the page and the CSV show it: Swedish
// decimal comma unless lang is "en"; tr translates label keys.
func (c Cell) Format(lang string, tr func(string) string) string {
	if c.Null {
		return "–"
	}
	switch c.Kind {
	case Text:
		if c.Key != "" {
			return tr(c.Key)
		}
		return c.Text
	case Percent, Hours:
		return decimal(c.Value(), lang)
	case Points, Change:
		s := decimal(c.Value(), lang)
		if c.Value() > 0 {
			s = "+" + s
		}
		return s
	}
	return strconv.FormatFloat(c.Value(), 'f', 0, 64)
}

func decimal(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Heading is a column's heading, translated.
func (c Column) Heading(tr func(string) string) string {
	if c.Key != "" {
		return tr(c.Key)
	}
	return c.Text
}

// Numeric reports whether the column holds figures (right-aligned).
func (c Column) Numeric() bool { return c.Kind != Text }
