// Package metafake is a local stand-in for Meta's Graph API that answers in
// Meta's wire format: nodes and edges for Facebook pages, posts, comments
// and messages and for Instagram accounts, media, comments, containers and
// mentions; /debug_token; cursor pagination with paging.next; and Meta's
// errors (code 190 for dead tokens, 100/33 for deleted objects, code 4 with
// X-App-Usage and X-Business-Use-Case-Usage for throttling). Tests script
// it — add objects, expire tokens, inject failures — and read back every
// request it got. Any package's tests may use it.
package metafake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Node types the fake keeps.
const (
	TypePage      = "page"
	TypePost      = "post"
	TypeComment   = "comment"
	TypeIGUser    = "ig_user"
	TypeIGMedia   = "ig_media"
	TypeIGComment = "ig_comment"
	TypeContainer = "container"
	TypeMessage   = "message"
)

// Node is one object on the fake platform.
type Node struct {
	ID      string
	Type    string
	Owner   string // the page or Instagram account it belongs to
	Parent  string // the post, comment or media it hangs under
	FromID  string
	From    string // a name on Facebook, a username on Instagram
	Text    string
	Created time.Time
	Updated time.Time
	Hidden  bool
	Deleted bool
	// ImageURL and Link are what a post or media shows; AltText its
	// description.
	ImageURL, Link, AltText string
	// ToID is a message's recipient.
	ToID string
	// Statuses is a container's status_code sequence; the last one stays.
	Statuses []string
	// CommentID is the comment a private reply answers.
	CommentID string
	polls     int
}

// containerStatus is the status_code a container shows now; each look
// moves it along its script.
func (n *Node) containerStatus(advance bool) string {
	st := n.Statuses[min(n.polls, len(n.Statuses)-1)]
	if advance {
		n.polls++
	}
	return st
}

// containerFinished: Meta lets a container be published once its
// processing has finished, whether or not anyone looked.
func (n *Node) containerFinished() bool {
	return n.Statuses[min(max(n.polls-1, 0), len(n.Statuses)-1)] == "FINISHED"
}

// Token is an access token the fake knows.
type Token struct {
	Value string
	// Accounts are the page and Instagram ids the token acts for.
	Accounts            []string
	Type                string // "PAGE", "USER"
	Valid               bool
	ExpiresAt           time.Time
	DataAccessExpiresAt time.Time
	Scopes              []string
}

// Request is one request the fake received.
type Request struct {
	Method  string
	Version string
	// Path is without the version: "123_456/comments".
	Path  string
	Query url.Values
	Form  url.Values
	Token string
}

// Fault is a scripted failure: the next Times requests whose method
// matches (empty for any) and whose path contains PathContains get Status
// and Body (a Graph error JSON) with Header. With Apply, the request takes
// effect first — Meta did it, but the answer was lost on the way.
type Fault struct {
	Method       string
	PathContains string
	Times        int
	Status       int
	Body         string
	Header       map[string]string
	Apply        bool
}

// Server is the fake Graph API.
type Server struct {
	*httptest.Server
	// PageSize is how many items one page of a list holds.
	PageSize int

	mu       sync.Mutex
	now      func() time.Time
	seq      int64
	nodes    map[string]*Node
	order    []string
	tokens   map[string]*Token
	requests []Request
	faults   []*Fault
	holds    []*Hold
	quota    map[string][2]int
	statuses []string
}

// New starts a fake; Close it when done.
func New() *Server {
	s := &Server{
		PageSize: 25,
		now:      func() time.Time { return time.Now().UTC() },
		seq:      17_900_000_000_000_000,
		nodes:    map[string]*Node{},
		tokens:   map[string]*Token{},
		quota:    map[string][2]int{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Start starts a fake closed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New()
	t.Cleanup(s.Close)
	return s
}

// SetNow fixes the fake's clock (created times of what it makes, reply
// windows).
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10)
}

func (s *Server) add(n *Node) *Node {
	if n.Created.IsZero() {
		n.Created = s.now()
	}
	n.Updated = n.Created
	s.nodes[n.ID] = n
	s.order = append(s.order, n.ID)
	s.touch(n.Parent, n.Created)
	return n
}

// touch moves a post's updated_time forward when something is added under it.
func (s *Server) touch(id string, at time.Time) {
	for id != "" {
		p, ok := s.nodes[id]
		if !ok {
			return
		}
		if at.After(p.Updated) {
			p.Updated = at
		}
		id = p.Parent
	}
}

// AddPage adds a Facebook page with a page token.
func (s *Server) AddPage(id, name, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(&Node{ID: id, Type: TypePage, Owner: id, FromID: id, From: name})
	s.addTokenLocked(token, "PAGE", id)
}

// AddIGUser adds an Instagram professional account reached with token.
func (s *Server) AddIGUser(id, username, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(&Node{ID: id, Type: TypeIGUser, Owner: id, FromID: id, From: username})
	s.addTokenLocked(token, "PAGE", id)
	s.quota[id] = [2]int{0, 100}
}

func (s *Server) addTokenLocked(token, typ, account string) {
	if t, ok := s.tokens[token]; ok {
		t.Accounts = append(t.Accounts, account)
		return
	}
	s.tokens[token] = &Token{Value: token, Type: typ, Accounts: []string{account}, Valid: true,
		DataAccessExpiresAt: s.now().Add(90 * 24 * time.Hour),
		Scopes:              []string{"pages_show_list", "pages_read_engagement", "pages_manage_posts", "pages_manage_engagement", "pages_messaging", "instagram_basic", "instagram_manage_comments", "instagram_content_publish", "instagram_manage_messages"}}
}

// SetToken changes what the fake knows of a token.
func (s *Server) SetToken(t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Value] = &t
}

// ExpireToken makes every later call with token fail with code 190/463.
func (s *Server) ExpireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[token]; ok {
		t.Valid = false
		t.ExpiresAt = s.now().Add(-time.Hour)
	}
}

// AddPost adds a post by the page.
func (s *Server) AddPost(pageID, text string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := pageID + "_" + s.nextID()
	s.add(&Node{ID: id, Type: TypePost, Owner: pageID, FromID: pageID, From: s.nodes[pageID].name(), Text: text, Created: created})
	return id
}

// AddComment adds a comment by a person under a post or comment.
func (s *Server) AddComment(parentID, fromID, fromName, text string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.nodes[parentID]
	if p == nil {
		panic("metafake: no parent " + parentID)
	}
	id := postNumber(s.rootOf(p).ID) + "_" + s.nextID()
	s.add(&Node{ID: id, Type: TypeComment, Owner: p.Owner, Parent: parentID, FromID: fromID, From: fromName, Text: text, Created: created})
	return id
}

// AddIGMedia adds a published image on an Instagram account.
func (s *Server) AddIGMedia(igID, caption, imageURL string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID()
	s.add(&Node{ID: id, Type: TypeIGMedia, Owner: igID, FromID: igID, From: s.nodes[igID].name(), Text: caption, ImageURL: imageURL, Created: created})
	return id
}

// AddIGComment adds a comment by a person on media, or a reply to a comment.
func (s *Server) AddIGComment(parentID, fromID, username, text string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.nodes[parentID]
	if p == nil {
		panic("metafake: no parent " + parentID)
	}
	id := s.nextID()
	s.add(&Node{ID: id, Type: TypeIGComment, Owner: p.Owner, Parent: parentID, FromID: fromID, From: username, Text: text, Created: created})
	return id
}

// AddMessage adds a direct message from a person to an account and returns
// its message id (mid).
func (s *Server) AddMessage(accountID, fromID, fromName, text string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(&Node{ID: "m_" + s.nextID(), Type: TypeMessage, Owner: accountID, FromID: fromID, From: fromName, ToID: accountID, Text: text, Created: created}).ID
}

// Delete removes an object as its author would: the Graph API then answers
// code 100/33 for it.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.nodes[id]; ok {
		n.Deleted = true
	}
}

// SetContainerStatuses scripts the status_code sequence of the next media
// containers, e.g. IN_PROGRESS, IN_PROGRESS, FINISHED (the default is
// FINISHED at once).
func (s *Server) SetContainerStatuses(seq ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = seq
}

// SetQuota sets an Instagram account's publishing quota use.
func (s *Server) SetQuota(igID string, used, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota[igID] = [2]int{used, total}
}

// Fail scripts a failure.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Throttle makes the next n matching requests fail with code 4 (application
// request limit) and usage headers asking to wait regainMinutes.
func (s *Server) Throttle(method, pathContains string, n, regainMinutes int) {
	s.Fail(Fault{Method: method, PathContains: pathContains, Times: n, Status: http.StatusBadRequest,
		Body: GraphError(4, 0, "OAuthException", "(#4) Application request limit reached"),
		Header: map[string]string{
			"X-App-Usage":               `{"call_count":100,"total_cputime":34,"total_time":61}`,
			"X-Business-Use-Case-Usage": fmt.Sprintf(`{"1000":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":25,"estimated_time_to_regain_access":%d}]}`, regainMinutes),
		}})
}

// ServerError makes the next n matching requests fail with a 500 and
// Meta's "unexpected error" (code 2, transient).
func (s *Server) ServerError(method, pathContains string, n int) {
	s.Fail(Fault{Method: method, PathContains: pathContains, Times: n, Status: http.StatusInternalServerError,
		Body: `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","is_transient":true,"code":2,"fbtrace_id":"AxFake500"}}`})
}

// GraphError renders a Graph API error body.
func GraphError(code, subcode int, typ, msg string) string {
	sub := ""
	if subcode != 0 {
		sub = fmt.Sprintf(`,"error_subcode":%d`, subcode)
	}
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"code":%d%s,"fbtrace_id":"AxFake%d"}}`, msg, typ, code, sub, code)
}

// Requests returns every request received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests matched method (empty for any) and a path
// containing pathContains.
func (s *Server) Count(method, pathContains string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, pathContains) {
			n++
		}
	}
	return n
}

// Node returns a copy of an object.
func (s *Server) Node(id string) (Node, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.nodes[id]
	if !ok {
		return Node{}, false
	}
	return *n, true
}

// Children returns the live objects directly under parentID, oldest first.
func (s *Server) Children(parentID string) []Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Node
	for _, id := range s.order {
		if n := s.nodes[id]; n.Parent == parentID && !n.Deleted {
			out = append(out, *n)
		}
	}
	return out
}

func (n *Node) name() string {
	if n == nil {
		return ""
	}
	return n.From
}

func (s *Server) rootOf(n *Node) *Node {
	for n.Parent != "" && s.nodes[n.Parent] != nil {
		n = s.nodes[n.Parent]
	}
	return n
}

// postNumber is the part of a post id after the page id.
func postNumber(postID string) string {
	if _, n, ok := strings.Cut(postID, "_"); ok {
		return n
	}
	return postID
}
