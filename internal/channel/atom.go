package channel

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Feed describes the Atom feed of changes to the public list.
type Feed struct {
	// BaseURL is Tilltal's public address; the feed's ids and links hang
	// off it.
	BaseURL      string
	Municipality string
	// Updated is used when there are no changes yet.
	Updated time.Time
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary atomText `xml:"summary"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// Atom renders the changes as an Atom feed (RFC 4287) for the website's
// CMS and for anyone who follows the list. Entry ids are tag URIs (RFC
// 4151) on the server's host and the change's date, so they never change.
func Atom(f Feed, changes []PublicChange) ([]byte, error) {
	base := strings.TrimRight(f.BaseURL, "/")
	host := "tilltal.invalid"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	updated := f.Updated
	if len(changes) > 0 {
		updated = changes[0].At
	}
	feed := atomFeed{
		Lang:    "sv",
		Title:   f.Municipality + " – ändringar i kanalförteckningen",
		ID:      base + "/kanaler.atom",
		Updated: stamp(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/kanaler.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/kanaler"},
		},
		Author: atomPerson{Name: f.Municipality},
	}
	for _, c := range changes {
		link := c.Channel.URL
		if link == "" || c.What == "removed" {
			link = base + "/kanaler"
		}
		feed.Entries = append(feed.Entries, atomEntry{
			Title:   c.Title(),
			ID:      fmt.Sprintf("tag:%s,%s:kanaler/andring/%d", host, c.At.UTC().Format(time.DateOnly), c.EventID),
			Updated: stamp(c.At),
			Link:    atomLink{Rel: "alternate", Href: link},
			Summary: atomText{Type: "text", Body: summary(c)},
		})
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("channel: atom: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

func summary(c PublicChange) string {
	ch := c.Channel
	s := fmt.Sprintf("%s på %s, %s.", ch.Name, ch.Platform.Label(), ch.DepartmentName)
	if c.What != "removed" && ch.Purpose != "" {
		s += " " + ch.Purpose
	}
	if c.What == "removed" {
		s += " Kanalen finns inte längre med i kommunens kanalförteckning."
	}
	return s
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
