package metafake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// edge answers GET and POST on an object's edge.
func (s *Server) edge(req Request, t *Token, id, edge string, r *http.Request) reply {
	n, exists := s.nodes[id]
	if !exists || n.Deleted {
		return notFound(id)
	}
	form := r.Form
	key := n.Type + " " + req.Method + " " + edge
	switch key {
	case "post GET comments", "comment GET comments":
		return s.listComments(n, r)
	case "post POST comments", "comment POST comments":
		return s.createComment(n, form.Get("message"))
	case "page GET feed", "page GET published_posts", "page GET posts":
		return s.listTop(n.ID, TypePost, r)
	case "page POST feed":
		return s.createPost(n, form.Get("message"), "", form.Get("link"), "")
	case "page POST photos":
		return s.createPost(n, form.Get("caption"), form.Get("url"), "", form.Get("alt_text_custom"))
	case "page POST subscribed_apps":
		if form.Get("subscribed_fields") == "" {
			return graphErr(http.StatusBadRequest, 100, 0, "(#100) The parameter subscribed_fields is required")
		}
		return ok(map[string]bool{"success": true})
	case "page POST messages", "ig_user POST messages":
		return s.sendMessage(n, t, form)
	case "ig_user GET media":
		return s.listTop(n.ID, TypeIGMedia, r)
	case "ig_user POST media":
		return s.createContainer(n, form)
	case "ig_user POST media_publish":
		return s.publishContainer(n, form.Get("creation_id"))
	case "ig_user GET content_publishing_limit":
		q := s.quota[n.ID]
		return ok(map[string]any{"data": []any{map[string]any{"quota_usage": q[0], "config": map[string]int{"quota_total": q[1], "quota_duration": 86400}}}})
	case "ig_user POST mentions":
		return s.replyMention(n, form)
	case "ig_media GET comments", "ig_comment GET replies":
		return s.listIGComments(n, r)
	case "ig_media POST comments", "ig_comment POST replies":
		return s.createIGComment(n, form.Get("message"))
	}
	return graphErr(http.StatusBadRequest, 100, 0, "(#100) Unsupported edge "+edge+" on this node")
}

func (s *Server) render1(fields string) func(n *Node) map[string]any {
	fs := fieldSet(fields)
	return func(n *Node) map[string]any { return s.render(n, fs) }
}

// listComments lists the comments under a post or comment: only the direct
// ones by default, every descendant with filter=stream; chronological
// unless order=reverse_chronological.
func (s *Server) listComments(n *Node, r *http.Request) reply {
	var out []*Node
	stream := r.Form.Get("filter") == "stream"
	for _, id := range s.order {
		c := s.nodes[id]
		if c.Type != TypeComment || c.Deleted {
			continue
		}
		if c.Parent == n.ID || (stream && s.isUnder(c, n.ID)) {
			out = append(out, c)
		}
	}
	sortByTime(out, r.Form.Get("order") == "reverse_chronological")
	return s.paginate(mapNodes(out, s.render1(r.Form.Get("fields"))), r)
}

func (s *Server) isUnder(n *Node, ancestor string) bool {
	for p := n.Parent; p != ""; {
		if p == ancestor {
			return true
		}
		pn := s.nodes[p]
		if pn == nil {
			return false
		}
		p = pn.Parent
	}
	return false
}

// listTop lists a page's posts or an account's media, newest first, from
// since (Unix seconds) on.
func (s *Server) listTop(owner, typ string, r *http.Request) reply {
	since, _ := strconv.ParseInt(r.Form.Get("since"), 10, 64)
	var out []*Node
	for _, id := range s.order {
		n := s.nodes[id]
		if n.Type == typ && n.Owner == owner && !n.Deleted && n.Created.Unix() >= since {
			out = append(out, n)
		}
	}
	sortByTime(out, true)
	return s.paginate(mapNodes(out, s.render1(r.Form.Get("fields"))), r)
}

func (s *Server) listIGComments(n *Node, r *http.Request) reply {
	out := s.childrenLocked(n.ID, TypeIGComment)
	return s.paginate(mapNodes(out, s.render1(r.Form.Get("fields"))), r)
}

func (s *Server) createComment(parent *Node, msg string) reply {
	if msg == "" {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) The parameter message is required")
	}
	// Facebook threads two levels deep: an answer to a reply goes under the
	// top comment.
	if pp := s.nodes[parent.Parent]; parent.Type == TypeComment && pp != nil && pp.Type == TypeComment {
		parent = pp
	}
	owner := s.nodes[parent.Owner]
	id := postNumber(s.rootOf(parent).ID) + "_" + s.nextID()
	s.add(&Node{ID: id, Type: TypeComment, Owner: parent.Owner, Parent: parent.ID, FromID: owner.ID, From: owner.name(), Text: msg})
	return ok(map[string]string{"id": id})
}

func (s *Server) createPost(page *Node, msg, image, link, alt string) reply {
	if msg == "" && image == "" && link == "" {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) Missing message or attachment")
	}
	id := page.ID + "_" + s.nextID()
	s.add(&Node{ID: id, Type: TypePost, Owner: page.ID, FromID: page.ID, From: page.name(), Text: msg, ImageURL: image, Link: link, AltText: alt})
	if image != "" {
		return ok(map[string]string{"id": s.nextID(), "post_id": id})
	}
	return ok(map[string]string{"id": id})
}

func (s *Server) createIGComment(parent *Node, msg string) reply {
	if msg == "" {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) The parameter message is required")
	}
	if pp := s.nodes[parent.Parent]; parent.Type == TypeIGComment && pp != nil && pp.Type == TypeIGComment {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) Replies to replies are not supported")
	}
	owner := s.nodes[parent.Owner]
	id := s.nextID()
	s.add(&Node{ID: id, Type: TypeIGComment, Owner: parent.Owner, Parent: parent.ID, FromID: owner.ID, From: owner.name(), Text: msg})
	return ok(map[string]string{"id": id})
}

func (s *Server) replyMention(user *Node, form url.Values) reply {
	target := form.Get("comment_id")
	if target == "" {
		target = form.Get("media_id")
	}
	n, exists := s.nodes[target]
	if !exists || n.Deleted {
		return notFound(target)
	}
	id := s.nextID()
	s.add(&Node{ID: id, Type: TypeIGComment, Owner: n.Owner, Parent: n.ID, FromID: user.ID, From: user.name(), Text: form.Get("message")})
	return ok(map[string]string{"id": id})
}

func (s *Server) createContainer(user *Node, form url.Values) reply {
	if form.Get("image_url") == "" && form.Get("video_url") == "" {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) The parameter image_url is required.")
	}
	seq := s.statuses
	if len(seq) == 0 {
		seq = []string{"FINISHED"}
	}
	id := s.nextID()
	now := s.now()
	s.add(&Node{ID: id, Type: TypeContainer, Owner: user.ID, Text: form.Get("caption"), ImageURL: form.Get("image_url"), AltText: form.Get("alt_text"), Statuses: seq, Created: now})
	return ok(map[string]string{"id": id})
}

func (s *Server) publishContainer(user *Node, creation string) reply {
	c, exists := s.nodes[creation]
	if !exists || c.Type != TypeContainer || c.Deleted {
		return graphErr(http.StatusBadRequest, 9007, 2207027, "Media ID is not available")
	}
	if !c.containerFinished() {
		return graphErr(http.StatusBadRequest, 9007, 2207027, "Media ID is not available")
	}
	q := s.quota[user.ID]
	if q[1] > 0 && q[0] >= q[1] {
		return graphErr(http.StatusBadRequest, 9, 2207042, "(#9) The maximum number of posts that can be published has been reached")
	}
	s.quota[user.ID] = [2]int{q[0] + 1, q[1]}
	c.Deleted = true // a container is used once
	id := s.nextID()
	s.add(&Node{ID: id, Type: TypeIGMedia, Owner: user.ID, FromID: user.ID, From: user.name(), Text: c.Text, ImageURL: c.ImageURL, AltText: c.AltText})
	return ok(map[string]string{"id": id})
}

// sendMessage sends a direct message: a RESPONSE to a person's message
// within 24 hours, or a private reply to a comment within 7 days.
func (s *Server) sendMessage(account *Node, t *Token, form url.Values) reply {
	var rcp struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	}
	var msg struct {
		Text string `json:"text"`
	}
	if json.Unmarshal([]byte(form.Get("recipient")), &rcp) != nil || json.Unmarshal([]byte(form.Get("message")), &msg) != nil || msg.Text == "" {
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) param recipient and message must be JSON objects")
	}
	outside := graphErr(http.StatusBadRequest, 10, 2018278, "(#10) This message is sent outside of allowed window.")
	if rcp.CommentID != "" {
		c, exists := s.nodes[rcp.CommentID]
		if !exists || c.Deleted {
			return notFound(rcp.CommentID)
		}
		if s.now().Sub(c.Created) > 7*24*time.Hour {
			return outside
		}
		rcp.ID = c.FromID
	} else if form.Get("messaging_type") == "RESPONSE" {
		// A page token also answers the linked Instagram account's
		// messages, as on Meta's Messenger Platform.
		last := s.lastMessageFrom(t.Accounts, rcp.ID)
		if last == nil || s.now().Sub(last.Created) > 24*time.Hour {
			return outside
		}
	}
	id := "m_" + s.nextID()
	s.add(&Node{ID: id, Type: TypeMessage, Owner: account.ID, FromID: account.ID, From: account.name(), ToID: rcp.ID, Text: msg.Text, CommentID: rcp.CommentID})
	return ok(map[string]string{"recipient_id": rcp.ID, "message_id": id})
}

func (s *Server) lastMessageFrom(accounts []string, person string) *Node {
	var last *Node
	for _, id := range s.order {
		n := s.nodes[id]
		if n.Type == TypeMessage && contains(accounts, n.Owner) && n.FromID == person && (last == nil || n.Created.After(last.Created)) {
			last = n
		}
	}
	return last
}

func sortByTime(ns []*Node, newestFirst bool) {
	slices.SortStableFunc(ns, func(a, b *Node) int {
		if newestFirst {
			return b.Created.Compare(a.Created)
		}
		return a.Created.Compare(b.Created)
	})
}

func mapNodes(ns []*Node, f func(*Node) map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(ns))
	for _, n := range ns {
		out = append(out, f(n))
	}
	return out
}
