// Package linkedinfake is a local stand-in for LinkedIn's versioned REST
// API and OAuth endpoints, speaking their wire format (Rest.li 2.0 JSON,
// paging, x-restli-id, LinkedIn's error bodies). Tests script it: posts and
// comments, expired tokens, retired versions, throttling, outages. It
// records every request, headers included.
package linkedinfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"time"

	"tilltal/internal/platform/linkedin"
)

// Request is one recorded request.
type Request struct {
	Method string
	// Path is decoded; EscapedPath is as sent.
	Path        string
	EscapedPath string
	Query       url.Values
	Header      http.Header
	Body        []byte
}

// Fault makes matching requests fail. Method and Path (a substring of the
// decoded path) narrow it; Times is how often it fires (0 means once).
type Fault struct {
	Method     string
	Path       string
	Status     int
	RetryAfter string
	// Body replaces LinkedIn's error body for Status.
	Body  string
	Times int
}

// Post is a post as the fake keeps it.
type Post struct {
	URN        string
	Author     string
	Commentary string
	Article    string // content.article.source
	Media      string // content.media.id
	AltText    string
	Created    time.Time
	Modified   time.Time
}

// Comment is a comment as the fake keeps it.
type Comment struct {
	URN      string
	ID       string
	Post     string // the post URN the comment lives under
	Parent   string // parent comment URN, for nested comments
	Actor    string
	Text     string
	ImageURL string
	Created  time.Time
	Modified time.Time
}

type acl struct{ org, role string }

// Server is the fake. Safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	now      func() time.Time
	versions map[string]bool
	tokens   map[string]string // access token → member URN
	expired  map[string]bool
	refresh  map[string]string // refresh token → next access token
	roles    map[string][]acl
	posts    map[string]*Post
	comments map[string]*Comment
	uploads  map[string]string // upload path → image URN
	images   map[string][]byte // image URN → bytes
	files    map[string]file
	faults   []*Fault
	requests []Request
	pageMax  int
	seq      int
}

type file struct {
	ctype string
	data  []byte
}

// New starts a fake that accepts linkedin.Version and pages by at most 10.
func New() *Server {
	s := &Server{now: func() time.Time { return time.Now().UTC() },
		versions: map[string]bool{linkedin.Version: true}, tokens: map[string]string{},
		expired: map[string]bool{}, refresh: map[string]string{}, roles: map[string][]acl{},
		posts: map[string]*Post{}, comments: map[string]*Comment{}, uploads: map[string]string{},
		images: map[string][]byte{}, files: map[string]file{}, pageMax: 10, seq: 7000000}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the API base (TILLTAL_LINKEDIN_API_URL).
func (s *Server) URL() string { return s.srv.URL }

// OAuthURL is the base of accessToken and introspectToken.
func (s *Server) OAuthURL() string { return s.srv.URL + "/oauth/v2" }

// Client is an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// SetNow fixes the fake's clock, used for what it creates itself.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// Accept replaces the versions the fake accepts; any other answers 426.
func (s *Server) Accept(versions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions = map[string]bool{}
	for _, v := range versions {
		s.versions[v] = true
	}
}

// SetPageMax caps every page's size, to force paging.
func (s *Server) SetPageMax(n int) { s.mu.Lock(); s.pageMax = n; s.mu.Unlock() }

// AddToken makes token valid for member.
func (s *Server) AddToken(token, member string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = member
	delete(s.expired, token)
}

// ExpireToken makes token answer 401 expired.
func (s *Server) ExpireToken(token string) { s.mu.Lock(); s.expired[token] = true; s.mu.Unlock() }

// AddRefreshToken makes refresh exchangeable for access (valid for member).
func (s *Server) AddRefreshToken(refresh, access, member string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[refresh] = access + "\x00" + member
}

// GrantRole gives member a role on org (organizationAcls).
func (s *Server) GrantRole(member, org, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[member] = append(s.roles[member], acl{org, role})
}

// RevokeRoles removes all of member's roles.
func (s *Server) RevokeRoles(member string) { s.mu.Lock(); delete(s.roles, member); s.mu.Unlock() }

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// ServeFile serves data at path (e.g. an image for Publish to fetch).
func (s *Server) ServeFile(path, ctype string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = file{ctype, data}
}

// Requests returns what was asked so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// AddPost creates a post by author and returns its URN.
func (s *Server) AddPost(author, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addPost(&Post{Author: author, Commentary: text, Created: at, Modified: at})
}

func (s *Server) addPost(p *Post) string {
	s.seq++
	p.URN = fmt.Sprintf("urn:li:share:%d", s.seq)
	s.posts[p.URN] = p
	return p.URN
}

// EditPost changes a post's text.
func (s *Server) EditPost(urn, text string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[urn]; p != nil {
		p.Commentary, p.Modified = text, at
	}
}

// AddComment comments on a post, or on a comment (nested), and returns the
// new comment's URN.
func (s *Server) AddComment(target, actor, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.addComment(target, actor, text, at)
	if err != nil {
		panic(err)
	}
	return c.URN
}

func (s *Server) addComment(target, actor, text string, at time.Time) (*Comment, error) {
	c := &Comment{Actor: actor, Text: text, Created: at, Modified: at}
	switch {
	case s.posts[target] != nil:
		c.Post = target
	case s.comments[target] != nil:
		parent := s.comments[target]
		if parent.Parent != "" {
			return nil, fmt.Errorf("linkedinfake: comments nest one level only")
		}
		c.Post, c.Parent = parent.Post, target
	default:
		return nil, fmt.Errorf("linkedinfake: no post or comment %s", target)
	}
	s.seq++
	c.ID = fmt.Sprint(s.seq)
	c.URN = "urn:li:comment:(" + c.Post + "," + c.ID + ")"
	s.comments[c.URN] = c
	return c, nil
}

// EditComment changes a comment's text as its author would.
func (s *Server) EditComment(urn, text string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.comments[urn]; c != nil {
		c.Text, c.Modified = text, at
	}
}

// RemoveComment deletes a comment (and its replies) as its author would.
func (s *Server) RemoveComment(urn string) { s.mu.Lock(); s.removeComment(urn); s.mu.Unlock() }

func (s *Server) removeComment(urn string) {
	delete(s.comments, urn)
	for k, c := range s.comments {
		if c.Parent == urn {
			delete(s.comments, k)
		}
	}
}

// Post returns a post's current state.
func (s *Server) Post(urn string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[urn]
	if !ok {
		return Post{}, false
	}
	return *p, true
}

// Comment returns a comment's current state.
func (s *Server) Comment(urn string) (Comment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[urn]
	if !ok {
		return Comment{}, false
	}
	return *c, true
}

// Image returns the bytes uploaded for an image URN.
func (s *Server) Image(urn string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.images[urn]
}

// children lists the comments directly under target, oldest first.
func (s *Server) children(post, parent string) []*Comment {
	var out []*Comment
	for _, c := range s.comments {
		if c.Post == post && c.Parent == parent {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// findComment resolves a socialActions target and comment id, accepting
// the post URN or the comment's own URN as the target.
func (s *Server) findComment(target, id string) *Comment {
	for _, c := range s.comments {
		if c.ID == id && (c.Post == target || c.URN == target || c.Parent == target) {
			return c
		}
	}
	return nil
}

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }
