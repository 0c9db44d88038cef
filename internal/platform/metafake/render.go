package metafake

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const graphLayout = "2006-01-02T15:04:05-0700"

func gtime(t time.Time) string { return t.UTC().Format(graphLayout) }

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// fieldSet lists the top-level names in a fields parameter
// ("id,from{id,name},replies{id}" → id, from, replies).
func fieldSet(fields string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(fields); i++ {
		if i < len(fields) {
			switch fields[i] {
			case '{', '(':
				depth++
				continue
			case '}', ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		name := fields[start:i]
		if j := strings.IndexAny(name, "{(."); j >= 0 {
			name = name[:j]
		}
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
		start = i + 1
	}
	return out
}

// foreignFields are the fields that do not exist on a node type: asking
// for one fails as the Graph API fails.
var foreignFields = map[string][]string{
	TypePost:      {"parent", "attachment", "text", "hidden"},
	TypeComment:   {"attachments", "updated_time", "caption"},
	TypeIGMedia:   {"text", "parent_id", "hidden", "from"},
	TypeIGComment: {"caption", "media_type", "message", "is_hidden"},
}

var graphTypeName = map[string]string{TypePost: "Post", TypeComment: "Comment", TypeIGMedia: "IGMedia", TypeIGComment: "IGComment"}

func (s *Server) render(n *Node, fields []string) map[string]any {
	switch n.Type {
	case TypePost:
		m := map[string]any{"id": n.ID, "message": n.Text, "from": map[string]string{"id": n.FromID, "name": n.From},
			"created_time": gtime(n.Created), "updated_time": gtime(n.Updated), "is_hidden": n.Hidden,
			"permalink_url": "https://www.facebook.com/" + strings.Replace(n.ID, "_", "/posts/", 1)}
		switch {
		case n.ImageURL != "":
			m["attachments"] = map[string]any{"data": []any{map[string]any{"type": "photo", "media_type": "photo",
				"media": map[string]any{"image": map[string]any{"src": n.ImageURL, "height": 720, "width": 720}}, "url": m["permalink_url"]}}}
		case n.Link != "":
			m["attachments"] = map[string]any{"data": []any{map[string]any{"type": "share", "media_type": "link", "url": n.Link, "title": n.Link}}}
		}
		return m
	case TypeComment:
		m := map[string]any{"id": n.ID, "message": n.Text, "from": map[string]string{"id": n.FromID, "name": n.From},
			"created_time": gtime(n.Created), "is_hidden": n.Hidden, "can_hide": true,
			"permalink_url": "https://www.facebook.com/" + n.Owner + "?comment_id=" + n.ID}
		if p := s.nodes[n.Parent]; p != nil && p.Type == TypeComment {
			m["parent"] = map[string]string{"id": p.ID, "created_time": gtime(p.Created)}
		}
		return m
	case TypeIGMedia:
		return map[string]any{"id": n.ID, "caption": n.Text, "timestamp": gtime(n.Created), "username": n.From,
			"media_type": "IMAGE", "media_url": n.ImageURL, "permalink": "https://www.instagram.com/p/" + n.ID + "/",
			"comments_count": len(s.childrenLocked(n.ID, TypeIGComment)), "like_count": 0}
	case TypeIGComment:
		m := map[string]any{"id": n.ID, "text": n.Text, "timestamp": gtime(n.Created), "username": n.From,
			"from": map[string]string{"id": n.FromID, "username": n.From}, "hidden": n.Hidden, "like_count": 0}
		root := s.rootOf(n)
		m["media"] = map[string]string{"id": root.ID, "permalink": "https://www.instagram.com/p/" + root.ID + "/"}
		if p := s.nodes[n.Parent]; p != nil && p.Type == TypeIGComment {
			m["parent_id"] = p.ID
		}
		if contains(fields, "replies") {
			var rs []any
			for _, c := range s.childrenLocked(n.ID, TypeIGComment) {
				rs = append(rs, s.render(c, nil))
			}
			m["replies"] = map[string]any{"data": nonNil(rs)}
		}
		return m
	case TypeMessage:
		return map[string]any{"id": n.ID, "message": n.Text, "created_time": gtime(n.Created),
			"from": map[string]string{"id": n.FromID, "name": n.From, "username": n.From},
			"to":   map[string]any{"data": []any{map[string]string{"id": n.ToID}}}}
	case TypeIGUser:
		return map[string]any{"id": n.ID, "username": n.From}
	}
	return map[string]any{"id": n.ID, "name": n.From}
}

func (s *Server) childrenLocked(parent, typ string) []*Node {
	var out []*Node
	for _, id := range s.order {
		if n := s.nodes[id]; n.Parent == parent && n.Type == typ && !n.Deleted {
			out = append(out, n)
		}
	}
	return out
}

// paginate cuts one page out of items, with Meta's cursors and a next URL
// that carries the same query (token included) with a new after cursor.
func (s *Server) paginate(items []map[string]any, r *http.Request) reply {
	q := r.URL.Query()
	limit := s.PageSize
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	off := decodeCursor(q.Get("after"))
	if off > len(items) {
		off = len(items)
	}
	end := min(off+limit, len(items))
	data := make([]any, 0, end-off)
	for _, it := range items[off:end] {
		data = append(data, it)
	}
	body := map[string]any{"data": data}
	if end > off {
		paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(off), "after": encodeCursor(end)}}
		if end < len(items) {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("after", encodeCursor(end))
			if tok := r.Form.Get("access_token"); tok != "" {
				nq.Set("access_token", tok)
			}
			paging["next"] = s.URL + r.URL.Path + "?" + nq.Encode()
		}
		body["paging"] = paging
	}
	return ok(body)
}

func encodeCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(n)))
}

func decodeCursor(c string) int {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
