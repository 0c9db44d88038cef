package chart

import (
	"html/template"
	"math"
)

// Columns draws a column per label with the series stacked: volume over
// time by platform.
func Columns(d Data) template.HTML {
	const w, h, left, bottom, plotTop = 720, 320, 56, 64, 8
	s := open(d, w, h)
	top := s.legend(plotTop) + 8
	plotH := float64(h-bottom) - top
	var max float64
	for i := range d.Labels {
		sum := 0.0
		for _, se := range d.Series {
			sum += value(se.Values[i])
		}
		max = math.Max(max, sum)
	}
	max, step := axis(max)
	for v := 0.0; v <= max+step/2; v += step {
		y := top + plotH - plotH*v/max
		s.line(left, y, w, y, gridColour)
		s.text(left-6, y+4, "end", d.format(v), "")
	}
	n := len(d.Labels)
	if n == 0 {
		return s.close()
	}
	slot := float64(w-left) / float64(n)
	every := int(math.Ceil(float64(n) / 16))
	for i, l := range d.Labels {
		x := left + slot*float64(i)
		y := top + plotH
		for j, se := range d.Series {
			bh := plotH * value(se.Values[i]) / max
			y -= bh
			if bh > 0 {
				s.rect(x+slot*0.15, y, slot*0.7, bh, Palette[j%len(Palette)])
			}
		}
		if i%every == 0 {
			cx, cy := x+slot/2, top+plotH+14
			s.text(cx, cy, "end", l, ` transform="rotate(-40 `+num(cx)+` `+num(cy)+`)"`)
		}
	}
	s.line(left, top+plotH, w, top+plotH, axisColour)
	return s.close()
}

// Bars draws a group of horizontal bars per label, one bar per series,
// with the label above the group and each value at the end of its bar.
func Bars(d Data) template.HTML {
	const w, barH, gap, labelH = 720, 16, 10, 20
	var max float64
	for _, se := range d.Series {
		for _, v := range se.Values {
			max = math.Max(max, value(v))
		}
	}
	max, _ = axis(max)
	groupH := float64(labelH + len(d.Series)*(barH+2) + gap)
	legendH := 0.0
	if len(d.Series) > 1 {
		legendH = 26 + 20*float64(len(d.Series)/4)
	}
	s := open(d, w, int(legendH+groupH*float64(len(d.Labels))+4))
	y := s.legend(0)
	plotW := float64(w - 110)
	for i, l := range d.Labels {
		s.text(0, y+14, "start", l, "")
		y += labelH
		for j, se := range d.Series {
			v := se.Values[i]
			bw := plotW * value(v) / max
			if !math.IsNaN(v) {
				s.rect(0, y, math.Max(bw, 1), barH, Palette[j%len(Palette)])
			}
			s.text(bw+6, y+barH-3, "start", d.format(v), "")
			y += barH + 2
		}
		y += gap
	}
	return s.close()
}

// HeatScale are the bounds of the heat map's colours, in the table's
// unit (minutes of waiting): up to 30, 60, 120, 240, 480, and more.
var HeatScale = []float64{30, 60, 120, 240, 480}

// heatColours run from light (fast) to dark (slow); the darker half is
// 4.5:1 against white, the lighter half is told apart by the grid's
// border and by the table beside it.
var heatColours = []string{"#d9e8f5", "#a9c9e8", "#6fa3d4", "#2f6fae", "#154d85", "#0a2a4d"}

// HeatColour is the colour of a value on the heat map; "" for no value.
func HeatColour(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	for i, b := range HeatScale {
		if v <= b {
			return heatColours[i]
		}
	}
	return heatColours[len(heatColours)-1]
}

// Heat draws a grid: a row per label, a column per series (hours of the
// day), each cell coloured by its value; cells without a value are left
// white with a grey outline.
func Heat(d Data, legend []string) template.HTML {
	const left, cell, top = 96, 25, 22
	cols := len(d.Series)
	w := left + cols*cell + 2
	h := top + len(d.Labels)*cell + 12 + 20*((len(legend)+3)/4) + 8
	s := open(d, w, h)
	for c, se := range d.Series {
		s.text(float64(left+c*cell+cell/2), 15, "middle", se.Name, ` font-size="11"`)
	}
	for r, l := range d.Labels {
		y := float64(top + r*cell)
		s.text(0, y+17, "start", l, "")
		for c, se := range d.Series {
			x := float64(left + c*cell)
			if col := HeatColour(se.Values[r]); col != "" {
				s.rect(x+1, y+1, cell-2, cell-2, col)
			} else {
				s.b.WriteString(`<rect x="` + num(x+1.5) + `" y="` + num(y+1.5) + `" width="22" height="22" fill="#ffffff" stroke="` + gridColour + `"/>`)
			}
		}
	}
	s.b.WriteString(`<rect x="` + num(left) + `" y="` + num(top) + `" width="` + num(float64(cols*cell)) + `" height="` + num(float64(len(d.Labels)*cell)) + `" fill="none" stroke="` + axisColour + `"/>`)
	y := float64(top + len(d.Labels)*cell + 12)
	x := 0.0
	for i, t := range legend {
		if i > 0 && i%4 == 0 {
			x, y = 0, y+20
		}
		col := "#ffffff"
		if i < len(heatColours) {
			col = heatColours[i]
		}
		s.b.WriteString(`<rect x="` + num(x) + `" y="` + num(y) + `" width="14" height="14" fill="` + col + `" stroke="` + axisColour + `"/>`)
		s.text(x+20, y+12, "start", t, "")
		x += 170
	}
	return s.close()
}
