package incident

import (
	"bytes"
	"html/template"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/inbox"
)

// stamp writes an instant to the second in Swedish time with its zone, the
// way a police report needs it: "2026-11-23 14:05:09 CET".
func stamp(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(calendar.Stockholm).Format("2006-01-02 15:04:05 MST")
}

// captureTemplate renders the comment in its thread as a page that needs
// nothing from outside: no scripts, no images, no fonts.
var captureTemplate = template.Must(template.New("capture").Funcs(template.FuncMap{"stamp": stamp}).Parse(`<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Återgiven skärmbild – {{.Item.ChannelName}}</title>
<style>
body{font-family:sans-serif;max-width:44rem;margin:2rem auto;color:#111}
header{border-bottom:2px solid #444;margin-bottom:1rem}
ol{list-style:none;padding:0}
li{border:1px solid #bbb;border-radius:6px;padding:.5rem .75rem;margin:.5rem 0;background:#fafafa}
li.reply{margin-left:2rem}
li.current{border:3px solid #b00020;background:#fff4f4}
.meta{color:#444;font-size:.85rem}
.text{white-space:pre-wrap;margin:.25rem 0}
</style></head><body>
<header><h1>Återgiven skärmbild</h1>
<p>Kanal: {{.Item.ChannelName}} ({{.Item.Platform}})<br>Fångad: {{stamp .Captured}}<br>
Publicerad: {{stamp .Item.PostedAt}}<br>Adress: {{.Item.Permalink}}</p>
<p>Inlägget i ärendet är markerat med röd ram. Återgivningen bygger på det som plattformen levererade till Tilltal.</p></header>
<ol>{{range .Thread}}<li class="{{if .ParentExternalID}}{{if ne .Kind "comment"}}reply{{end}}{{end}}{{if eq .ID $.Item.ID}} current{{end}}"{{if eq .ID $.Item.ID}} aria-current="true"{{end}}>
<p class="meta"><strong>{{if .FromUs}}{{.ChannelName}} (kommunen){{else}}{{.AuthorName}}{{end}}</strong> · {{stamp .PostedAt}}{{if .Hidden}} · dold{{end}}{{if .Removed}} · borttagen{{end}}</p>
<p class="text">{{.Body}}</p></li>{{end}}</ol>
</body></html>
`))

// captureHTML renders the item in its thread.
func captureHTML(it inbox.Item, thread []inbox.Item, captured time.Time) ([]byte, error) {
	if len(thread) == 0 {
		thread = []inbox.Item{it}
	}
	var b bytes.Buffer
	err := captureTemplate.Execute(&b, map[string]any{"Item": it, "Thread": thread, "Captured": captured})
	return b.Bytes(), err
}
