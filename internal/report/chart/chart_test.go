package chart_test

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"tilltal/internal/report/chart"
)

// TestChartsAreWellFormedAndNamed: every kind of chart is well-formed
// markup, an image named by its caption and described, with hostile
// labels escaped and missing values drawn as such.
func TestChartsAreWellFormedAndNamed(t *testing.T) {
	t.Parallel()
	d := chart.Data{ID: "c1", Title: "Svar <b>per</b> kanal", Desc: "Samma siffror finns i tabellen.",
		Labels: []string{`Kanal "A" <script>`, "Kanal B & C"},
		Series: []chart.Series{{Name: "Median", Values: []float64{30, math.NaN()}}, {Name: "90:e", Values: []float64{120, 45}}}}
	tests := []struct {
		name string
		draw func() string
	}{
		{"columns", func() string { return string(chart.Columns(d)) }},
		{"bars", func() string { return string(chart.Bars(d)) }},
		{"heat", func() string { return string(chart.Heat(d, []string{"högst 30 min", "inget besvarat"})) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := tt.draw()
			dec := xml.NewDecoder(strings.NewReader(out))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, out)
				}
			}
			for _, want := range []string{`role="img"`, `aria-labelledby="c1-title"`, `<figcaption id="c1-title">Svar &lt;b&gt;per&lt;/b&gt; kanal</figcaption>`,
				`aria-describedby="c1-desc"`, "Kanal &#34;A&#34; &lt;script&gt;"} {
				if tt.name == "columns" && strings.HasPrefix(want, "Kanal") {
					want = "Kanal &#34;A&#34;" // column labels are the same text, rotated
				}
				if !strings.Contains(out, want) {
					t.Errorf("missing %s", want)
				}
			}
			if strings.Contains(out, "<script") || strings.Contains(out, "<title") {
				t.Error("a script tag or an SVG title got through")
			}
		})
	}
}

// TestHeatColourScale: the colour follows the scale's bounds, inclusive.
func TestHeatColourScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minutes float64
		same    float64 // a value that must get the same colour
		differ  float64 // one that must not
	}{
		{30, 1, 31},
		{60, 31, 61},
		{481, 5000, 480},
	}
	for _, tt := range tests {
		if chart.HeatColour(tt.minutes) != chart.HeatColour(tt.same) || chart.HeatColour(tt.minutes) == chart.HeatColour(tt.differ) {
			t.Errorf("%v min: colour %s, %v min %s, %v min %s", tt.minutes, chart.HeatColour(tt.minutes), tt.same,
				chart.HeatColour(tt.same), tt.differ, chart.HeatColour(tt.differ))
		}
	}
	if chart.HeatColour(math.NaN()) != "" {
		t.Error("no value got a colour")
	}
}
