package pdfdoc

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// Every page is numbered and counted: a document long enough for several
// pages has as many page objects as it counted, also when a page breaks
// inside a field or a box.
func TestPagesAreNumbered(t *testing.T) {
	d, err := New("Prov", "Exempelby kommun")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Simhallen har öppet alla vardagar i jul. ", 40)
	for range 12 {
		d.Heading("Rubrik")
		d.Field("Text", long)
		d.Post("Anna · 24 nov 2026", long, 0, false)
	}
	if d.family != "go" || d.size != 9.5 {
		t.Fatalf("the font after the last page break is %s %v, not the box's", d.family, d.size)
	}
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(b, -1))
	if d.pages < 3 || pages != d.pages {
		t.Fatalf("pages = %d, page objects %d", d.pages, pages)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
}
