// Package pdfdoc writes simple flowing A4 documents (headings, paragraphs,
// labelled fields, boxed posts) in the embedded Go fonts: the police-report
// summary, records releases, decisions and snapshots share it.
package pdfdoc

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// Page geometry of the summary, in points on A4.
const (
	pageTop    = 56.0
	pageBottom = 790.0
	pageLeft   = 56.0
	pageWidth  = 483.0
	pageFooter = 812.0
)

// Doc writes a simple flowing document: headings, paragraphs, fields and
// boxes, breaking pages as it goes.
type Doc struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
	// family and size are the current font's, for wrap's width cache.
	family string
	size   float64
	widths map[widthKey]int
	// pages counts the pages begun, for their footers.
	pages int
}

// glyphs tells which characters the Go fonts can draw; anything else is
// written as "?" (the exact text is in the evidence files).
var glyphs = sync.OnceValue(func() *sfnt.Font {
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		panic("pdfdoc: the embedded Go font does not parse: " + err.Error())
	}
	return f
})

// Printable keeps what the font can draw and drops control and format
// characters (bidi overrides included), so a hostile text cannot garble
// the page.
func Printable(s string) string {
	var buf sfnt.Buffer
	f := glyphs()
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			return '?'
		}
		return r
	}, s)
}

// New starts a document with its first page.
func New(title, author string) (*Doc, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: Printable(title), Author: Printable(author), Creator: "Tilltal"})
	if err := pdf.AddTTFFontData("go", goregular.TTF); err != nil {
		return nil, err
	}
	if err := pdf.AddTTFFontData("go-bold", gobold.TTF); err != nil {
		return nil, err
	}
	if err := pdf.AddTTFFontData("go-mono", gomono.TTF); err != nil {
		return nil, err
	}
	d := &Doc{pdf: pdf}
	d.NewPage()
	return d, nil
}

// NewPage starts a new page at its top margin, numbered in its footer so
// that a printed document shows if a page is missing.
func (d *Doc) NewPage() {
	d.pdf.AddPage()
	d.pages++
	// A page may break in the middle of a field or a box: the font in use
	// comes back after the footer.
	family, size := d.family, d.size
	d.setFont("go", 8)
	d.pdf.SetXY(pageLeft, pageFooter)
	if err := d.pdf.Cell(nil, "Sida "+strconv.Itoa(d.pages)); err != nil && d.err == nil {
		d.err = err
	}
	if family != "" {
		d.setFont(family, size)
	}
	d.y = pageTop
}

func (d *Doc) font(bold bool, size float64) {
	family := "go"
	if bold {
		family = "go-bold"
	}
	d.setFont(family, size)
}

func (d *Doc) setFont(family string, size float64) {
	if err := d.pdf.SetFont(family, "", size); err != nil && d.err == nil {
		d.err = err
	}
	d.family, d.size = family, size
}

// lines wraps text to width at the current font.
func (d *Doc) lines(text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(Printable(text), "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		ls, err := d.wrap(para, width)
		if err != nil {
			if d.err == nil {
				d.err = err
			}
			return out
		}
		out = append(out, ls...)
	}
	return out
}

// need breaks the page when h more points do not fit.
func (d *Doc) need(h float64) {
	if d.y+h > pageBottom {
		d.NewPage()
	}
}

func (d *Doc) text(x float64, line string) {
	d.pdf.SetXY(x, d.y)
	if line == "" {
		return
	}
	if err := d.pdf.Cell(nil, line); err != nil && d.err == nil {
		d.err = err
	}
}

// Write flows text at the left margin in the given style.
func (d *Doc) Write(text string, bold bool, size float64) {
	d.font(bold, size)
	lh := size * 1.35
	for _, l := range d.lines(text, pageWidth) {
		d.need(lh)
		d.text(pageLeft, l)
		d.y += lh
	}
}

// Hashed writes a field and, below its value, a checksum in a small
// fixed-width font, so that it reads and compares digit by digit; the two
// stay on one page.
func (d *Doc) Hashed(label, value, sum string) {
	d.need(13.5 + 12)
	d.Field(label, value)
	d.setFont("go-mono", 8)
	d.text(pageLeft+150, sum)
	d.y += 12
}

// Heading writes a section heading, kept together with what follows.
func (d *Doc) Heading(text string) {
	d.need(40)
	d.y += 8
	d.Write(text, true, 13)
	d.y += 2
}

// Para writes a paragraph of body text.
func (d *Doc) Para(text string) { d.Write(text, false, 10) }

// Field writes "label: value" with the label in bold on its own column.
func (d *Doc) Field(label, value string) {
	const labelWidth = 150.0
	d.font(false, 10)
	ls := d.lines(value, pageWidth-labelWidth)
	if len(ls) == 0 {
		ls = []string{"–"}
	}
	for n, l := range ls {
		d.need(13.5)
		if n == 0 {
			d.font(true, 10)
			d.text(pageLeft, Printable(label))
			d.font(false, 10)
		}
		d.text(pageLeft+labelWidth, l)
		d.y += 13.5
	}
}

// Post draws one post of a thread as a box; the post in the case is
// framed in red on a pale ground.
func (d *Doc) Post(header, body string, indent float64, current bool) {
	x, w := pageLeft+indent, pageWidth-indent
	d.font(false, 9.5)
	ls := d.lines(body, w-16)
	h := 8 + 13 + float64(len(ls))*12.5 + 6
	d.need(h + 6)
	top := d.y
	if current {
		d.pdf.SetStrokeColor(176, 0, 32)
		d.pdf.SetFillColor(255, 240, 240)
		d.pdf.SetLineWidth(2)
		d.pdf.RectFromUpperLeftWithStyle(x, top, w, h, "FD")
	} else {
		d.pdf.SetStrokeColor(150, 150, 150)
		d.pdf.SetFillColor(248, 248, 248)
		d.pdf.SetLineWidth(0.7)
		d.pdf.RectFromUpperLeftWithStyle(x, top, w, h, "FD")
	}
	// Text is drawn in the fill colour: back to black.
	d.pdf.SetStrokeColor(0, 0, 0)
	d.pdf.SetFillColor(0, 0, 0)
	d.pdf.SetLineWidth(1)
	d.y = top + 6
	d.font(true, 9.5)
	d.text(x+8, Printable(header))
	d.y += 13
	d.font(false, 9.5)
	for _, l := range ls {
		d.text(x+8, l)
		d.y += 12.5
	}
	d.y = top + h + 6
}

// Bytes finishes the document, or returns the first error met while writing.
func (d *Doc) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	var b bytes.Buffer
	if _, err := d.pdf.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Space leaves h points of vertical space.
func (d *Doc) Space(h float64) { d.y += h }
