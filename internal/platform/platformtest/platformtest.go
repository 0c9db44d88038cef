// Package platformtest drives a connector against answers a test makes up,
// for the fuzz tests of every connector's reading of platform answers:
// whatever a platform (or someone in the middle) sends back, a connector
// must not panic, must not loop, must classify its failures and must not
// put the credentials into an error.
package platformtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"tilltal/internal/platform"
)

// Statuses are the HTTP statuses an answer's first byte picks from.
var Statuses = []int{200, 201, 204, 400, 401, 403, 404, 429, 500, 503, 302, 200, 200, 200, 200, 200}

// MaxRequests bounds the requests one exercise may make: more means a
// paging or retry loop that an answer can keep going.
const MaxRequests = 2000

// Script answers requests in turn from canned answers, starting over at the
// end. A script is the answers joined by NUL bytes; each answer is an
// optional byte below 16 choosing its status from Statuses (200 without
// it), header lines, an empty line and the body
// ("\x07Retry-After: 5\n\n{...}"). Text without the empty line is all body.
type Script struct {
	t        testing.TB
	answers  []answer
	next     int
	Requests int
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// NewScript reads a script; the empty script answers 200 with no body.
func NewScript(t testing.TB, script []byte) *Script {
	s := &Script{t: t}
	for _, part := range bytes.Split(script, []byte{0}) {
		a := answer{status: 200, header: http.Header{}}
		if len(part) > 0 && int(part[0]) < len(Statuses) {
			a.status = Statuses[part[0]]
			part = part[1:]
		}
		if head, body, ok := bytes.Cut(part, []byte("\n\n")); ok {
			h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(head, '\r', '\n', '\r', '\n')))).ReadMIMEHeader()
			if err == nil {
				a.header = http.Header(h)
				part = body
			}
		}
		a.body = part
		s.answers = append(s.answers, a)
	}
	return s
}

// Client is an HTTP client answered by the script.
func (s *Script) Client() *http.Client { return &http.Client{Transport: s} }

// RoundTrip answers the next request.
func (s *Script) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	s.Requests++
	if s.Requests > MaxRequests {
		s.t.Errorf("more than %d requests: %s %s", MaxRequests, r.Method, r.URL)
		return nil, errors.New("platformtest: too many requests")
	}
	a := s.answers[s.next%len(s.answers)]
	s.next++
	h := a.header.Clone()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return &http.Response{StatusCode: a.status, Status: http.StatusText(a.status), Header: h, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: r}, nil
}

// Credentials are what Exercise acts with, and ClientSecret is the app's
// secret for a test to configure the connector with; no error may contain
// any of them.
var (
	Credentials  = platform.Credentials{AccountID: "1789", AccessToken: "atok-9f3be1c7", RefreshToken: "rtok-5d21aa0e"}
	ClientSecret = "csec-0b7d4e21"
)

// Exercise calls every method of c that reads a platform's answers: Poll
// (from no cursor and from cursor), Fetch and Reply, SetHidden and Delete
// on each id, Publish and CheckToken, and RefreshCredentials when c has
// it. It checks what holds whatever the answers: no error carries a
// secret (unless the script itself holds it), a *platform.Error names c's
// platform and waits no negative time, events and objects have their
// identity.
func Exercise(t testing.TB, c platform.Connector, s *Script, script []byte, cursor platform.Cursor, ids ...string) {
	ctx := context.Background()
	cred := Credentials
	check := func(what string, err error) {
		if err == nil {
			return
		}
		msg := err.Error()
		for _, secret := range []string{cred.AccessToken, cred.RefreshToken, ClientSecret} {
			if strings.Contains(msg, secret) && !bytes.Contains(script, []byte(secret)) {
				t.Fatalf("%s: the error shows a secret: %v", what, err)
			}
		}
		var pe *platform.Error
		if errors.As(err, &pe) {
			if pe.Platform != c.Name() {
				t.Fatalf("%s: error of platform %q from %q", what, pe.Platform, c.Name())
			}
			if pe.RetryAfter < 0 {
				t.Fatalf("%s: RetryAfter %v", what, pe.RetryAfter)
			}
		}
	}
	for _, cur := range []platform.Cursor{"", cursor} {
		events, _, err := c.Poll(ctx, cred, cur)
		check("Poll", err)
		for _, e := range events {
			if e.EventID == "" || e.AccountID == "" || e.Platform != c.Name() {
				t.Fatalf("Poll: event without identity: %+v", e)
			}
		}
	}
	for _, id := range ids {
		o, err := c.Fetch(ctx, cred, id)
		check("Fetch "+id, err)
		if err == nil && o.ExternalID == "" {
			t.Fatalf("Fetch %s: object without an id: %+v", id, o)
		}
		_, err = c.Reply(ctx, cred, id, "Hej! /Rut")
		check("Reply "+id, err)
		_, err = c.SetHidden(ctx, cred, id, true)
		check("SetHidden "+id, err)
		_, err = c.Delete(ctx, cred, id)
		check("Delete "+id, err)
	}
	_, err := c.Publish(ctx, cred, platform.PostRequest{Text: "Simhallen öppnar", Link: "https://exempelby.se", ImageURL: "https://exempelby.se/bild.png", AltText: "Bild"})
	check("Publish", err)
	_, err = c.CheckToken(ctx, cred)
	check("CheckToken", err)
	if r, ok := c.(interface {
		RefreshCredentials(context.Context, platform.Credentials) (platform.Credentials, error)
	}); ok {
		_, err := r.RefreshCredentials(ctx, cred)
		check("RefreshCredentials", err)
	}
}
