package meta

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// Instagram is the connector for Instagram professional accounts, reached
// through the Graph API with the connected Facebook page's token.
// Credentials carry the Instagram user id as AccountID.
type Instagram struct{ g *graph }

// NewInstagram makes the Instagram connector.
func NewInstagram(cfg Config) *Instagram {
	return &Instagram{g: &graph{cfg: cfg.withDefaults(), platform: platform.Instagram}}
}

// Name is platform.Instagram.
func (i *Instagram) Name() platform.Name { return platform.Instagram }

const (
	igCommentFields = "id,text,timestamp,from{id,username},username,parent_id,hidden,like_count,media{id,permalink}"
	igMediaFields   = "id,caption,timestamp,username,media_type,media_url,permalink,thumbnail_url,children{media_type,media_url}"
)

type igComment struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Timestamp string   `json:"timestamp"`
	From      wireFrom `json:"from"`
	Username  string   `json:"username"`
	ParentID  string   `json:"parent_id"`
	Hidden    bool     `json:"hidden"`
	Media     struct {
		ID        string `json:"id"`
		Permalink string `json:"permalink"`
	} `json:"media"`
	Replies struct {
		Data []igComment `json:"data"`
	} `json:"replies"`
}

type igMedia struct {
	ID           string `json:"id"`
	Caption      string `json:"caption"`
	Timestamp    string `json:"timestamp"`
	Username     string `json:"username"`
	MediaType    string `json:"media_type"`
	MediaURL     string `json:"media_url"`
	Permalink    string `json:"permalink"`
	CommentCount int    `json:"comments_count"`
	Children     struct {
		Data []struct {
			MediaType string `json:"media_type"`
			MediaURL  string `json:"media_url"`
		} `json:"data"`
	} `json:"children"`
}

func (c igComment) object(account, mediaID string) platform.Object {
	from := c.From
	if from.Username == "" {
		from.Username = c.Username
	}
	if c.Media.ID != "" {
		mediaID = c.Media.ID
	}
	o := platform.Object{
		ExternalID: c.ID, Kind: platform.KindComment, ParentID: mediaID, ThreadID: mediaID,
		Author: author(from, account), Text: c.Text, CreatedAt: graphTime(c.Timestamp),
		Hidden: c.Hidden, Permalink: c.Media.Permalink,
	}
	if c.ParentID != "" {
		o.Kind, o.ParentID = platform.KindReply, c.ParentID
	}
	return o
}

func (m igMedia) object(account string) platform.Object {
	o := platform.Object{
		ExternalID: m.ID, Kind: platform.KindPost, ThreadID: m.ID,
		Author: author(wireFrom{Username: m.Username}, account), Text: m.Caption,
		Permalink: m.Permalink, CreatedAt: graphTime(m.Timestamp),
	}
	o.Author.IsPage = true // media on the account's own feed is the account's
	add := func(t, u string) {
		if u == "" {
			return
		}
		kind := "image"
		if t == "VIDEO" || t == "REELS" {
			kind = "video"
		}
		o.Attachments = append(o.Attachments, platform.Attachment{Kind: kind, URL: u})
	}
	if len(m.Children.Data) == 0 {
		add(m.MediaType, m.MediaURL)
	}
	for _, ch := range m.Children.Data {
		add(ch.MediaType, ch.MediaURL)
	}
	return o
}

// Fetch returns a comment, media, mention or message.
func (i *Instagram) Fetch(ctx context.Context, cred platform.Credentials, id string) (platform.Object, error) {
	o, err := i.fetch(ctx, cred, id)
	return withID(platform.Instagram, o, err)
}

func (i *Instagram) fetch(ctx context.Context, cred platform.Credentials, id string) (platform.Object, error) {
	if _, _, ok := splitMessageID(id); ok {
		o, _, err := i.g.fetchMessage(ctx, cred, id)
		return o, err
	}
	if media, comment, ok := splitMention(id); ok {
		return i.fetchMention(ctx, cred, id, media, comment)
	}
	var c igComment
	_, err := i.g.get(ctx, cred.AccessToken, id, url.Values{"fields": {igCommentFields}}, &c)
	if err == nil {
		return c.object(cred.AccountID, ""), nil
	}
	if !isWrongNodeType(err) {
		return platform.Object{}, err
	}
	var m igMedia
	if _, err := i.g.get(ctx, cred.AccessToken, id, url.Values{"fields": {igMediaFields}}, &m); err != nil {
		return platform.Object{}, err
	}
	return m.object(cred.AccountID), nil
}

func splitMention(id string) (media, comment string, ok bool) {
	rest, ok := strings.CutPrefix(id, "mention:")
	if !ok || rest == "" {
		return "", "", false
	}
	media, comment, _ = strings.Cut(rest, ":")
	return media, comment, true
}

// fetchMention reads a comment or caption that mentions the account on
// someone else's media: Meta only lets it be read through the account's
// mentioned_comment and mentioned_media fields.
func (i *Instagram) fetchMention(ctx context.Context, cred platform.Credentials, id, media, comment string) (platform.Object, error) {
	var field string
	if comment != "" {
		field = "mentioned_comment.comment_id(" + comment + "){id,text,timestamp,username,media{id,permalink}}"
	} else {
		field = "mentioned_media.media_id(" + media + "){id,caption,timestamp,username,media_type,media_url,permalink}"
	}
	var res struct {
		Comment *igComment `json:"mentioned_comment"`
		Media   *igMedia   `json:"mentioned_media"`
	}
	if _, err := i.g.get(ctx, cred.AccessToken, cred.AccountID, url.Values{"fields": {field}}, &res); err != nil {
		return platform.Object{}, err
	}
	var o platform.Object
	switch {
	case res.Comment != nil:
		o = res.Comment.object(cred.AccountID, media)
	case res.Media != nil:
		o = res.Media.object(cred.AccountID)
		o.Author.IsPage = false
	default:
		return platform.Object{}, &platform.Error{Platform: platform.Instagram, NotFound: true, Permanent: true, Message: "mention not found"}
	}
	o.ExternalID, o.Kind, o.ThreadID, o.ParentID = id, platform.KindMention, media, ""
	return o, nil
}

// Reply answers a comment (as a reply under it), a mention (as a comment
// on the media that mentioned the account) or a direct message.
func (i *Instagram) Reply(ctx context.Context, cred platform.Credentials, parentID, text string) (platform.Result, error) {
	if _, _, ok := splitMessageID(parentID); ok {
		return i.g.sendMessage(ctx, cred, "me", parentID, text)
	}
	var res idResult
	var raw []byte
	var err error
	if media, comment, ok := splitMention(parentID); ok {
		form := url.Values{"media_id": {media}, "message": {text}}
		if comment != "" {
			form.Set("comment_id", comment)
		}
		raw, err = i.g.post(ctx, cred.AccessToken, cred.AccountID+"/mentions", form, &res)
	} else {
		raw, err = i.g.post(ctx, cred.AccessToken, parentID+"/replies", url.Values{"message": {text}}, &res)
	}
	return platform.Result{ExternalID: res.ID, Raw: raw}, err
}

// SetHidden hides or unhides a comment (the hide parameter).
func (i *Instagram) SetHidden(ctx context.Context, cred platform.Credentials, id string, hidden bool) (platform.Result, error) {
	var res successResult
	raw, err := i.g.post(ctx, cred.AccessToken, id, url.Values{"hide": {strconv.FormatBool(hidden)}}, &res)
	if err == nil {
		err = i.g.expectSuccess(raw, res, "hide")
	}
	return platform.Result{ExternalID: id, Raw: raw}, err
}

// Delete removes a comment. Instagram does not let an app delete media or
// messages.
func (i *Instagram) Delete(ctx context.Context, cred platform.Credentials, id string) (platform.Result, error) {
	if _, _, ok := splitMessageID(id); ok {
		return platform.Result{}, platform.ErrUnsupported
	}
	if _, _, ok := splitMention(id); ok {
		return platform.Result{}, platform.ErrUnsupported
	}
	return deleteNode(ctx, i.g, cred, id)
}

// CheckToken asks /debug_token whether the token still works.
func (i *Instagram) CheckToken(ctx context.Context, cred platform.Credentials) (platform.TokenStatus, error) {
	return i.g.debugToken(ctx, cred)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
