// Package youtubefake is a local stand-in for the YouTube Data API v3 and
// Google's OAuth token endpoints, speaking their wire format (resources,
// pageToken paging, Google's error bodies, quota costs). Tests script it:
// videos and comments, moderation state, expired tokens, an exhausted
// quota, outages. It records every request, headers included.
package youtubefake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"time"
)

// Request is one recorded request.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Fault makes matching requests fail. Method and Path (a substring of the
// path) narrow it; Reason fills Google's error body; Times is how often it
// fires (0 means once).
type Fault struct {
	Method     string
	Path       string
	Status     int
	Reason     string
	RetryAfter string
	Times      int
}

// Video is a video as the fake keeps it.
type Video struct {
	ID           string
	ChannelID    string
	ChannelTitle string
	Title        string
	Description  string
	Published    time.Time
}

// Comment is a comment as the fake keeps it. A top-level comment's id is
// also its thread's id.
type Comment struct {
	ID         string
	VideoID    string
	ChannelID  string // the channel the comment belongs to
	ParentID   string
	AuthorID   string
	AuthorName string
	Text       string
	Status     string // published, heldForReview, likelySpam, rejected
	Published  time.Time
	Updated    time.Time
}

// Costs are the quota units the fake charges per call, as YouTube does.
var Costs = map[string]int{
	"GET /commentThreads": 1, "GET /comments": 1, "GET /videos": 1, "GET /channels": 1,
	"POST /comments": 50, "POST /commentThreads": 50, "POST /comments/setModerationStatus": 50, "DELETE /comments": 50,
}

// Server is the fake. Safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu         sync.Mutex
	now        func() time.Time
	tokens     map[string]string // access token → channel id
	expired    map[string]bool
	refresh    map[string]string
	videos     map[string]*Video
	comments   map[string]*Comment
	faults     []*Fault
	requests   []Request
	quotaLimit int
	quotaUsed  int
	pageMax    int
	inThread   int
	seq        int
}

// New starts a fake with no quota limit, 100 items a page and up to 5
// replies included in a thread.
func New() *Server {
	s := &Server{now: func() time.Time { return time.Now().UTC() }, tokens: map[string]string{},
		expired: map[string]bool{}, refresh: map[string]string{}, videos: map[string]*Video{},
		comments: map[string]*Comment{}, pageMax: 100, inThread: 5}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the API base (TILLTAL_YOUTUBE_API_URL).
func (s *Server) URL() string { return s.srv.URL + "/youtube/v3" }

// TokenURL is the OAuth token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// TokenInfoURL is the tokeninfo endpoint.
func (s *Server) TokenInfoURL() string { return s.srv.URL + "/tokeninfo" }

// Client is an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// SetNow fixes the fake's clock.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetPageMax caps the items of every page, to force paging.
func (s *Server) SetPageMax(n int) { s.mu.Lock(); s.pageMax = n; s.mu.Unlock() }

// SetRepliesInThread sets how many replies commentThreads.list includes.
func (s *Server) SetRepliesInThread(n int) { s.mu.Lock(); s.inThread = n; s.mu.Unlock() }

// SetQuota limits the units the fake grants (0 = unlimited) and resets the
// count.
func (s *Server) SetQuota(limit int) {
	s.mu.Lock()
	s.quotaLimit, s.quotaUsed = limit, 0
	s.mu.Unlock()
}

// QuotaUsed is the units charged so far.
func (s *Server) QuotaUsed() int { s.mu.Lock(); defer s.mu.Unlock(); return s.quotaUsed }

// AddToken makes token valid for channel.
func (s *Server) AddToken(token, channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = channel
	delete(s.expired, token)
}

// ExpireToken makes token answer 401.
func (s *Server) ExpireToken(token string) { s.mu.Lock(); s.expired[token] = true; s.mu.Unlock() }

// AddRefreshToken makes refresh exchangeable for access (for channel).
func (s *Server) AddRefreshToken(refresh, access, channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[refresh] = access + "\x00" + channel
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Requests returns what was asked so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// AddVideo adds a video to channel and returns its 11-character id.
func (s *Server) AddVideo(channel, title string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	v := &Video{ID: fmt.Sprintf("vid%08d", s.seq), ChannelID: channel, ChannelTitle: "Exempelby kommun",
		Title: title, Description: "Beskrivning av " + title, Published: at}
	s.videos[v.ID] = v
	return v.ID
}

// AddComment adds a top-level comment on a video and returns its id.
func (s *Server) AddComment(videoID, authorID, authorName, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addTop(videoID, authorID, authorName, text, "published", at).ID
}

// AddHeldComment adds a top-level comment YouTube held for review.
func (s *Server) AddHeldComment(videoID, authorID, authorName, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addTop(videoID, authorID, authorName, text, "heldForReview", at).ID
}

func (s *Server) addTop(videoID, authorID, authorName, text, status string, at time.Time) *Comment {
	s.seq++
	c := &Comment{ID: fmt.Sprintf("Ugz%019dAaABAg", s.seq), VideoID: videoID, ChannelID: s.videos[videoID].ChannelID,
		AuthorID: authorID, AuthorName: authorName, Text: text, Status: status, Published: at, Updated: at}
	s.comments[c.ID] = c
	return c
}

// AddReply adds a reply to a top-level comment and returns its id.
func (s *Server) AddReply(parentID, authorID, authorName, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addReply(s.comments[parentID], authorID, authorName, text, at).ID
}

func (s *Server) addReply(parent *Comment, authorID, authorName, text string, at time.Time) *Comment {
	s.seq++
	c := &Comment{ID: fmt.Sprintf("%s.9%021d", parent.ID, s.seq), VideoID: parent.VideoID, ChannelID: parent.ChannelID,
		ParentID: parent.ID, AuthorID: authorID, AuthorName: authorName, Text: text, Status: "published",
		Published: at, Updated: at}
	s.comments[c.ID] = c
	return c
}

// EditComment changes a comment's text as its author would.
func (s *Server) EditComment(id, text string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.comments[id]; c != nil {
		c.Text, c.Updated = text, at
	}
}

// RemoveComment deletes a comment as its author would.
func (s *Server) RemoveComment(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.comments {
		if k == id || c.ParentID == id {
			delete(s.comments, k)
		}
	}
}

// Comment returns a comment's state.
func (s *Server) Comment(id string) (Comment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[id]
	if !ok {
		return Comment{}, false
	}
	return *c, true
}

// threads lists channel's top-level comments in status, newest first.
func (s *Server) threads(channel, status string) []*Comment {
	var out []*Comment
	for _, c := range s.comments {
		if c.ParentID == "" && c.ChannelID == channel && c.Status == status {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Published.Equal(out[j].Published) {
			return out[i].Published.After(out[j].Published)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// replies lists a comment's published replies, oldest first.
func (s *Server) replies(parent string) []*Comment {
	var out []*Comment
	for _, c := range s.comments {
		if c.ParentID == parent && c.Status == "published" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Published.Equal(out[j].Published) {
			return out[i].Published.Before(out[j].Published)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func unescape(s string) string {
	v, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return v
}
