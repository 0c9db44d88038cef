package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"tilltal/internal/platform"
)

// Fetch reads one post or comment. An image on a post is resolved to its
// (expiring) download URL so the archive can fetch it.
func (c *Connector) Fetch(ctx context.Context, cred platform.Credentials, externalID string) (platform.Object, error) {
	org := orgURN(cred.AccountID)
	if thread, id, ok := splitCommentURN(externalID); ok {
		var cm liComment
		if err := c.getJSON(ctx, cred, "/rest/socialActions/"+enc(thread)+"/comments/"+url.PathEscape(id), nil, &cm); err != nil {
			return platform.Object{}, fmt.Errorf("linkedin: fetch comment: %w", err)
		}
		if cm.CommentURN == "" && cm.DollarURN == "" {
			cm.CommentURN = externalID
		}
		post := cm.Object
		if post == "" {
			post = thread
		}
		return commentObject(org, post, cm), nil
	}
	if !isPostURN(externalID) {
		return platform.Object{}, badID(externalID)
	}
	var p liPost
	if err := c.getJSON(ctx, cred, "/rest/posts/"+enc(externalID), nil, &p); err != nil {
		return platform.Object{}, fmt.Errorf("linkedin: fetch post: %w", err)
	}
	if p.ID == "" {
		p.ID = externalID
	}
	obj := postObject(org, p)
	for i, a := range obj.Attachments {
		if a.Kind != "image" || a.URL != "" {
			continue
		}
		var img liImage
		if err := c.getJSON(ctx, cred, "/rest/images/"+enc(a.Title), nil, &img); err != nil {
			return platform.Object{}, fmt.Errorf("linkedin: fetch image: %w", err)
		}
		obj.Attachments[i].URL = img.DownloadURL
	}
	return obj, nil
}

// Reply comments on a post, or answers a comment as a nested comment. The
// organization is the actor, so the reply comes from the page.
func (c *Connector) Reply(ctx context.Context, cred platform.Credentials, parentID, text string) (platform.Result, error) {
	org := orgURN(cred.AccountID)
	body := liCreateComment{Actor: org, Object: parentID, Message: liText{Text: text}}
	target := parentID
	if thread, _, ok := splitCommentURN(parentID); ok {
		body.Object, body.ParentComment = thread, parentID
	} else if !isPostURN(parentID) {
		return platform.Result{}, badID(parentID)
	}
	a, err := c.call(ctx, cred, http.MethodPost, "/rest/socialActions/"+enc(target)+"/comments", nil, body)
	if err != nil {
		return platform.Result{Raw: a.body}, fmt.Errorf("linkedin: reply: %w", err)
	}
	var created liComment
	_ = json.Unmarshal(a.body, &created) // an empty 201 body is allowed; the id header then names it
	if created.Object == "" {
		created.Object = body.Object
	}
	if created.ID == "" {
		created.ID = a.header.Get("X-Restli-Id")
	}
	id := created.urn()
	if id == "" {
		return platform.Result{Raw: a.body}, &platform.Error{Platform: platform.LinkedIn, Status: a.status,
			Code: "no_id", Message: "LinkedIn bekräftade svaret utan att ange dess id.", Raw: a.body}
	}
	return platform.Result{ExternalID: id, Raw: a.body}, nil
}

// SetHidden is not offered: LinkedIn's API cannot hide a comment on a page.
// Moderation falls back to Delete.
func (c *Connector) SetHidden(context.Context, platform.Credentials, string, bool) (platform.Result, error) {
	return platform.Result{}, fmt.Errorf("linkedin: hide: %w", platform.ErrUnsupported)
}

// Delete removes a comment on one of the page's posts (acting as the
// organization), or one of the page's own posts.
func (c *Connector) Delete(ctx context.Context, cred platform.Credentials, externalID string) (platform.Result, error) {
	org := orgURN(cred.AccountID)
	var path string
	var q url.Values
	switch thread, id, ok := splitCommentURN(externalID); {
	case ok:
		path = "/rest/socialActions/" + enc(thread) + "/comments/" + url.PathEscape(id)
		q = url.Values{"actor": {org}}
	case isPostURN(externalID):
		path = "/rest/posts/" + enc(externalID)
	default:
		return platform.Result{}, badID(externalID)
	}
	a, err := c.call(ctx, cred, http.MethodDelete, path, q, nil)
	if err != nil {
		return platform.Result{Raw: a.body}, fmt.Errorf("linkedin: delete: %w", err)
	}
	return platform.Result{ExternalID: externalID, Raw: statusRaw(a)}, nil
}

// statusRaw keeps something to show for an answer with no body (204).
func statusRaw(a answer) []byte {
	if len(a.body) > 0 {
		return a.body
	}
	return []byte(fmt.Sprintf(`{"status":%d}`, a.status))
}

func badID(id string) error {
	return &platform.Error{Platform: platform.LinkedIn, Code: "bad_id", Permanent: true,
		Message: fmt.Sprintf("%.80q är inte ett LinkedIn-inlägg eller en kommentar.", id)}
}
