package metafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

var versionRe = regexp.MustCompile(`^v\d+\.\d+$`)

// reply is what a route answers.
type reply struct {
	status int
	body   any
	header map[string]string
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func graphErr(status, code, subcode int, msg string) reply {
	return reply{status: status, body: json.RawMessage(GraphError(code, subcode, "OAuthException", msg))}
}

func notFound(id string) reply {
	return graphErr(http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", id))
}

func nonexistingField(field, nodeType string) reply {
	return graphErr(http.StatusBadRequest, 100, 0, fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", field, nodeType))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	req := Request{Method: r.Method, Query: r.URL.Query(), Form: r.PostForm, Token: r.Form.Get("access_token")}
	if len(parts) > 0 && versionRe.MatchString(parts[0]) {
		req.Version, parts = parts[0], parts[1:]
	}
	req.Path = strings.Join(parts, "/")
	if h := r.Header.Get("Authorization"); req.Token == "" && strings.HasPrefix(h, "Bearer ") {
		req.Token = strings.TrimPrefix(h, "Bearer ")
	}

	hold := s.takeHold(req)
	if hold != nil {
		defer close(hold.answered)
		defer http.NewResponseController(w).Flush()
		if !hold.Apply && !hold.wait(r) {
			return // the caller hung up: the request never reached "Meta"
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	rep := s.route(req, parts, r)
	s.mu.Unlock()
	if hold != nil && hold.Apply && !hold.wait(r) {
		return // done, but the answer never left
	}

	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-App-Usage", firstNonEmpty(rep.header["X-App-Usage"], `{"call_count":1,"total_cputime":1,"total_time":1}`))
	w.WriteHeader(rep.status)
	if raw, isRaw := rep.body.(json.RawMessage); isRaw {
		w.Write(raw)
		return
	}
	json.NewEncoder(w).Encode(rep.body)
}

// route runs with s.mu held.
func (s *Server) route(req Request, parts []string, r *http.Request) reply {
	if req.Version == "" {
		return graphErr(http.StatusBadRequest, 2635, 0, "(#2635) You are calling a deprecated version of the Graph API. Please update to the latest version.")
	}
	f := s.takeFault(req)
	if f != nil && !f.Apply {
		return reply{status: f.Status, body: json.RawMessage(f.Body), header: f.Header}
	}
	rep := s.authorized(req, parts, r)
	if f != nil {
		return reply{status: f.Status, body: json.RawMessage(f.Body), header: f.Header}
	}
	return rep
}

func (s *Server) takeFault(req Request) *Fault {
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == req.Method) && strings.Contains(req.Path, f.PathContains) {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) authorized(req Request, parts []string, r *http.Request) reply {
	if len(parts) == 1 && parts[0] == "debug_token" {
		return s.debugToken(req)
	}
	if req.Token == "" {
		return graphErr(http.StatusBadRequest, 104, 0, "An access token is required to request this resource.")
	}
	t, known := s.tokens[req.Token]
	switch {
	case !known:
		return graphErr(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token")
	case !t.Valid:
		return graphErr(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired on Tuesday, 01-Jan-2030 00:00:00 PST. The current time is later.")
	}
	if len(parts) == 1 && parts[0] == "me" {
		return ok(map[string]string{"id": t.Accounts[0], "name": s.nodes[t.Accounts[0]].name()})
	}
	if len(parts) > 0 && parts[0] == "me" {
		parts[0] = t.Accounts[0]
	}
	switch len(parts) {
	case 1:
		return s.node(req, parts[0], r.Form)
	case 2:
		return s.edge(req, t, parts[0], parts[1], r)
	}
	return graphErr(http.StatusBadRequest, 2500, 0, "Unknown path components: /"+strings.Join(parts[1:], "/"))
}

func (s *Server) debugToken(req Request) reply {
	input := req.Query.Get("input_token")
	if req.Token == "" {
		return graphErr(http.StatusBadRequest, 104, 0, "An access token is required to request this resource.")
	}
	if asker, ok := s.tokens[req.Token]; !strings.Contains(req.Token, "|") && (!ok || !asker.Valid) {
		return graphErr(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired.")
	}
	t, ok := s.tokens[input]
	data := map[string]any{"app_id": "1000", "application": "Tilltal", "is_valid": false}
	if !ok {
		data["error"] = map[string]any{"code": 190, "message": "Invalid OAuth access token.", "subcode": 0}
		return ok2(data)
	}
	data["type"] = t.Type
	data["is_valid"] = t.Valid
	data["scopes"] = t.Scopes
	data["expires_at"] = unixOrZero(t.ExpiresAt)
	data["data_access_expires_at"] = unixOrZero(t.DataAccessExpiresAt)
	data["profile_id"] = t.Accounts[0]
	data["user_id"] = "1"
	if !t.Valid {
		data["error"] = map[string]any{"code": 190, "message": "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.", "subcode": 460}
	}
	return ok2(data)
}

func ok2(data map[string]any) reply { return ok(map[string]any{"data": data}) }

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
