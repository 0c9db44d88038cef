package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"tilltal/internal/channel"
)

// The public channel list (kanalförteckning): what the municipality must
// publish on its website. It is the same for every visitor, signed in or
// not, so it is cached by validators: a website polling it gets 304 until
// the list changes.

// publicMaxAge is how long a browser or proxy may reuse the list before
// asking again (with If-None-Match).
const publicMaxAge = "public, max-age=300"

type kanalerData struct {
	Municipality string
	Groups       []channel.DepartmentGroup
	Count        int
	Updated      time.Time
	// Lang is "en" when the English version was asked for.
	Lang string
	// Embed is set for the variant shown in an iframe.
	Embed bool
}

// publicList loads what every public variant shows.
func (s *Server) publicList(r *http.Request) (kanalerData, []channel.PublicChannel, error) {
	list, err := s.Channels.PublicList(r.Context())
	if err != nil {
		return kanalerData{}, nil, err
	}
	d := kanalerData{Municipality: "Kommunen", Groups: channel.Group(list), Count: len(list)}
	if m, err := s.Org.GetMunicipality(r.Context()); err == nil {
		d.Municipality = m.Name
	}
	changes, err := s.Channels.PublicChanges(r.Context(), 1)
	if err != nil {
		return kanalerData{}, nil, err
	}
	if len(changes) > 0 {
		d.Updated = changes[0].At
	}
	if r.URL.Query().Get("lang") == "en" {
		d.Lang = "en"
	}
	return d, list, nil
}

// kanalerPage is GET /kanaler: the list as an accessible page.
func (s *Server) kanalerPage(w http.ResponseWriter, r *http.Request) error {
	return s.kanalerHTML(w, r, "layout.html")
}

// kanalerEmbed is GET /kanaler/inbaddning: the list alone, for an iframe
// on the municipality's website. It may be framed by any site: it is
// read-only and has nothing to click that acts, so framing it cannot
// trick anyone into doing something.
func (s *Server) kanalerEmbed(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *")
	w.Header().Del("X-Frame-Options")
	return s.kanalerHTML(w, r, "embed")
}

func (s *Server) kanalerHTML(w http.ResponseWriter, r *http.Request, tmpl string) error {
	d, _, err := s.publicList(r)
	if err != nil {
		return err
	}
	lang := "sv"
	if d.Lang == "en" {
		lang = "en"
	}
	d.Embed = tmpl == "embed"
	// Rendered without the person: the page must be the same for all.
	var buf bytes.Buffer
	if err := s.pages["kanaler"].ExecuteTemplate(&buf, tmpl, page{L: Localizer{Lang: lang}, Path: r.URL.Path, D: d}); err != nil {
		return err
	}
	serveCached(w, r, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

type publicChannelJSON struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Platform     string    `json:"platform"`
	PlatformName string    `json:"platform_name"`
	Handle       string    `json:"handle"`
	URL          string    `json:"url"`
	Purpose      string    `json:"purpose"`
	Department   deptJSON  `json:"department"`
	ActiveSince  time.Time `json:"active_since"`
}

type deptJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// kanalerJSON is GET /kanaler.json: the list for the website's CMS.
func (s *Server) kanalerJSON(w http.ResponseWriter, r *http.Request) error {
	d, list, err := s.publicList(r)
	if err != nil {
		return err
	}
	out := struct {
		Municipality string              `json:"municipality"`
		Updated      *time.Time          `json:"updated"`
		Channels     []publicChannelJSON `json:"channels"`
	}{Municipality: d.Municipality, Channels: []publicChannelJSON{}}
	if !d.Updated.IsZero() {
		u := d.Updated.UTC().Truncate(time.Second)
		out.Updated = &u
	}
	for _, c := range list {
		out.Channels = append(out.Channels, publicChannelJSON{ID: c.ID, Name: c.Name, Platform: string(c.Platform), PlatformName: c.Platform.Label(),
			Handle: c.Handle, URL: c.URL, Purpose: c.Purpose, Department: deptJSON{c.DepartmentID, c.DepartmentName, c.DepartmentCode}, ActiveSince: c.ActivatedAt.UTC().Truncate(time.Second)})
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	serveCached(w, r, "application/json; charset=utf-8", append(body, '\n'))
	return nil
}

// kanalerAtom is GET /kanaler.atom: the changes to the list as a feed.
func (s *Server) kanalerAtom(w http.ResponseWriter, r *http.Request) error {
	changes, err := s.Channels.PublicChanges(r.Context(), 50)
	if err != nil {
		return err
	}
	name := "Kommunen"
	if m, err := s.Org.GetMunicipality(r.Context()); err == nil {
		name = m.Name
	}
	// With no changes yet the feed's date must still be stable, or its
	// ETag would change on every request.
	body, err := channel.Atom(channel.Feed{BaseURL: s.Config.BaseURL, Municipality: name, Updated: time.Unix(0, 0)}, changes)
	if err != nil {
		return err
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	serveCached(w, r, "application/atom+xml; charset=utf-8", body)
	return nil
}

// serveCached writes body with a strong ETag of its content and answers a
// matching If-None-Match with 304 Not Modified. The tag is derived from the
// bytes, so every instance serving the same database agrees on it.
func serveCached(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", publicMaxAge)
	h.Set("Vary", "Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
