package earchive

import (
	"bytes"
	"fmt"
	"html/template"
	"sync"
	"time"

	"tilltal/internal/pdfdoc"
)

// partSize is how many records one rendition part (HTML and PDF) holds:
// large enough to read through, small enough to hold in memory.
const partSize = 500

// view is a record as the rendition shows it.
type view struct {
	Seq     int64
	Heading string
	Fields  [][2]string
	Text    string
}

var partHTML = template.Must(template.New("part").Parse(`<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;line-height:1.45}article{border-top:1px solid #888;padding:.5rem 0}dt{font-weight:bold;float:left;clear:left;width:11rem}dd{margin-left:11.5rem}p{white-space:pre-wrap}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Views}}<article id="post-{{.Seq}}">
<h2>{{.Heading}}</h2>
<dl>{{range .Fields}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>
{{if .Text}}<p>{{.Text}}</p>{{end}}
</article>
{{end}}</body>
</html>
`))

// rendition collects a part's views and renders them as HTML and PDF. A
// full part is rendered on another goroutine while the export goes on
// with the next (the PDF is the slowest thing an export writes); the files
// are put into the package, in order, by the export's own goroutine.
type rendition struct {
	org, packageID string
	part           int
	views          []view
	pending        chan renderedPart
}

// renderedPart is a part's two files, or the error rendering them.
type renderedPart struct {
	base      string
	html, pdf []byte
	err       error
}

func (r *rendition) add(v view) { r.views = append(r.views, v) }

func (r *rendition) full() bool { return len(r.views) >= partSize }

// flush starts rendering the collected views as the next part, after
// putting the previous part's files into the package.
func (r *rendition) flush(p *packer, pw *premisWriter) error {
	if err := r.wait(p, pw); err != nil {
		return err
	}
	if len(r.views) == 0 {
		return nil
	}
	r.part++
	views, part := r.views, r.part
	r.views = make([]view, 0, partSize)
	r.pending = make(chan renderedPart, 1)
	go func(out chan<- renderedPart) { out <- r.render(part, views) }(r.pending)
	return nil
}

// wait puts the part being rendered, if any, into the package.
func (r *rendition) wait(p *packer, pw *premisWriter) error {
	if r.pending == nil {
		return nil
	}
	res := <-r.pending
	r.pending = nil
	if res.err != nil {
		return res.err
	}
	for _, f := range []struct {
		ext, mime string
		b         []byte
	}{{".html", "text/html", res.html}, {".pdf", "application/pdf", res.pdf}} {
		e, err := p.put(grpRep2, res.base+f.ext, f.mime, bytes.NewReader(f.b))
		if err != nil {
			return err
		}
		if err := pw.object(e, 0, ""); err != nil {
			return err
		}
	}
	return nil
}

// finish renders what is left and waits for it.
func (r *rendition) finish(p *packer, pw *premisWriter) error {
	if err := r.flush(p, pw); err != nil {
		return err
	}
	return r.wait(p, pw)
}

// render makes part n's HTML and PDF.
func (r *rendition) render(n int, views []view) renderedPart {
	out := renderedPart{base: fmt.Sprintf("representations/rep2/data/del-%04d", n)}
	title := fmt.Sprintf("%s – arkivpaket %s, del %d", r.org, r.packageID, n)
	intro := fmt.Sprintf("Läsbar återgivning av %d handlingar (arkivpost %d–%d). Handlingarna i maskinläsbar form finns i representations/rep1.",
		len(views), views[0].Seq, views[len(views)-1].Seq)
	var h bytes.Buffer
	if out.err = partHTML.Execute(&h, struct {
		Title, Intro string
		Views        []view
	}{title, intro, views}); out.err != nil {
		return out
	}
	out.html = h.Bytes()
	doc, err := pdfdoc.New(title, r.org)
	if err != nil {
		out.err = err
		return out
	}
	doc.Write(title, true, 15)
	doc.Para(intro)
	for _, v := range views {
		doc.Heading(v.Heading)
		for _, f := range v.Fields {
			doc.Field(f[0], f[1])
		}
		if v.Text != "" {
			doc.Post(v.Heading, v.Text, 0, false)
		}
	}
	out.pdf, out.err = doc.Bytes()
	return out
}

// localTime shows a time as Swedes read it.
func localTime(t time.Time) string { return t.In(stockholm()).Format("2006-01-02 15:04") }

var stockholm = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.UTC
	}
	return loc
})
