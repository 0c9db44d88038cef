package release

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/archive"
	"tilltal/internal/calendar"
)

// ReleasedRecord is a record as it leaves Tilltal: every field is already
// redacted. The HTML, the PDF and the manifest are written from these and
// nothing else.
type ReleasedRecord struct {
	Seq       int64  `json:"seq"`
	Kind      string `json:"kind"`
	Direction string `json:"direction"`
	Channel   string `json:"channel"`
	Platform  string `json:"platform"`
	Author    string `json:"author"`
	// PostedAt is when the record became visible on the platform.
	PostedAt  string `json:"posted_at"`
	Permalink string `json:"permalink,omitempty"`
	Hash      string `json:"hash"`
	Text      string `json:"text"`
	// Attachment metadata, for attachments.
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	File        string `json:"file"`
}

// kindLabels name record kinds in the release.
var kindLabels = map[archive.Kind]string{
	archive.KindItemVersion: "Inlägg eller kommentar",
	archive.KindReply:       "Svar från kommunen",
	archive.KindPost:        "Inlägg från kommunen",
	archive.KindAttachment:  "Bilaga",
}

var directionLabels = map[archive.Direction]string{archive.In: "inkommande", archive.Out: "utgående", archive.Internal: "upprättad"}

// redactedModel builds the released records: withheld and quarantined
// records are left out, redactions applied, withheld authors replaced by
// their marker (and their permalink left out, since it leads to them).
func redactedModel(recs []Selected, rs []Redaction) []ReleasedRecord {
	var out []ReleasedRecord
	for _, x := range recs {
		if x.Withheld || x.Quarantined {
			continue
		}
		r := x.Record
		var mine []Redaction
		for _, red := range rs {
			if red.Seq == x.Seq {
				mine = append(mine, red)
			}
		}
		rel := ReleasedRecord{Seq: r.Seq, Kind: kindLabels[r.Kind], Direction: directionLabels[r.Direction], Channel: x.ChannelName, Platform: platformName(r.Platform),
			Author: r.AuthorName, PostedAt: calendar.FormatDateTime(r.OccurredAt), Permalink: permalink(r), Hash: r.Hash,
			Text: Apply(x.Text(), mine), File: fmt.Sprintf("handlingar/handling-%d.html", r.Seq)}
		if x.AuthorWithheld {
			rel.Author, rel.Permalink = Marker(x.AuthorGround), ""
		}
		if r.Kind == archive.KindAttachment {
			var c archive.AttachmentContent
			_ = json.Unmarshal(r.Content, &c)
			rel.ContentType, rel.Size, rel.SHA256 = c.ContentType, c.Size, c.SHA256
		}
		out = append(out, rel)
	}
	return out
}

func platformName(p string) string {
	switch p {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	case "linkedin":
		return "LinkedIn"
	case "youtube":
		return "YouTube"
	}
	return p
}

// leakMin is the shortest secret the leak check looks for, in code
// points: shorter ones (a digit, an initial) occur by chance in dates,
// numbers and checksums.
const leakMin = 4

// secret is a passage that must not leave Tilltal, and where it came from.
type secret struct {
	text, where string
}

// secrets lists what the review kept back: redacted passages, withheld
// authors, the text of withheld records, and everything about quarantined
// media.
func secrets(recs []Selected, rs []Redaction) []secret {
	var out []secret
	add := func(s, where string) {
		if s = strings.TrimSpace(s); utf8.RuneCountInString(s) >= leakMin {
			out = append(out, secret{s, where})
		}
	}
	bySeq := map[int64]Selected{}
	for _, x := range recs {
		bySeq[x.Seq] = x
		r := x.Record
		switch {
		case x.Quarantined:
			add(x.Text(), fmt.Sprintf("handling %d (karantän)", x.Seq))
			var c archive.AttachmentContent
			_ = json.Unmarshal(r.Content, &c)
			add(c.URL, fmt.Sprintf("handling %d (karantän)", x.Seq))
			add(c.SHA256, fmt.Sprintf("handling %d (karantän)", x.Seq))
			add(r.Hash, fmt.Sprintf("handling %d (karantän)", x.Seq))
		case x.Withheld:
			add(x.Text(), fmt.Sprintf("handling %d (undantagen)", x.Seq))
		}
		if x.AuthorWithheld {
			add(r.AuthorName, fmt.Sprintf("avsändaren i handling %d", x.Seq))
			add(r.AuthorID, fmt.Sprintf("avsändaren i handling %d", x.Seq))
		}
	}
	for _, red := range rs {
		x, ok := bySeq[red.Seq]
		if !ok {
			continue
		}
		runes := []rune(x.Text())
		if red.Start >= 0 && red.End <= len(runes) && red.Start < red.End {
			add(string(runes[red.Start:red.End]), fmt.Sprintf("maskeringen i handling %d, tecken %d–%d", red.Seq, red.Start, red.End))
		}
	}
	return out
}

// forms are the ways a secret can be spelt in a file: as is, escaped for
// HTML, escaped for JSON.
func forms(s string) []string {
	j, _ := json.Marshal(s)
	return []string{s, html.EscapeString(s), strings.Trim(string(j), `"`)}
}

// leaks returns the first secret found in a named file, or "".
func leaks(name string, data []byte, ss []secret) string {
	for _, s := range ss {
		for _, f := range forms(s.text) {
			if strings.Contains(name, f) || strings.Contains(string(data), f) {
				return s.where
			}
		}
	}
	return ""
}

// zipTime is a time as a ZIP stamps it: local time in Stockholm.
func zipTime(t time.Time) time.Time { return t.In(calendar.Stockholm) }
