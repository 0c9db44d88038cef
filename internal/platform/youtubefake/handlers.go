package youtubefake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Header: r.Header.Clone(), Body: body})
	if s.fault(w, r) {
		return
	}
	switch r.URL.Path {
	case "/token":
		s.token(w, string(body))
		return
	case "/tokeninfo":
		s.tokenInfo(w, r.URL.Query().Get("access_token"))
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/youtube/v3")
	if !ok {
		writeErr(w, 404, "notFound", "global", "Not Found")
		return
	}
	channel, ok := s.auth(w, r)
	if !ok || !s.charge(w, r.Method+" "+path) {
		return
	}
	q := r.URL.Query()
	switch r.Method + " " + path {
	case "GET /commentThreads":
		s.listThreads(w, r, channel)
	case "GET /comments":
		s.listComments(w, r)
	case "POST /comments":
		s.insertComment(w, channel, body)
	case "POST /commentThreads":
		s.insertThread(w, channel, body)
	case "POST /comments/setModerationStatus":
		s.setModeration(w, channel, q.Get("id"), q.Get("moderationStatus"), q.Has("banAuthor"))
	case "DELETE /comments":
		s.deleteComment(w, channel, q.Get("id"))
	case "GET /videos":
		s.listVideos(w, q.Get("id"))
	case "GET /channels":
		writeJSON(w, 200, map[string]any{"kind": "youtube#channelListResponse", "etag": "e",
			"pageInfo": map[string]any{"totalResults": 1, "resultsPerPage": 5},
			"items":    []any{map[string]any{"kind": "youtube#channel", "etag": "e", "id": channel}}})
	default:
		writeErr(w, 404, "notFound", "global", "Not Found")
	}
}

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
		reason, domain := f.Reason, "global"
		if reason == "" {
			reason = map[int]string{400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound",
				500: "backendError", 503: "backendError"}[f.Status]
		}
		if reason == "quotaExceeded" {
			domain = "youtube.quota"
		}
		writeErr(w, f.Status, reason, domain, "Injected failure: "+reason)
		return true
	}
	return false
}

func (s *Server) auth(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	channel, ok := s.tokens[tok]
	if !ok || s.expired[tok] {
		writeErrBody(w, 401, map[string]any{"error": map[string]any{"code": 401,
			"message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
			"errors": []any{map[string]any{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
				"location": "Authorization", "locationType": "header"}},
			"status": "UNAUTHENTICATED"}})
		return "", false
	}
	return channel, true
}

// charge takes the call's units, answering quotaExceeded when the limit
// would be passed.
func (s *Server) charge(w http.ResponseWriter, op string) bool {
	cost := Costs[op]
	if s.quotaLimit > 0 && s.quotaUsed+cost > s.quotaLimit {
		writeErr(w, 403, "quotaExceeded", "youtube.quota",
			`The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.`)
		return false
	}
	s.quotaUsed += cost
	return true
}

func (s *Server) listThreads(w http.ResponseWriter, r *http.Request, channel string) {
	q := r.URL.Query()
	target := q.Get("allThreadsRelatedToChannelId")
	status := q.Get("moderationStatus")
	switch {
	case target == "" || !strings.Contains(q.Get("part"), "snippet"):
		writeErr(w, 400, "missingRequiredParameter", "youtube.parameter", "No filter selected.")
		return
	case status != "" && target != channel:
		writeErr(w, 403, "forbidden", "youtube.commentThread", "The comment thread could not be retrieved due to insufficient permissions.")
		return
	case status == "":
		status = "published"
	}
	all := s.threads(target, status)
	start, n := s.page(q.Get("pageToken"), q.Get("maxResults"), 20)
	var items []any
	for i := start; i < len(all) && i < start+n; i++ {
		items = append(items, s.threadJSON(all[i], strings.Contains(q.Get("part"), "replies")))
	}
	writeJSON(w, 200, s.listJSON("youtube#commentThreadListResponse", items, start, n, len(all)))
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var list []*Comment
	switch {
	case q.Get("id") != "":
		for _, id := range strings.Split(q.Get("id"), ",") {
			if c := s.comments[id]; c != nil {
				list = append(list, c)
			}
		}
	case q.Get("parentId") != "":
		list = s.replies(q.Get("parentId"))
	default:
		writeErr(w, 400, "missingRequiredParameter", "youtube.parameter", "No filter selected.")
		return
	}
	start, n := s.page(q.Get("pageToken"), q.Get("maxResults"), 20)
	var items []any
	for i := start; i < len(list) && i < start+n; i++ {
		items = append(items, commentJSON(list[i]))
	}
	writeJSON(w, 200, s.listJSON("youtube#commentListResponse", items, start, n, len(list)))
}

type insertBody struct {
	Snippet struct {
		ParentID        string `json:"parentId"`
		TextOriginal    string `json:"textOriginal"`
		VideoID         string `json:"videoId"`
		TopLevelComment struct {
			Snippet struct {
				TextOriginal string `json:"textOriginal"`
			} `json:"snippet"`
		} `json:"topLevelComment"`
	} `json:"snippet"`
}

func (s *Server) insertComment(w http.ResponseWriter, channel string, body []byte) {
	var in insertBody
	if json.Unmarshal(body, &in) != nil || in.Snippet.TextOriginal == "" || in.Snippet.ParentID == "" {
		writeErr(w, 400, "invalidCommentMetadata", "youtube.comment", "The request metadata is invalid.")
		return
	}
	parent := s.comments[in.Snippet.ParentID]
	switch {
	case parent == nil:
		writeErr(w, 404, "parentCommentNotFound", "youtube.comment", "The parent comment could not be found.")
		return
	case parent.ParentID != "":
		writeErr(w, 400, "operationNotSupported", "youtube.comment", "Replies can only answer a top-level comment.")
		return
	}
	c := s.addReply(parent, channel, "Exempelby kommun", in.Snippet.TextOriginal, s.now())
	writeJSON(w, 200, commentJSON(c))
}

func (s *Server) insertThread(w http.ResponseWriter, channel string, body []byte) {
	var in insertBody
	if json.Unmarshal(body, &in) != nil || in.Snippet.TopLevelComment.Snippet.TextOriginal == "" {
		writeErr(w, 400, "invalidCommentMetadata", "youtube.commentThread", "The request metadata is invalid.")
		return
	}
	if s.videos[in.Snippet.VideoID] == nil {
		writeErr(w, 404, "videoNotFound", "youtube.commentThread", "The video could not be found.")
		return
	}
	c := s.addTop(in.Snippet.VideoID, channel, "Exempelby kommun", in.Snippet.TopLevelComment.Snippet.TextOriginal, "published", s.now())
	writeJSON(w, 200, s.threadJSON(c, false))
}

func (s *Server) setModeration(w http.ResponseWriter, channel, id, status string, ban bool) {
	c := s.comments[id]
	switch {
	case status != "heldForReview" && status != "published" && status != "rejected":
		writeErr(w, 400, "invalidModerationStatus", "youtube.parameter", "Invalid moderationStatus.")
	case ban && status != "rejected":
		writeErr(w, 400, "banWithoutReject", "youtube.comment", "The banAuthor parameter can only be used if the moderationStatus parameter value is rejected.")
	case c == nil:
		writeErr(w, 404, "commentNotFound", "youtube.comment", "One or more of the comments that the request is trying to update cannot be found.")
	case c.ChannelID != channel:
		writeErr(w, 403, "forbidden", "youtube.comment", "The moderation status of one or more comments cannot be set due to insufficient permissions.")
	case c.Status == "rejected" && status == "published":
		writeErr(w, 400, "processingFailure", "youtube.comment", "A rejected comment cannot be published again.")
	default:
		c.Status = status
		w.WriteHeader(204)
	}
}

func (s *Server) deleteComment(w http.ResponseWriter, channel, id string) {
	c := s.comments[id]
	switch {
	case c == nil:
		writeErr(w, 404, "commentNotFound", "youtube.comment", "The comment could not be found.")
	case c.AuthorID != channel:
		writeErr(w, 403, "forbidden", "youtube.comment", "The comment could not be deleted due to insufficient permissions.")
	default:
		for k, o := range s.comments {
			if k == id || o.ParentID == id {
				delete(s.comments, k)
			}
		}
		w.WriteHeader(204)
	}
}

func (s *Server) listVideos(w http.ResponseWriter, ids string) {
	var items []any
	for _, id := range strings.Split(ids, ",") {
		v := s.videos[id]
		if v == nil {
			continue
		}
		items = append(items, map[string]any{"kind": "youtube#video", "etag": "e", "id": v.ID, "snippet": map[string]any{
			"publishedAt": v.Published, "channelId": v.ChannelID, "title": v.Title, "description": v.Description,
			"channelTitle": v.ChannelTitle, "categoryId": "25", "liveBroadcastContent": "none",
			"thumbnails": map[string]any{"default": map[string]any{"url": "https://i.ytimg.com/vi/" + v.ID + "/default.jpg", "width": 120, "height": 90},
				"high": map[string]any{"url": "https://i.ytimg.com/vi/" + v.ID + "/hqdefault.jpg", "width": 480, "height": 360}}}})
	}
	writeJSON(w, 200, s.listJSON("youtube#videoListResponse", items, 0, len(items), len(items)))
}

func (s *Server) token(w http.ResponseWriter, body string) {
	form := map[string]string{}
	for _, kv := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(kv, "=")
		form[unescape(k)] = unescape(v)
	}
	if form["grant_type"] != "refresh_token" || form["client_id"] == "" || form["client_secret"] == "" {
		writeJSON(w, 400, map[string]any{"error": "invalid_request", "error_description": "Missing required parameter"})
		return
	}
	next, ok := s.refresh[form["refresh_token"]]
	if !ok {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
		return
	}
	access, channel, _ := strings.Cut(next, "\x00")
	s.tokens[access] = channel
	delete(s.expired, access)
	writeJSON(w, 200, map[string]any{"access_token": access, "expires_in": 3599, "token_type": "Bearer",
		"scope": "https://www.googleapis.com/auth/youtube.force-ssl"})
}

func (s *Server) tokenInfo(w http.ResponseWriter, tok string) {
	if _, ok := s.tokens[tok]; !ok || s.expired[tok] {
		writeJSON(w, 400, map[string]any{"error": "invalid_token", "error_description": "Invalid Value"})
		return
	}
	exp := s.now().Add(time.Hour)
	writeJSON(w, 200, map[string]any{"azp": "client.apps.googleusercontent.com", "aud": "client.apps.googleusercontent.com",
		"scope": "https://www.googleapis.com/auth/youtube.force-ssl", "exp": strconv.FormatInt(exp.Unix(), 10),
		"expires_in": "3600", "access_type": "offline"})
}

// page reads an opaque page token (the fake's is an offset) and maxResults.
func (s *Server) page(token, maxS string, def int) (int, int) {
	start := 0
	if token != "" {
		if b, err := base64.RawURLEncoding.DecodeString(token); err == nil {
			start, _ = strconv.Atoi(strings.TrimPrefix(string(b), "off:"))
		}
	}
	n, err := strconv.Atoi(maxS)
	if err != nil || n <= 0 {
		n = def
	}
	return start, min(n, 100, s.pageMax)
}

func (s *Server) listJSON(kind string, items []any, start, n, total int) map[string]any {
	m := map[string]any{"kind": kind, "etag": "e", "pageInfo": map[string]any{"totalResults": total, "resultsPerPage": n},
		"items": nonNil(items)}
	if start+n < total {
		m["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("off:%d", start+n)))
	}
	return m
}

func (s *Server) threadJSON(top *Comment, withReplies bool) map[string]any {
	replies := s.replies(top.ID)
	m := map[string]any{"kind": "youtube#commentThread", "etag": "e", "id": top.ID, "snippet": map[string]any{
		"channelId": top.ChannelID, "videoId": top.VideoID, "topLevelComment": commentJSON(top),
		"canReply": true, "totalReplyCount": len(replies), "isPublic": true}}
	if withReplies && len(replies) > 0 {
		var cs []any
		for i := 0; i < len(replies) && i < s.inThread; i++ {
			cs = append(cs, commentJSON(replies[i]))
		}
		m["replies"] = map[string]any{"comments": nonNil(cs)}
	}
	return m
}

func commentJSON(c *Comment) map[string]any {
	sn := map[string]any{"channelId": c.ChannelID, "videoId": c.VideoID, "textDisplay": c.Text, "textOriginal": c.Text,
		"authorDisplayName": c.AuthorName, "authorProfileImageUrl": "https://yt3.ggpht.com/" + c.AuthorID,
		"authorChannelUrl": "http://www.youtube.com/@" + strings.ToLower(strings.ReplaceAll(c.AuthorName, " ", "")),
		"authorChannelId":  map[string]any{"value": c.AuthorID}, "canRate": true, "viewerRating": "none", "likeCount": 0,
		"publishedAt": c.Published, "updatedAt": c.Updated}
	if c.ParentID != "" {
		sn["parentId"] = c.ParentID
	}
	if c.Status != "published" {
		sn["moderationStatus"] = c.Status
	}
	return map[string]any{"kind": "youtube#comment", "etag": "e", "id": c.ID, "snippet": sn}
}

func writeErr(w http.ResponseWriter, status int, reason, domain, msg string) {
	writeErrBody(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg,
		"errors": []any{map[string]any{"message": msg, "domain": domain, "reason": reason}}}})
}

func writeErrBody(w http.ResponseWriter, status int, body any) { writeJSON(w, status, body) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}
