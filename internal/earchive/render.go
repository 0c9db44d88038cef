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

// rendition collects a part's views and writes them as HTML and PDF.
type rendition struct {
	org, packageID string
	part           int
	views          []view
}

func (r *rendition) add(v view) { r.views = append(r.views, v) }

func (r *rendition) full() bool { return len(r.views) >= partSize }

// flush renders the collected views as part N and starts the next.
func (r *rendition) flush(p *packer, pw *premisWriter) error {
	if len(r.views) == 0 {
		return nil
	}
	r.part++
	title := fmt.Sprintf("%s – arkivpaket %s, del %d", r.org, r.packageID, r.part)
	intro := fmt.Sprintf("Läsbar återgivning av %d handlingar (arkivpost %d–%d). Handlingarna i maskinläsbar form finns i representations/rep1.",
		len(r.views), r.views[0].Seq, r.views[len(r.views)-1].Seq)
	var h bytes.Buffer
	if err := partHTML.Execute(&h, struct {
		Title, Intro string
		Views        []view
	}{title, intro, r.views}); err != nil {
		return err
	}
	doc, err := pdfdoc.New(title, r.org)
	if err != nil {
		return err
	}
	doc.Write(title, true, 15)
	doc.Para(intro)
	for _, v := range r.views {
		doc.Heading(v.Heading)
		for _, f := range v.Fields {
			doc.Field(f[0], f[1])
		}
		if v.Text != "" {
			doc.Post(v.Heading, v.Text, 0, false)
		}
	}
	pdf, err := doc.Bytes()
	if err != nil {
		return err
	}
	base := fmt.Sprintf("representations/rep2/data/del-%04d", r.part)
	for _, f := range []struct {
		ext, mime string
		b         []byte
	}{{".html", "text/html", h.Bytes()}, {".pdf", "application/pdf", pdf}} {
		e, err := p.put(grpRep2, base+f.ext, f.mime, bytes.NewReader(f.b))
		if err != nil {
			return err
		}
		if err := pw.object(e, 0, ""); err != nil {
			return err
		}
	}
	r.views = r.views[:0]
	return nil
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
