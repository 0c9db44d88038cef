// Package chart draws report figures as SVG on the server: columns over
// time, horizontal bars per group, and a heat map of the week. A chart is
// an image with a title and a short description (role="img"); the same
// figures are always in a table beside it, which is what screen readers
// and keyboard users read and where each figure drills down. No script,
// no inline style (the CSP forbids both): only SVG attributes.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Series is one set of values, one per label; NaN is "no value".
type Series struct {
	Name   string
	Values []float64
}

// Data is what a chart draws.
type Data struct {
	// ID is unique on the page; the chart's title and description ids
	// are made from it.
	ID     string
	Title  string
	Desc   string
	Labels []string
	Series []Series
	// Format writes a value for labels on the chart.
	Format func(float64) string
}

// Palette are the series' colours: each at least 4.5:1 against white, so
// that bars and their legend keys stand out (WCAG 1.4.11), and told apart
// by lightness as well as hue.
var Palette = []string{"#0b4a8f", "#8a4b00", "#0a5c2f", "#6b2a8f", "#a4001d", "#3d3d3d"}

const (
	textColour = "#1b1b1b"
	gridColour = "#d6d6d6"
	axisColour = "#6b6b6b"
)

// svg is a builder of one chart.
type svg struct {
	b    strings.Builder
	d    Data
	w, h int
}

func open(d Data, w, h int) *svg {
	s := &svg{d: d, w: w, h: h}
	id := esc(d.ID)
	// The title is the figure's visible caption; an SVG <title> would be
	// a second document title to some tools.
	fmt.Fprintf(&s.b, `<figure class="chart"><figcaption id="%s-title">%s</figcaption>`, id, esc(d.Title))
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc" viewBox="0 0 %d %d" width="%d" height="%d" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" font-size="13">`,
		id, id, w, h, w, h)
	fmt.Fprintf(&s.b, `<desc id="%s-desc">%s</desc>`, id, esc(d.Desc))
	return s
}

func (s *svg) close() template.HTML {
	s.b.WriteString("</svg></figure>")
	// Every text that reaches the SVG went through esc.
	return template.HTML(s.b.String())
}

func (s *svg) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x), num(y), num(w), num(h), fill)
}

func (s *svg) line(x1, y1, x2, y2 float64, colour string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(x1), num(y1), num(x2), num(y2), colour)
}

// text writes a label; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, t string, extra string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" fill="%s"%s>%s</text>`, num(x), num(y), anchor, textColour, extra, esc(t))
}

// legend draws a key of the series along the top; it returns its height.
func (s *svg) legend(y float64) float64 {
	if len(s.d.Series) < 2 {
		return 0
	}
	x := 0.0
	for i, se := range s.d.Series {
		w := 24 + 7.5*float64(len([]rune(se.Name)))
		if x+w > float64(s.w) {
			x, y = 0, y+20
		}
		s.rect(x, y, 14, 14, Palette[i%len(Palette)])
		s.text(x+20, y+12, "start", se.Name, "")
		x += w + 12
	}
	return y + 26
}

func esc(s string) string { return html.EscapeString(s) }

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// axis chooses the top of a value axis and its step: the smallest round
// step (1, 2 or 5 times a power of ten) that reaches v in at most five
// steps, so that every tick is a round number.
func axis(v float64) (top, step float64) {
	if v <= 0 || math.IsNaN(v) {
		return 1, 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-1)
	for {
		for _, m := range []float64{1, 2, 5} {
			step = m * p
			if n := math.Ceil(v / step); n <= 5 {
				return n * step, step
			}
		}
		p *= 10
	}
}

func value(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func (d Data) format(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if d.Format != nil {
		return d.Format(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
