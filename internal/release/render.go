package release

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"

	"tilltal/internal/pdfdoc"
)

// The bundle's HTML pages are standalone (inline style, no scripts), so
// that they open from a folder or a mail attachment.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
dt{font-weight:bold}dd{margin:0 0 .5rem 0}.text{white-space:pre-wrap;border:1px solid #767676;padding:1rem}code{word-break:break-all}</style>
</head>
<body>
<main>{{end}}
{{define "foot"}}</main>
</body>
</html>
{{end}}
{{define "record"}}{{template "head" (printf "Handling %d" .R.Seq)}}
<p><a href="../index.html">Alla handlingar</a></p>
<h1>Handling {{.R.Seq}}: {{.R.Kind}}</h1>
<dl>
<dt>Kanal</dt><dd>{{.R.Channel}} ({{.R.Platform}})</dd>
<dt>Riktning</dt><dd>{{.R.Direction}}</dd>
<dt>Avsändare</dt><dd>{{.R.Author}}</dd>
<dt>Publicerad på plattformen</dt><dd>{{.R.PostedAt}}</dd>
{{if .R.Permalink}}<dt>Länk</dt><dd>{{.R.Permalink}}</dd>{{end}}
{{if .R.ContentType}}<dt>Filtyp och storlek</dt><dd>{{.R.ContentType}}, {{.R.Size}} byte</dd><dt>Filens SHA-256</dt><dd><code>{{.R.SHA256}}</code></dd>{{end}}
<dt>Nummer i arkivet</dt><dd>{{.R.Seq}}</dd>
<dt>Handlingens kontrollsumma (SHA-256 i arkivets kedja)</dt><dd><code>{{.R.Hash}}</code></dd>
{{if .Diary}}<dt>Diarienummer för begäran</dt><dd>{{.Diary}}</dd>{{end}}
</dl>
<h2>{{if .R.ContentType}}Bilagans titel{{else}}Text{{end}}</h2>
<div class="text">{{.R.Text}}</div>
{{template "foot"}}{{end}}
{{define "index"}}{{template "head" .Title}}
<h1>{{.Title}}</h1>
<p>{{.Municipality}}{{if .Diary}}, diarienummer {{.Diary}}{{end}}. Beslut {{.Outcome}}{{if .Date}} den {{.Date}}{{end}}.</p>
<p>Maskerade uppgifter är ersatta med █████ och den rättsliga grunden. Handlingarna finns också i filen handlingar.pdf; manifest.json och SHA256SUMS har varje fils kontrollsumma.{{if .Decision}} Beslutet finns i beslut.html och beslut.pdf.{{end}}</p>
{{if .Records}}<ul>{{range .Records}}<li><a href="{{.File}}">Handling {{.Seq}}: {{.Kind}}, {{.Channel}}, {{.PostedAt}}</a></li>{{end}}</ul>
{{else}}<p>Inga handlingar lämnas ut.</p>{{end}}
{{template "foot"}}{{end}}
{{define "decision"}}{{template "head" (printf "Beslut %s" .DiaryNumber)}}
<p>{{.Municipality}}<br>{{.DecidedAt}}{{if .DiaryNumber}}<br>Diarienummer {{.DiaryNumber}}{{end}}</p>
<p>Till: {{.Requester}}</p>
<h1>Beslut om utlämnande av allmänna handlingar</h1>
<h2>Er begäran</h2>
<p>Begäran kom in den {{.ReceivedAt}} och gäller: {{.Subject}}</p>
<h2>Beslut</h2>
<p>{{.Holding}}</p>
{{if .Parts}}<ul>{{range .Parts}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Skäl för beslutet</h2>
<p>Uppgifterna omfattas av sekretess enligt offentlighets- och sekretesslagen (2009:400), OSL. Beslutet grundar sig på:</p>
<ul>{{range .Grounds}}<li>{{.Cite}}{{if .About}} – {{.About}}{{end}}</li>{{end}}</ul>
{{if .Reasoning}}<p class="text">{{.Reasoning}}</p>{{end}}
<h2>{{.AppealTitle}}</h2>
{{range .Appeal}}<p>{{.}}</p>{{end}}
<p>Beslutet har fattats av {{.DecidedBy}}.</p>
{{template "foot"}}{{end}}
`))

func execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("release: render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// recordHTML is one released record as a page.
func recordHTML(r ReleasedRecord, diary string) ([]byte, error) {
	return execute("record", struct {
		R     ReleasedRecord
		Diary string
	}{r, diary})
}

// DecisionHTML renders the written decision as a page.
func DecisionHTML(doc DecisionDoc) ([]byte, error) { return execute("decision", doc) }

// DecisionPDF renders the written decision as PDF.
func DecisionPDF(doc DecisionDoc) ([]byte, error) {
	d, err := pdfdoc.New("Beslut "+doc.DiaryNumber, doc.Municipality)
	if err != nil {
		return nil, err
	}
	d.Para(doc.Municipality)
	d.Para(doc.DecidedAt)
	if doc.DiaryNumber != "" {
		d.Para("Diarienummer " + doc.DiaryNumber)
	}
	d.Space(6)
	d.Para("Till: " + doc.Requester)
	d.Space(10)
	d.Write("Beslut om utlämnande av allmänna handlingar", true, 16)
	d.Heading("Er begäran")
	d.Para("Begäran kom in den " + doc.ReceivedAt + " och gäller: " + doc.Subject)
	d.Heading("Beslut")
	d.Para(doc.Holding)
	for _, p := range doc.Parts {
		d.Para("• " + p)
	}
	d.Heading("Skäl för beslutet")
	d.Para("Uppgifterna omfattas av sekretess enligt offentlighets- och sekretesslagen (2009:400), OSL. Beslutet grundar sig på:")
	for _, g := range doc.Grounds {
		line := "• " + g.Cite
		if g.About != "" {
			line += " – " + g.About
		}
		d.Para(line)
	}
	if doc.Reasoning != "" {
		d.Space(4)
		d.Para(doc.Reasoning)
	}
	d.Heading(doc.AppealTitle)
	for _, p := range doc.Appeal {
		d.Para(p)
		d.Space(4)
	}
	d.Space(6)
	d.Para("Beslutet har fattats av " + doc.DecidedBy + ".")
	return d.Bytes()
}

// recordsPDF renders the released records; it is given only the redacted
// model.
func recordsPDF(title, municipality string, recs []ReleasedRecord) ([]byte, error) {
	d, err := pdfdoc.New(title, municipality)
	if err != nil {
		return nil, err
	}
	d.Write(title, true, 16)
	d.Para(municipality + ". Maskerade uppgifter är ersatta med █████ och den rättsliga grunden.")
	if len(recs) == 0 {
		d.Para("Inga handlingar lämnas ut.")
	}
	for _, r := range recs {
		d.Heading("Handling " + strconv.FormatInt(r.Seq, 10) + ": " + r.Kind)
		d.Field("Kanal", r.Channel+" ("+r.Platform+")")
		d.Field("Riktning", r.Direction)
		d.Field("Avsändare", r.Author)
		d.Field("Publicerad", r.PostedAt)
		if r.Permalink != "" {
			d.Field("Länk", r.Permalink)
		}
		if r.ContentType != "" {
			d.Field("Filtyp och storlek", r.ContentType+", "+strconv.FormatInt(r.Size, 10)+" byte")
			d.Hashed("Filens SHA-256", "", r.SHA256)
		}
		d.Hashed("Nummer i arkivet", strconv.FormatInt(r.Seq, 10), r.Hash)
		d.Space(4)
		d.Post("Text", r.Text, 0, false)
	}
	return d.Bytes()
}
