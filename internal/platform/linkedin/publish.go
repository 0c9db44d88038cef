package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"tilltal/internal/platform"
)

// littleReserved are the characters LinkedIn's "little" text format (the
// format of a post's commentary) treats as markup; left unescaped they
// truncate or garble the post.
const littleReserved = `\|{}@[]()<>#*_~`

// escapeLittle makes plain text safe as post commentary.
func escapeLittle(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(littleReserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Publish creates an organization post. An image is uploaded through the
// Images API first; a link becomes an article. LinkedIn carries one kind of
// content per post, so with both the image wins and the link is added to
// the text.
func (c *Connector) Publish(ctx context.Context, cred platform.Credentials, post platform.PostRequest) (platform.Result, error) {
	org := orgURN(cred.AccountID)
	text := post.Text
	p := liPost{Author: org, Visibility: "PUBLIC", LifecycleState: "PUBLISHED",
		Distribution: &liDistribution{FeedDistribution: "MAIN_FEED", TargetEntities: []any{}, ThirdPartyDistributionChannels: []any{}}}
	switch {
	case post.ImageURL != "":
		img, err := c.uploadImage(ctx, cred, org, post.ImageURL)
		if err != nil {
			return platform.Result{}, fmt.Errorf("linkedin: publish: %w", err)
		}
		p.Content = &liContent{Media: &liMedia{ID: img, AltText: post.AltText}}
		if post.Link != "" && !strings.Contains(text, post.Link) {
			text = strings.TrimSpace(text + "\n\n" + post.Link)
		}
	case post.Link != "":
		p.Content = &liContent{Article: &liArticle{Source: post.Link, Title: articleTitle(text, post.Link)}}
	}
	p.Commentary = escapeLittle(text)
	a, err := c.call(ctx, cred, http.MethodPost, "/rest/posts", nil, p)
	if err != nil {
		return platform.Result{Raw: a.body}, fmt.Errorf("linkedin: publish: %w", err)
	}
	id := a.header.Get("X-Restli-Id")
	if id == "" {
		return platform.Result{Raw: statusRaw(a)}, &platform.Error{Platform: platform.LinkedIn, Status: a.status,
			Code: "no_id", Message: "LinkedIn bekräftade inlägget utan att ange dess id (x-restli-id).", Raw: a.body}
	}
	return platform.Result{ExternalID: id, Raw: statusRaw(a)}, nil
}

// articleTitle is the first line of the text, shortened, or the link.
func articleTitle(text, link string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if line == "" {
		return link
	}
	if utf8.RuneCountInString(line) > 200 {
		line = string([]rune(line)[:200])
	}
	return line
}

// uploadImage fetches the image from imageURL and hands it to LinkedIn:
// initializeUpload gives an upload URL and the image URN, then the bytes
// are PUT there.
func (c *Connector) uploadImage(ctx context.Context, cred platform.Credentials, org, imageURL string) (string, error) {
	data, ctype, err := c.download(ctx, imageURL)
	if err != nil {
		return "", err
	}
	var init liImageInit
	init.InitializeUploadRequest.Owner = org
	a, err := c.call(ctx, cred, http.MethodPost, "/rest/images", url.Values{"action": {"initializeUpload"}}, init)
	if err != nil {
		return "", fmt.Errorf("image upload: %w", err)
	}
	var ans liImageInitAnswer
	if err := json.Unmarshal(a.body, &ans); err != nil || ans.Value.UploadURL == "" || ans.Value.Image == "" {
		return "", &platform.Error{Platform: platform.LinkedIn, Status: a.status, Code: "malformed_answer",
			Message: "LinkedIn gav ingen uppladdningsadress för bilden.", Raw: a.body}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, ans.Value.UploadURL, bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("image upload: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("Content-Type", ctype)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("image upload: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", c.classify(resp, raw)
	}
	return ans.Value.Image, nil
}

// download fetches a publishable image, refusing anything that is not an
// image or is larger than MaxImageBytes.
func (c *Connector) download(ctx context.Context, u string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", fmt.Errorf("fetch image: %w", err)
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("fetch image: %w", err)
	}
	defer resp.Body.Close()
	perm := func(msg string) error {
		return &platform.Error{Platform: platform.LinkedIn, Status: resp.StatusCode, Code: "image_unusable",
			Permanent: resp.StatusCode < 500, Message: msg}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", perm(fmt.Sprintf("Bilden kunde inte hämtas från %s (HTTP %d).", u, resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxImageBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("fetch image: %w", err)
	}
	if int64(len(data)) > c.cfg.MaxImageBytes {
		return nil, "", perm("Bilden är för stor för LinkedIn.")
	}
	ctype := http.DetectContentType(data)
	if !strings.HasPrefix(ctype, "image/") {
		return nil, "", perm("Filen är ingen bild (" + ctype + ").")
	}
	return data, ctype, nil
}
