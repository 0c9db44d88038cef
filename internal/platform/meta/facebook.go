package meta

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"tilltal/internal/platform"
)

// Facebook is the connector for Facebook pages. Credentials carry the page
// id as AccountID and a long-lived page access token.
type Facebook struct{ g *graph }

// NewFacebook makes the Facebook connector.
func NewFacebook(cfg Config) *Facebook {
	return &Facebook{g: &graph{cfg: cfg.withDefaults(), platform: platform.Facebook}}
}

// Name is platform.Facebook.
func (f *Facebook) Name() platform.Name { return platform.Facebook }

const (
	fbCommentFields = "id,message,from{id,name},created_time,parent{id},attachment{type,url,title,media{image{src}}},is_hidden,permalink_url"
	fbPostFields    = "id,message,from{id,name},created_time,updated_time,permalink_url,is_hidden,attachments{type,media_type,url,title,media{image{src}},subattachments}"
)

// fbComment and fbPost are the Graph nodes as fetched with the fields above.
type fbComment struct {
	ID          string               `json:"id"`
	Message     string               `json:"message"`
	From        wireFrom             `json:"from"`
	CreatedTime string               `json:"created_time"`
	Parent      *struct{ ID string } `json:"parent"`
	Attachment  *fbAttachment        `json:"attachment"`
	IsHidden    bool                 `json:"is_hidden"`
	Permalink   string               `json:"permalink_url"`
}

type fbPost struct {
	ID          string   `json:"id"`
	Message     string   `json:"message"`
	From        wireFrom `json:"from"`
	CreatedTime string   `json:"created_time"`
	UpdatedTime string   `json:"updated_time"`
	Permalink   string   `json:"permalink_url"`
	IsHidden    bool     `json:"is_hidden"`
	Attachments struct {
		Data []fbAttachment `json:"data"`
	} `json:"attachments"`
}

type fbAttachment struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Title string `json:"title"`
	Media struct {
		Image struct {
			Src string `json:"src"`
		} `json:"image"`
	} `json:"media"`
	Subattachments struct {
		Data []fbAttachment `json:"data"`
	} `json:"subattachments"`
}

func (a fbAttachment) neutral() []platform.Attachment {
	var out []platform.Attachment
	switch {
	case strings.HasPrefix(a.Type, "video"):
		out = append(out, platform.Attachment{Kind: "video", URL: a.URL, Title: a.Title})
	case a.Media.Image.Src != "":
		out = append(out, platform.Attachment{Kind: "image", URL: a.Media.Image.Src, Title: a.Title})
	case a.URL != "":
		out = append(out, platform.Attachment{Kind: "link", URL: a.URL, Title: a.Title})
	}
	for _, s := range a.Subattachments.Data {
		out = append(out, s.neutral()...)
	}
	return out
}

// threadOf derives a comment's post from its id: a comment id is
// "<post-number>_<comment-number>" and the post's "<page-id>_<post-number>".
func threadOf(pageID, commentID string) string {
	if n, _, ok := strings.Cut(commentID, "_"); ok {
		return pageID + "_" + n
	}
	return ""
}

func (c fbComment) object(pageID string) platform.Object {
	o := platform.Object{
		ExternalID: c.ID, Kind: platform.KindComment, ThreadID: threadOf(pageID, c.ID),
		Author: author(c.From, pageID), Text: c.Message, Permalink: c.Permalink,
		CreatedAt: graphTime(c.CreatedTime), Hidden: c.IsHidden,
	}
	o.ParentID = o.ThreadID
	if c.Parent != nil && c.Parent.ID != "" {
		o.Kind, o.ParentID = platform.KindReply, c.Parent.ID
	}
	if c.Attachment != nil {
		o.Attachments = c.Attachment.neutral()
	}
	return o
}

func (p fbPost) object(pageID string) platform.Object {
	o := platform.Object{
		ExternalID: p.ID, Kind: platform.KindPost, ThreadID: p.ID,
		Author: author(p.From, pageID), Text: p.Message, Permalink: p.Permalink,
		CreatedAt: graphTime(p.CreatedTime), UpdatedAt: graphTime(p.UpdatedTime), Hidden: p.IsHidden,
	}
	for _, a := range p.Attachments.Data {
		o.Attachments = append(o.Attachments, a.neutral()...)
	}
	return o
}

// Fetch returns a comment, post or message. A Graph id does not say which
// node it is; asking for a comment's fields on a post fails with code 100
// ("nonexisting field"), and then the post's fields are asked for.
func (f *Facebook) Fetch(ctx context.Context, cred platform.Credentials, id string) (platform.Object, error) {
	o, err := f.fetch(ctx, cred, id)
	return withID(platform.Facebook, o, err)
}

func (f *Facebook) fetch(ctx context.Context, cred platform.Credentials, id string) (platform.Object, error) {
	if _, _, ok := splitMessageID(id); ok {
		o, _, err := f.g.fetchMessage(ctx, cred, id)
		return o, err
	}
	var c fbComment
	_, err := f.g.get(ctx, cred.AccessToken, id, url.Values{"fields": {fbCommentFields}}, &c)
	if err == nil {
		return c.object(cred.AccountID), nil
	}
	if !isWrongNodeType(err) {
		return platform.Object{}, err
	}
	var p fbPost
	if _, err := f.g.get(ctx, cred.AccessToken, id, url.Values{"fields": {fbPostFields}}, &p); err != nil {
		return platform.Object{}, err
	}
	return p.object(cred.AccountID), nil
}

// isWrongNodeType tells a "nonexisting field" error (code 100, not a
// missing object) from the others.
func isWrongNodeType(err error) bool {
	var pe *platform.Error
	return asErr(err, &pe) && !pe.NotFound && (pe.Code == "100" || strings.HasPrefix(pe.Code, "100/"))
}

// Reply comments on a post or a comment, or answers a direct message.
func (f *Facebook) Reply(ctx context.Context, cred platform.Credentials, parentID, text string) (platform.Result, error) {
	if _, _, ok := splitMessageID(parentID); ok {
		return f.g.sendMessage(ctx, cred, cred.AccountID, parentID, text)
	}
	var res idResult
	raw, err := f.g.post(ctx, cred.AccessToken, parentID+"/comments", url.Values{"message": {text}}, &res)
	return platform.Result{ExternalID: res.ID, Raw: raw}, err
}

// SetHidden hides or unhides a comment (is_hidden): hidden, it is still
// seen by its author and their friends, but by no one else.
func (f *Facebook) SetHidden(ctx context.Context, cred platform.Credentials, id string, hidden bool) (platform.Result, error) {
	var res successResult
	raw, err := f.g.post(ctx, cred.AccessToken, id, url.Values{"is_hidden": {strconv.FormatBool(hidden)}}, &res)
	if err == nil {
		err = f.g.expectSuccess(raw, res, "is_hidden")
	}
	return platform.Result{ExternalID: id, Raw: raw}, err
}

// Delete removes a comment or post. Messages cannot be deleted by a page.
func (f *Facebook) Delete(ctx context.Context, cred platform.Credentials, id string) (platform.Result, error) {
	if _, _, ok := splitMessageID(id); ok {
		return platform.Result{}, platform.ErrUnsupported
	}
	return deleteNode(ctx, f.g, cred, id)
}

func deleteNode(ctx context.Context, g *graph, cred platform.Credentials, id string) (platform.Result, error) {
	var res successResult
	raw, err := g.call(ctx, "DELETE", cred.AccessToken, id, nil, &res)
	if err == nil {
		err = g.expectSuccess(raw, res, "delete")
	}
	return platform.Result{ExternalID: id, Raw: raw}, err
}

// Publish posts on the page's feed, or as a photo post when there is an
// image (the photo is fetched by Meta from ImageURL).
func (f *Facebook) Publish(ctx context.Context, cred platform.Credentials, post platform.PostRequest) (platform.Result, error) {
	var res idResult
	var raw []byte
	var err error
	if post.ImageURL != "" {
		caption := joinNonEmpty(post.Text, post.Link)
		form := url.Values{"url": {post.ImageURL}, "caption": {caption}, "published": {"true"}}
		if post.AltText != "" {
			form.Set("alt_text_custom", post.AltText)
		}
		raw, err = f.g.post(ctx, cred.AccessToken, cred.AccountID+"/photos", form, &res)
	} else {
		form := url.Values{"message": {post.Text}}
		if post.Link != "" {
			form.Set("link", post.Link)
		}
		raw, err = f.g.post(ctx, cred.AccessToken, cred.AccountID+"/feed", form, &res)
	}
	id := res.PostID
	if id == "" {
		id = res.ID
	}
	return platform.Result{ExternalID: id, Raw: raw}, err
}

// PrivateReply answers a comment with a private Messenger message to its
// author, which Meta allows once per comment within 7 days of it.
func (f *Facebook) PrivateReply(ctx context.Context, cred platform.Credentials, commentID, text string) (platform.Result, error) {
	o, err := f.Fetch(ctx, cred, commentID)
	if err != nil {
		return platform.Result{}, err
	}
	if f.g.cfg.Now().Sub(o.CreatedAt) > PrivateReplyWindow {
		return platform.Result{}, windowError(platform.Facebook, "Tiden för ett privat svar har gått ut: Meta tillåter privat svar på en kommentar bara inom 7 dagar. Svara öppet i tråden i stället.")
	}
	return f.g.postMessage(ctx, cred, cred.AccountID, map[string]string{"comment_id": commentID}, text, "")
}

// CheckToken asks /debug_token whether the page token still works.
func (f *Facebook) CheckToken(ctx context.Context, cred platform.Credentials) (platform.TokenStatus, error) {
	return f.g.debugToken(ctx, cred)
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// Subscribe installs Tilltal's app on the page for the webhook fields it
// reads (feed changes and Messenger messages); without it Meta sends the
// page's events nowhere. Call it when a page is connected. An Instagram
// account's webhooks come through its linked page's installation.
func (f *Facebook) Subscribe(ctx context.Context, cred platform.Credentials) (platform.Result, error) {
	var res successResult
	form := url.Values{"subscribed_fields": {"feed,messages,message_echoes,message_edits"}}
	raw, err := f.g.post(ctx, cred.AccessToken, cred.AccountID+"/subscribed_apps", form, &res)
	if err == nil {
		err = f.g.expectSuccess(raw, res, "subscribed_apps")
	}
	return platform.Result{ExternalID: cred.AccountID, Raw: raw}, err
}
