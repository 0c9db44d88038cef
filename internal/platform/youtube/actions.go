package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"tilltal/internal/platform"
)

// Fetch reads a comment (with its video as a "video" attachment for
// context) or a video (as the thread's post).
func (c *Connector) Fetch(ctx context.Context, cred platform.Credentials, externalID string) (platform.Object, error) {
	if isVideoID(externalID) {
		v, err := c.video(ctx, cred, externalID)
		if err != nil {
			return platform.Object{}, fmt.Errorf("youtube: fetch video: %w", err)
		}
		return videoObject(cred.AccountID, v), nil
	}
	cm, err := c.comment(ctx, cred, externalID)
	if err != nil {
		return platform.Object{}, fmt.Errorf("youtube: fetch comment: %w", err)
	}
	videoID := cm.Snippet.VideoID
	if videoID == "" && cm.Snippet.ParentID != "" {
		if parent, err := c.comment(ctx, cred, cm.Snippet.ParentID); err == nil {
			videoID = parent.Snippet.VideoID
		}
	}
	obj := commentObject(cred.AccountID, cm, videoID, "")
	if videoID == "" {
		return obj, nil
	}
	v, err := c.video(ctx, cred, videoID)
	if err != nil {
		return platform.Object{}, fmt.Errorf("youtube: fetch video of comment: %w", err)
	}
	obj.Attachments = append(obj.Attachments, platform.Attachment{Kind: "video",
		URL: "https://www.youtube.com/watch?v=" + url.QueryEscape(v.ID), Title: v.Snippet.Title})
	return obj, nil
}

// comment reads one comment; YouTube answers an unknown id with no items,
// which becomes NotFound here.
func (c *Connector) comment(ctx context.Context, cred platform.Credentials, id string) (ytComment, error) {
	var list ytCommentList
	q := url.Values{"part": {"snippet"}, "id": {id}, "textFormat": {"plainText"}}
	if err := c.getJSON(ctx, cred, forAction, CostList, "/comments", q, &list); err != nil {
		return ytComment{}, err
	}
	if len(list.Items) == 0 {
		return ytComment{}, notFound("commentNotFound", "Kommentaren finns inte längre på YouTube.")
	}
	return list.Items[0], nil
}

func (c *Connector) video(ctx context.Context, cred platform.Credentials, id string) (ytVideo, error) {
	var list ytVideoList
	if err := c.getJSON(ctx, cred, forAction, CostVideos, "/videos", url.Values{"part": {"snippet"}, "id": {id}}, &list); err != nil {
		return ytVideo{}, err
	}
	if len(list.Items) == 0 {
		return ytVideo{}, notFound("videoNotFound", "Videon finns inte längre på YouTube.")
	}
	return list.Items[0], nil
}

func videoObject(account string, v ytVideo) platform.Object {
	link := "https://www.youtube.com/watch?v=" + url.QueryEscape(v.ID)
	o := platform.Object{ExternalID: v.ID, Kind: platform.KindPost, ThreadID: v.ID,
		Author: platform.Author{ExternalID: v.Snippet.ChannelID, Name: v.Snippet.ChannelTitle,
			IsPage: v.Snippet.ChannelID == account},
		Text: v.Snippet.Title, Permalink: link, CreatedAt: v.Snippet.PublishedAt, UpdatedAt: v.Snippet.PublishedAt,
		Attachments: []platform.Attachment{{Kind: "video", URL: link, Title: v.Snippet.Title}}}
	if v.Snippet.Description != "" {
		o.Text += "\n\n" + v.Snippet.Description
	}
	for _, size := range []string{"maxres", "high", "medium", "default"} {
		if t, ok := v.Snippet.Thumbnails[size]; ok && t.URL != "" {
			o.Attachments = append(o.Attachments, platform.Attachment{Kind: "image", URL: t.URL, Title: v.Snippet.Title})
			break
		}
	}
	return o
}

// Reply answers a comment (comments.insert; a reply to a reply goes to its
// top-level comment, as YouTube threads are one level deep) or comments on
// a video (commentThreads.insert). Each costs CostInsert units.
func (c *Connector) Reply(ctx context.Context, cred platform.Credentials, parentID, text string) (platform.Result, error) {
	var a answer
	var err error
	if isVideoID(parentID) {
		var body ytNewThread
		body.Snippet.ChannelID, body.Snippet.VideoID = cred.AccountID, parentID
		body.Snippet.TopLevelComment.Snippet.TextOriginal = text
		a, err = c.call(ctx, cred, forAction, CostInsert, http.MethodPost, "/commentThreads", url.Values{"part": {"snippet"}}, body)
		if err == nil {
			var th ytThread
			if json.Unmarshal(a.body, &th) == nil && th.Snippet.TopLevelComment.ID != "" {
				return platform.Result{ExternalID: th.Snippet.TopLevelComment.ID, Raw: a.body}, nil
			}
		}
	} else {
		body := ytComment{Snippet: ytCommentSnippet{ParentID: topLevelID(parentID), TextOriginal: text}}
		a, err = c.call(ctx, cred, forAction, CostInsert, http.MethodPost, "/comments", url.Values{"part": {"snippet"}}, body)
		if err == nil {
			var cm ytComment
			if json.Unmarshal(a.body, &cm) == nil && cm.ID != "" {
				return platform.Result{ExternalID: cm.ID, Raw: a.body}, nil
			}
		}
	}
	if err != nil {
		return platform.Result{Raw: a.body}, fmt.Errorf("youtube: reply: %w", err)
	}
	return platform.Result{Raw: a.body}, &platform.Error{Platform: platform.YouTube, Status: a.status, Code: "no_id",
		Message: "YouTube bekräftade svaret utan att ange dess id.", Raw: a.body}
}

// SetHidden holds a comment for review (hidden from the public, still
// listed to the channel's moderators and to Tilltal) or publishes it
// again. Hiding uses heldForReview rather than rejected because, per the
// reference, a rejected comment can never be set back to published, and
// rejecting also hides every reply. Delete uses rejected.
func (c *Connector) SetHidden(ctx context.Context, cred platform.Credentials, externalID string, hidden bool) (platform.Result, error) {
	if isVideoID(externalID) {
		return platform.Result{}, fmt.Errorf("youtube: hide video: %w", platform.ErrUnsupported)
	}
	status := StatusPublished
	if hidden {
		status = StatusHeldForReview
	}
	res, err := c.moderate(ctx, cred, externalID, status)
	if err != nil {
		return res, fmt.Errorf("youtube: set hidden: %w", err)
	}
	return res, nil
}

// Delete removes a comment: comments.delete when the channel wrote it
// (only the author may delete), otherwise setModerationStatus rejected,
// which is how the reference says a channel removes someone else's
// comment. The author is not banned.
func (c *Connector) Delete(ctx context.Context, cred platform.Credentials, externalID string) (platform.Result, error) {
	if isVideoID(externalID) {
		return platform.Result{}, fmt.Errorf("youtube: delete video: %w", platform.ErrUnsupported)
	}
	cm, err := c.comment(ctx, cred, externalID)
	if err != nil {
		return platform.Result{}, fmt.Errorf("youtube: delete: %w", err)
	}
	if cm.author() != cred.AccountID {
		res, err := c.moderate(ctx, cred, externalID, StatusRejected)
		if err != nil {
			return res, fmt.Errorf("youtube: delete (reject): %w", err)
		}
		return res, nil
	}
	a, err := c.call(ctx, cred, forAction, CostDelete, http.MethodDelete, "/comments", url.Values{"id": {externalID}}, nil)
	if err != nil {
		return platform.Result{Raw: a.body}, fmt.Errorf("youtube: delete: %w", err)
	}
	return platform.Result{ExternalID: externalID, Raw: statusRaw(a)}, nil
}

func (c *Connector) moderate(ctx context.Context, cred platform.Credentials, id, status string) (platform.Result, error) {
	q := url.Values{"id": {id}, "moderationStatus": {status}}
	if status == StatusRejected {
		q.Set("banAuthor", "false") // banAuthor is only valid with rejected
	}
	a, err := c.call(ctx, cred, forAction, CostModerate, http.MethodPost, "/comments/setModerationStatus", q, nil)
	if err != nil {
		return platform.Result{Raw: a.body}, err
	}
	return platform.Result{ExternalID: id, Raw: statusRaw(a)}, nil
}

// Publish is not offered: the Data API has no text posts (community posts
// cannot be created through it), and uploading videos is out of scope.
func (c *Connector) Publish(context.Context, platform.Credentials, platform.PostRequest) (platform.Result, error) {
	return platform.Result{}, fmt.Errorf("youtube: publish: %w", platform.ErrUnsupported)
}

func statusRaw(a answer) []byte {
	if len(a.body) > 0 {
		return a.body
	}
	return []byte(fmt.Sprintf(`{"status":%d}`, a.status))
}

func notFound(code, msg string) *platform.Error {
	return &platform.Error{Platform: platform.YouTube, Status: http.StatusNotFound, Code: code,
		NotFound: true, Permanent: true, Message: msg}
}
