package linkedinfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	if f, ok := s.files[r.URL.Path]; ok && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", f.ctype)
		_, _ = w.Write(f.data)
		return
	}
	if s.fault(w, r) {
		return
	}
	switch {
	case r.URL.Path == "/oauth/v2/accessToken":
		s.accessToken(w, r, body)
	case r.URL.Path == "/oauth/v2/introspectToken":
		s.introspect(w, body)
	case strings.HasPrefix(r.URL.Path, "/upload/") && r.Method == http.MethodPut:
		s.upload(w, r, body)
	case strings.HasPrefix(r.URL.Path, "/rest/"):
		if member, ok := s.gate(w, r); ok {
			s.rest(w, r, body, member)
		}
	default:
		writeErr(w, 404, 0, "NOT_FOUND", "No such resource")
	}
}

// fault answers with the first matching injected fault.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != r.Method) || !strings.Contains(r.URL.Path, f.Path) {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			_, _ = io.WriteString(w, f.Body)
			return true
		}
		switch f.Status {
		case 429:
			writeErr(w, 429, 101, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.")
		case 426:
			writeErr(w, 426, 0, "NONEXISTENT_VERSION", "Requested version is not active")
		default:
			writeErr(w, f.Status, 0, http.StatusText(f.Status), "Injected failure")
		}
		return true
	}
	return false
}

// gate checks what every versioned call must carry: the version headers
// and a live bearer token.
func (s *Server) gate(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.Header.Get("LinkedIn-Version")
	switch {
	case v == "":
		writeErr(w, 400, 0, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.")
		return "", false
	case !s.versions[v]:
		writeErr(w, 426, 0, "NONEXISTENT_VERSION", fmt.Sprintf("Requested version %s is not active", v))
		return "", false
	case r.Header.Get("X-Restli-Protocol-Version") != "2.0.0":
		writeErr(w, 400, 0, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required")
		return "", false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	member, known := s.tokens[tok]
	switch {
	case !ok || !known:
		writeErr(w, 401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
		return "", false
	case s.expired[tok]:
		writeErr(w, 401, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
		return "", false
	}
	return member, true
}

func (s *Server) rest(w http.ResponseWriter, r *http.Request, body []byte, member string) {
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/rest/"), "/")
	switch {
	case seg[0] == "posts" && len(seg) == 1 && r.Method == http.MethodGet:
		s.listPosts(w, r)
	case seg[0] == "posts" && len(seg) == 1 && r.Method == http.MethodPost:
		s.createPost(w, body)
	case seg[0] == "posts" && len(seg) == 2 && r.Method == http.MethodGet:
		s.getPost(w, seg[1])
	case seg[0] == "posts" && len(seg) == 2 && r.Method == http.MethodDelete:
		s.deletePost(w, seg[1])
	case seg[0] == "socialActions" && len(seg) == 3 && seg[2] == "comments" && r.Method == http.MethodGet:
		s.listComments(w, r, seg[1])
	case seg[0] == "socialActions" && len(seg) == 3 && seg[2] == "comments" && r.Method == http.MethodPost:
		s.createComment(w, seg[1], body)
	case seg[0] == "socialActions" && len(seg) == 4 && r.Method == http.MethodGet:
		s.getComment(w, seg[1], seg[3])
	case seg[0] == "socialActions" && len(seg) == 4 && r.Method == http.MethodDelete:
		s.deleteComment(w, r, seg[1], seg[3])
	case seg[0] == "images" && len(seg) == 1 && r.Method == http.MethodPost && r.URL.Query().Get("action") == "initializeUpload":
		s.initUpload(w, body)
	case seg[0] == "images" && len(seg) == 2 && r.Method == http.MethodGet:
		s.getImage(w, seg[1])
	case seg[0] == "organizationAcls" && r.Method == http.MethodGet && r.URL.Query().Get("q") == "roleAssignee":
		s.listACLs(w, member)
	default:
		writeErr(w, 404, 0, "NOT_FOUND", "No virtual resource found")
	}
}

func (s *Server) listPosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("q") != "author" || q.Get("author") == "" {
		writeErr(w, 400, 0, "ILLEGAL_ARGUMENT", "q=author and author are required")
		return
	}
	var posts []*Post
	for _, p := range s.posts {
		if p.Author == q.Get("author") {
			posts = append(posts, p)
		}
	}
	sort.Slice(posts, func(i, j int) bool {
		if !posts[i].Created.Equal(posts[j].Created) {
			return posts[i].Created.After(posts[j].Created)
		}
		return posts[i].URN > posts[j].URN
	})
	start, count := s.window(q.Get("start"), q.Get("count"))
	var els []any
	for i := start; i < len(posts) && i < start+count; i++ {
		els = append(els, postJSON(posts[i]))
	}
	writeJSON(w, 200, collection(r, els, start, count, len(posts)))
}

func (s *Server) getPost(w http.ResponseWriter, urn string) {
	p := s.posts[urn]
	if p == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Post "+urn+" does not exist")
		return
	}
	writeJSON(w, 200, postJSON(p))
}

func (s *Server) createPost(w http.ResponseWriter, body []byte) {
	var in struct {
		Author         string `json:"author"`
		Commentary     string `json:"commentary"`
		Visibility     string `json:"visibility"`
		LifecycleState string `json:"lifecycleState"`
		Distribution   *struct {
			FeedDistribution string `json:"feedDistribution"`
		} `json:"distribution"`
		Content *struct {
			Article *struct{ Source, Title string } `json:"article"`
			Media   *struct {
				ID      string `json:"id"`
				AltText string `json:"altText"`
			} `json:"media"`
		} `json:"content"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Author == "" || in.Visibility == "" ||
		in.LifecycleState == "" || in.Distribution == nil {
		writeErr(w, 422, 0, "UNPROCESSABLE_ENTITY", "author, visibility, distribution and lifecycleState are required")
		return
	}
	p := &Post{Author: in.Author, Commentary: in.Commentary, Created: s.now(), Modified: s.now()}
	if in.Content != nil && in.Content.Article != nil {
		if in.Content.Article.Title == "" {
			writeErr(w, 422, 0, "UNPROCESSABLE_ENTITY", "/content/article/title is required")
			return
		}
		p.Article = in.Content.Article.Source
	}
	if in.Content != nil && in.Content.Media != nil {
		if s.images[in.Content.Media.ID] == nil {
			writeErr(w, 422, 0, "UNPROCESSABLE_ENTITY", "Image "+in.Content.Media.ID+" is not uploaded")
			return
		}
		p.Media, p.AltText = in.Content.Media.ID, in.Content.Media.AltText
	}
	urn := s.addPost(p)
	w.Header().Set("X-RestLi-Id", urn)
	w.WriteHeader(201)
}

func (s *Server) deletePost(w http.ResponseWriter, urn string) {
	if s.posts[urn] == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Post "+urn+" does not exist")
		return
	}
	delete(s.posts, urn)
	for k, c := range s.comments {
		if c.Post == urn {
			delete(s.comments, k)
		}
	}
	w.WriteHeader(204)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, target string) {
	var list []*Comment
	switch {
	case s.posts[target] != nil:
		list = s.children(target, "")
	case s.comments[target] != nil:
		list = s.children(s.comments[target].Post, target)
	default:
		writeErr(w, 404, 0, "NOT_FOUND", "Entity "+target+" does not exist")
		return
	}
	start, count := s.window(r.URL.Query().Get("start"), r.URL.Query().Get("count"))
	var els []any
	for i := start; i < len(list) && i < start+count; i++ {
		els = append(els, s.commentJSON(list[i]))
	}
	writeJSON(w, 200, collection(r, els, start, count, len(list)))
}

func (s *Server) getComment(w http.ResponseWriter, target, id string) {
	c := s.findComment(target, id)
	if c == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Comment "+id+" does not exist")
		return
	}
	writeJSON(w, 200, s.commentJSON(c))
}

func (s *Server) createComment(w http.ResponseWriter, target string, body []byte) {
	var in struct {
		Actor         string `json:"actor"`
		Object        string `json:"object"`
		ParentComment string `json:"parentComment"`
		Message       struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Actor == "" || in.Object == "" || in.Message.Text == "" {
		writeErr(w, 422, 0, "UNPROCESSABLE_ENTITY", "actor, object and message are required")
		return
	}
	if in.ParentComment != "" && in.ParentComment != target {
		writeErr(w, 400, 0, "ILLEGAL_ARGUMENT", "parentComment must match the target")
		return
	}
	if s.posts[target] == nil && s.comments[target] == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Entity "+target+" does not exist")
		return
	}
	c, err := s.addComment(target, in.Actor, in.Message.Text, s.now())
	if err != nil {
		writeErr(w, 400, 0, "ILLEGAL_ARGUMENT", err.Error())
		return
	}
	w.Header().Set("X-RestLi-Id", c.ID)
	writeJSON(w, 201, s.commentJSON(c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, target, id string) {
	c := s.findComment(target, id)
	if c == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Comment "+id+" does not exist")
		return
	}
	if r.URL.Query().Get("actor") == "" {
		writeErr(w, 400, 0, "ILLEGAL_ARGUMENT", "actor is required")
		return
	}
	s.removeComment(c.URN)
	w.WriteHeader(204)
}

func (s *Server) initUpload(w http.ResponseWriter, body []byte) {
	var in struct {
		InitializeUploadRequest struct {
			Owner string `json:"owner"`
		} `json:"initializeUploadRequest"`
	}
	if json.Unmarshal(body, &in) != nil || in.InitializeUploadRequest.Owner == "" {
		writeErr(w, 422, 0, "UNPROCESSABLE_ENTITY", "owner is required")
		return
	}
	s.seq++
	urn := fmt.Sprintf("urn:li:image:D4E10AQ%d", s.seq)
	path := fmt.Sprintf("/upload/%d", s.seq)
	s.uploads[path] = urn
	writeJSON(w, 200, map[string]any{"value": map[string]any{
		"uploadUrlExpiresAt": s.now().Add(time.Hour).UnixMilli(), "uploadUrl": s.srv.URL + path, "image": urn}})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, body []byte) {
	urn, ok := s.uploads[r.URL.Path]
	if !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		w.WriteHeader(403)
		return
	}
	s.images[urn] = body
	delete(s.uploads, r.URL.Path)
	s.files["/media/"+strings.TrimPrefix(urn, "urn:li:image:")] = file{http.DetectContentType(body), body}
	w.WriteHeader(201)
}

func (s *Server) getImage(w http.ResponseWriter, urn string) {
	if s.images[urn] == nil {
		writeErr(w, 404, 0, "NOT_FOUND", "Image "+urn+" does not exist")
		return
	}
	writeJSON(w, 200, map[string]any{"id": urn, "status": "AVAILABLE",
		"downloadUrl":          s.srv.URL + "/media/" + strings.TrimPrefix(urn, "urn:li:image:"),
		"downloadUrlExpiresAt": s.now().Add(time.Hour).UnixMilli()})
}

func (s *Server) listACLs(w http.ResponseWriter, member string) {
	var els []any
	for _, a := range s.roles[member] {
		els = append(els, map[string]any{"organization": a.org, "role": a.role, "roleAssignee": member, "state": "APPROVED"})
	}
	writeJSON(w, 200, map[string]any{"paging": map[string]any{"start": 0, "count": 10, "total": len(els), "links": []any{}},
		"elements": nonNil(els)})
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" ||
		r.PostForm.Get("client_id") == "" || r.PostForm.Get("client_secret") == "" {
		writeJSON(w, 400, map[string]any{"error": "invalid_request", "error_description": "A required parameter is missing"})
		return
	}
	next, ok := s.refresh[r.PostForm.Get("refresh_token")]
	if !ok {
		writeJSON(w, 400, map[string]any{"error": "invalid_request",
			"error_description": "The provided authorization grant or refresh token is invalid, expired or revoked"})
		return
	}
	access, member, _ := strings.Cut(next, "\x00")
	s.tokens[access] = member
	writeJSON(w, 200, map[string]any{"access_token": access, "expires_in": 5184000,
		"refresh_token": r.PostForm.Get("refresh_token"), "refresh_token_expires_in": 31536000,
		"scope": "r_organization_social,w_organization_social,rw_organization_admin"})
}

func (s *Server) introspect(w http.ResponseWriter, body []byte) {
	form := parseForm(string(body))
	tok := form["token"]
	_, known := s.tokens[tok]
	if !known || s.expired[tok] {
		status := "revoked"
		if s.expired[tok] {
			status = "expired"
		}
		writeJSON(w, 200, map[string]any{"active": false, "status": status})
		return
	}
	writeJSON(w, 200, map[string]any{"active": true, "status": "active", "client_id": form["client_id"],
		"authorized_at": s.now().Add(-time.Hour).Unix(), "created_at": s.now().Add(-time.Hour).Unix(),
		"expires_at": s.now().Add(59 * 24 * time.Hour).Unix(), "auth_type": "3L",
		"scope": "r_organization_social,w_organization_social,rw_organization_admin"})
}

// window reads start and count, capping count at pageMax.
func (s *Server) window(startS, countS string) (int, int) {
	start, _ := strconv.Atoi(startS)
	count, err := strconv.Atoi(countS)
	if err != nil || count <= 0 {
		count = 10
	}
	return max(start, 0), min(count, s.pageMax)
}

func collection(r *http.Request, els []any, start, count, total int) map[string]any {
	links := []any{}
	if start+count < total {
		q := r.URL.Query()
		q.Set("start", strconv.Itoa(start+count))
		q.Set("count", strconv.Itoa(count))
		links = append(links, map[string]any{"type": "application/json", "rel": "next",
			"href": r.URL.EscapedPath() + "?" + q.Encode()})
	}
	return map[string]any{"paging": map[string]any{"start": start, "count": count, "total": total, "links": links},
		"elements": nonNil(els)}
}

func postJSON(p *Post) map[string]any {
	m := map[string]any{"id": p.URN, "author": p.Author, "commentary": p.Commentary, "visibility": "PUBLIC",
		"lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false,
		"createdAt": p.Created.UnixMilli(), "lastModifiedAt": p.Modified.UnixMilli(), "publishedAt": p.Created.UnixMilli(),
		"distribution":       map[string]any{"feedDistribution": "MAIN_FEED", "targetEntities": []any{}, "thirdPartyDistributionChannels": []any{}},
		"lifecycleStateInfo": map[string]any{"isEditedByAuthor": p.Modified.After(p.Created)}}
	switch {
	case p.Article != "":
		m["content"] = map[string]any{"article": map[string]any{"source": p.Article, "title": p.Commentary}}
	case p.Media != "":
		m["content"] = map[string]any{"media": map[string]any{"id": p.Media, "altText": p.AltText}}
	}
	return m
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	n := 0
	if c.Parent == "" {
		n = len(s.children(c.Post, c.URN))
	}
	m := map[string]any{"id": c.ID, "commentUrn": c.URN, "$URN": c.URN, "actor": c.Actor, "object": c.Post,
		"message":         map[string]any{"text": c.Text, "attributes": []any{}},
		"created":         map[string]any{"actor": c.Actor, "time": c.Created.UnixMilli()},
		"lastModified":    map[string]any{"actor": c.Actor, "time": c.Modified.UnixMilli()},
		"likesSummary":    map[string]any{"selectedLikes": []any{}, "aggregatedTotalLikes": 0, "likedByCurrentUser": false, "totalLikes": 0},
		"commentsSummary": map[string]any{"selectedComments": []any{}, "aggregatedTotalComments": n, "totalFirstLevelComments": n}}
	if strings.HasPrefix(c.Actor, "urn:li:organization:") {
		m["agent"] = c.Actor
	}
	if c.Parent != "" {
		m["parentComment"] = c.Parent
	}
	if c.ImageURL != "" {
		m["content"] = []any{map[string]any{"type": "IMAGE", "url": c.ImageURL}}
	}
	return m
}

func writeErr(w http.ResponseWriter, status, serviceCode int, code, msg string) {
	m := map[string]any{"status": status, "code": code, "message": msg}
	if serviceCode != 0 {
		m["serviceErrorCode"] = serviceCode
	}
	writeJSON(w, status, m)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func nonNil(els []any) []any {
	if els == nil {
		return []any{}
	}
	return els
}

func parseForm(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, _ = urlUnescape(k)
		v, _ = urlUnescape(v)
		out[k] = v
	}
	return out
}
