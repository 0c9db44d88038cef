package snapshot

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
	"tilltal/internal/pdfdoc"
)

// view is what a snapshot shows, read once and rendered twice.
type view struct {
	Channel, Platform, Permalink string
	Reason                       string
	From, To, TakenAt            string
	Threads                      []thread
	Truncated                    bool

	departmentID int64
	from, to     time.Time
	items        int
	// text is the snapshot's searchable text (secret items left out).
	text strings.Builder
}

type thread struct {
	Title, Permalink string
	Items            []entry
}

// entry is one item of a thread as the snapshot shows it.
type entry struct {
	Author, Kind, At, Note, Body string
	// Depth is 0 for the post, 1 for a comment, 2 for a reply.
	Depth int
}

// Header is the entry's line above its text.
func (e entry) Header() string {
	h := e.Author + " · " + e.At + " · " + e.Kind
	if e.Note != "" {
		h += " (" + e.Note + ")"
	}
	return h
}

// secretText stands in for the text of a secret item: the snapshot is a
// record anyone may ask for, the secret text is kept in its own records.
const secretText = "[Uppgiften omfattas av sekretess och visas inte i ögonblicksbilden.]"

// quarantineText stands in for the text of an item whose media is in
// quarantine (suspected child sexual abuse material).
const quarantineText = "[Inlägget har tagits bort under ett ärende och visas inte i ögonblicksbilden.]"

// load reads the channel's threads with activity in [from, to], newest
// first, with their items in order.
func load(ctx context.Context, tx *db.Tx, channelID int64, from, to time.Time) (*view, error) {
	v := &view{from: from, to: to, From: calendar.FormatDate(from), To: calendar.FormatDate(to), TakenAt: calendar.FormatDateTime(to)}
	err := tx.QueryRow(ctx, "SELECT name, platform, url, department_id FROM channels WHERE id = ?", channelID).Scan(&v.Channel, &v.Platform, &v.Permalink, &v.departmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("Kanalen finns inte")
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: channel: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, external_id, title, permalink FROM threads WHERE channel_id = ? AND kind = 'post'
		AND last_activity_at >= ? AND created_at <= ? ORDER BY last_activity_at DESC, id DESC LIMIT ?`, channelID, from, to, maxThreads+1)
	if err != nil {
		return nil, fmt.Errorf("snapshot: threads: %w", err)
	}
	type head struct {
		id                  int64
		ext, title, permalk string
	}
	var heads []head
	for rows.Next() {
		var h head
		if err := rows.Scan(&h.id, &h.ext, &h.title, &h.permalk); err != nil {
			rows.Close()
			return nil, err
		}
		heads = append(heads, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(heads) > maxThreads {
		heads, v.Truncated = heads[:maxThreads], true
	}
	for _, h := range heads {
		t := thread{Title: h.title, Permalink: h.permalk}
		es, more, err := v.entries(ctx, tx, h.id, h.ext)
		if err != nil {
			return nil, err
		}
		t.Items, v.Truncated = es, v.Truncated || more
		if t.Title == "" {
			t.Title = "Inlägg " + h.ext
		}
		v.Threads = append(v.Threads, t)
	}
	return v, nil
}

// entries reads a thread's items, the post first.
func (v *view) entries(ctx context.Context, tx *db.Tx, threadID int64, threadExt string) ([]entry, bool, error) {
	rows, err := tx.Query(ctx, `SELECT i.external_id, i.parent_external_id, i.kind, i.author_name, i.from_us, i.body, i.hidden, i.removed,
		i.posted_at, i.culled_at IS NOT NULL, COALESCE(c.class, ''), q.item_id IS NOT NULL FROM items i LEFT JOIN archive_item_classes c ON c.item_id = i.id
		LEFT JOIN media_quarantine q ON q.item_id = i.id
		WHERE i.thread_id = ? ORDER BY CASE WHEN i.external_id = ? THEN 0 ELSE 1 END, i.posted_at, i.id LIMIT ?`, threadID, threadExt, maxItemsPerThread+1)
	if err != nil {
		return nil, false, fmt.Errorf("snapshot: items: %w", err)
	}
	defer rows.Close()
	var out []entry
	for rows.Next() {
		var ext, parent, kind, author, body, class string
		var fromUs, hidden, removed, culled, quarantined bool
		var posted time.Time
		if err := rows.Scan(&ext, &parent, &kind, &author, &fromUs, &body, &hidden, &removed, &posted, &culled, &class, &quarantined); err != nil {
			return nil, false, err
		}
		e := entry{Author: author, Kind: kindLabel(kind), At: calendar.FormatDateTime(posted), Body: body}
		switch {
		case ext == threadExt:
			e.Depth = 0
		case parent == "" || parent == threadExt:
			e.Depth = 1
		default:
			e.Depth = 2
		}
		if fromUs {
			e.Author = v.Channel + " (kommunen)"
		}
		if e.Author == "" {
			e.Author = "Okänd"
		}
		var notes []string
		if hidden {
			notes = append(notes, "dold på plattformen")
		}
		if removed {
			notes = append(notes, "borttagen på plattformen")
		}
		switch {
		case quarantined:
			// Suspected child sexual abuse material: only its metadata,
			// never its text or media, in a snapshot or its search text.
			e.Body = quarantineText
			notes = append(notes, "i karantän")
		case class == "sekretess":
			e.Body = secretText
			notes = append(notes, "sekretess")
		case culled:
			notes = append(notes, "gallrad")
		default:
			v.text.WriteString(body)
			v.text.WriteByte('\n')
		}
		e.Note = strings.Join(notes, ", ")
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > maxItemsPerThread
	if more {
		out = out[:maxItemsPerThread]
	}
	v.items += len(out)
	return out, more, nil
}

func kindLabel(kind string) string {
	switch kind {
	case "post":
		return "inlägg"
	case "comment":
		return "kommentar"
	case "reply":
		return "svar"
	case "mention":
		return "omnämnande"
	}
	return kind
}

// renderPDF writes the snapshot as a flowing A4 document, one box per
// item, indented by depth; pages break as the document flows.
func renderPDF(v *view) ([]byte, error) {
	d, err := pdfdoc.New("Ögonblicksbild av "+v.Channel, "Tilltal")
	if err != nil {
		return nil, err
	}
	d.Write("Ögonblicksbild av "+v.Channel, true, 16)
	d.Space(6)
	d.Field("Plattform", v.Platform)
	if v.Permalink != "" {
		d.Field("Adress", v.Permalink)
	}
	d.Field("Period", v.From+" – "+v.To)
	d.Field("Tagen", v.TakenAt)
	d.Field("Anledning", v.Reason)
	d.Field("Innehåll", fmt.Sprintf("%d inlägg, %d poster", len(v.Threads), v.items))
	if v.Truncated {
		d.Para("Kanalen hade fler inlägg eller kommentarer än en ögonblicksbild rymmer; de nyaste trådarna är med. Allt finns i arkivets egna handlingar.")
	}
	if len(v.Threads) == 0 {
		d.Space(8)
		d.Para("Kanalen hade inga inlägg under perioden.")
	}
	for _, t := range v.Threads {
		d.Heading(t.Title)
		if t.Permalink != "" {
			d.Para(t.Permalink)
		}
		for _, e := range t.Items {
			d.Post(e.Header(), e.Body, float64(e.Depth)*24, false)
		}
	}
	return d.Bytes()
}

var page = template.Must(template.New("snapshot").Parse(`<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ögonblicksbild av {{.Channel}} {{.TakenAt}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a;background:#fff;line-height:1.5}
ol{list-style:none;padding:0}
article{border:1px solid #767676;border-radius:4px;padding:.5rem .75rem;margin:.5rem 0}
.d1{margin-left:1.5rem}.d2{margin-left:3rem}
article header{font-weight:bold;font-size:.95rem}
p.body{white-space:pre-wrap;margin:.25rem 0 0}
dt{font-weight:bold}
</style>
</head>
<body>
<main>
<h1>Ögonblicksbild av {{.Channel}}</h1>
<dl>
<dt>Plattform</dt><dd>{{.Platform}}</dd>
{{- if .Permalink}}<dt>Adress</dt><dd>{{.Permalink}}</dd>{{end}}
<dt>Period</dt><dd>{{.From}} – {{.To}}</dd>
<dt>Tagen</dt><dd>{{.TakenAt}}</dd>
<dt>Anledning</dt><dd>{{.Reason}}</dd>
<dt>Innehåll</dt><dd>{{len .Threads}} inlägg</dd>
</dl>
{{- if .Truncated}}
<p>Kanalen hade fler inlägg eller kommentarer än en ögonblicksbild rymmer; de nyaste trådarna är med. Allt finns i arkivets egna handlingar.</p>
{{- end}}
{{- if not .Threads}}
<p>Kanalen hade inga inlägg under perioden.</p>
{{- end}}
{{- range $i, $t := .Threads}}
<section aria-labelledby="t{{$i}}">
<h2 id="t{{$i}}">{{$t.Title}}</h2>
{{- if $t.Permalink}}<p>{{$t.Permalink}}</p>{{end}}
<ol>
{{- range $t.Items}}
<li class="d{{.Depth}}"><article><header>{{.Header}}</header><p class="body">{{.Body}}</p></article></li>
{{- end}}
</ol>
</section>
{{- end}}
</main>
</body>
</html>
`))

// renderHTML writes the snapshot as one accessible HTML page; the
// template escapes every text from the platform.
func renderHTML(v *view) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
