package metafake

import (
	"net/http"
	"net/url"
	"regexp"
)

var mentionField = regexp.MustCompile(`^(mentioned_comment)\.comment_id\((\w+)\)|^(mentioned_media)\.media_id\((\w+)\)`)

// node answers GET, POST and DELETE on one object.
func (s *Server) node(req Request, id string, form url.Values) reply {
	n, exists := s.nodes[id]
	if !exists || n.Deleted {
		return notFound(id)
	}
	switch req.Method {
	case http.MethodGet:
		return s.getNode(n, form.Get("fields"))
	case http.MethodDelete:
		if n.Type == TypePage || n.Type == TypeIGUser {
			return graphErr(http.StatusBadRequest, 100, 0, "(#100) Cannot delete this object")
		}
		n.Deleted = true
		return ok(map[string]bool{"success": true})
	case http.MethodPost:
		return s.updateNode(n, form)
	}
	return graphErr(http.StatusBadRequest, 100, 0, "Unsupported method")
}

func (s *Server) getNode(n *Node, fields string) reply {
	fs := fieldSet(fields)
	for _, f := range fs {
		if contains(foreignFields[n.Type], f) {
			return nonexistingField(f, graphTypeName[n.Type])
		}
	}
	if n.Type == TypeContainer {
		st := n.containerStatus(true)
		return ok(map[string]string{"id": n.ID, "status_code": st, "status": st})
	}
	if n.Type == TypeIGUser {
		if m := mentionField.FindStringSubmatch(fields); m != nil {
			return s.mention(n, m)
		}
	}
	return ok(s.render(n, fs))
}

// mention answers the mentioned_comment / mentioned_media field expansions.
func (s *Server) mention(user *Node, m []string) reply {
	field, id := m[1], m[2]
	if field == "" {
		field, id = m[3], m[4]
	}
	target, found := s.nodes[id]
	if !found || target.Deleted {
		return notFound(id)
	}
	return ok(map[string]any{"id": user.ID, field: s.render(target, nil)})
}

func (s *Server) updateNode(n *Node, form url.Values) reply {
	switch {
	case form.Has("is_hidden") && (n.Type == TypeComment || n.Type == TypePost):
		n.Hidden = form.Get("is_hidden") == "true"
	case form.Has("hide") && n.Type == TypeIGComment:
		n.Hidden = form.Get("hide") == "true"
	case form.Has("message") && (n.Type == TypeComment || n.Type == TypePost):
		n.Text = form.Get("message")
	default:
		return graphErr(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter")
	}
	return ok(map[string]bool{"success": true})
}
