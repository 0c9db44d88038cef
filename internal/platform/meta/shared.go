package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// Reply windows Meta enforces: a standard answer to a direct message within
// 24 hours of the person's message, a private reply to a comment within 7
// days of the comment.
const (
	MessageWindow      = 24 * time.Hour
	PrivateReplyWindow = 7 * 24 * time.Hour
)

// page is one page of a Graph list.
type page[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// list reads a Graph edge, following paging.next for up to maxPages pages.
// more decides after each page whether to go on (e.g. stop at old posts).
func list[T any](ctx context.Context, g *graph, token, path string, q url.Values, maxPages int, more func([]T) bool) ([]T, error) {
	var out []T
	var p page[T]
	if _, err := g.get(ctx, token, path, q, &p); err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		out = append(out, p.Data...)
		next := p.Paging.Next
		if next == "" || len(p.Data) == 0 || n >= maxPages || (more != nil && !more(p.Data)) {
			return out, nil
		}
		p = page[T]{}
		if _, err := g.getURL(ctx, next, &p); err != nil {
			return nil, err
		}
	}
}

// debugToken asks Meta what it knows of a token. With an app id and secret
// the app token asks (Meta's recommendation); without, the token inspects
// itself, which works for page tokens.
func (g *graph) debugToken(ctx context.Context, cred platform.Credentials) (platform.TokenStatus, error) {
	asker := cred.AccessToken
	if g.cfg.AppID != "" && g.cfg.AppSecret != "" {
		asker = g.cfg.AppID + "|" + g.cfg.AppSecret
	}
	var res struct {
		Data struct {
			IsValid             bool     `json:"is_valid"`
			ExpiresAt           int64    `json:"expires_at"`
			DataAccessExpiresAt int64    `json:"data_access_expires_at"`
			Scopes              []string `json:"scopes"`
			Type                string   `json:"type"`
			ProfileID           string   `json:"profile_id"`
			Error               struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Subcode int    `json:"subcode"`
			} `json:"error"`
		} `json:"data"`
	}
	q := url.Values{"input_token": {cred.AccessToken}}
	if _, err := g.get(ctx, asker, "debug_token", q, &res); err != nil {
		var pe *platform.Error
		if asErr(err, &pe) && pe.TokenInvalid && asker == cred.AccessToken {
			// The token cannot even inspect itself: it is dead.
			return platform.TokenStatus{Valid: false, Detail: pe.Message}, nil
		}
		return platform.TokenStatus{}, err
	}
	d := res.Data
	st := platform.TokenStatus{Valid: d.IsValid, Scopes: d.Scopes, Detail: d.Error.Message}
	// A page token from a long-lived user token has expires_at 0 but still
	// loses its data access after 90 days without the user: the earlier of
	// the two is when the channel must be reconnected.
	for _, ts := range []int64{d.ExpiresAt, d.DataAccessExpiresAt} {
		if ts > 0 && (st.ExpiresAt.IsZero() || time.Unix(ts, 0).Before(st.ExpiresAt)) {
			st.ExpiresAt = time.Unix(ts, 0).UTC()
		}
	}
	if st.Valid && st.Detail == "" && d.Type != "" {
		st.Detail = fmt.Sprintf("%s token", strings.ToLower(d.Type))
	}
	return st, nil
}

// graphMessage is a direct message as the Graph API returns it.
type graphMessage struct {
	ID          string   `json:"id"`
	Message     string   `json:"message"`
	CreatedTime string   `json:"created_time"`
	From        wireFrom `json:"from"`
	Attachments struct {
		Data []struct {
			MimeType  string `json:"mime_type"`
			Name      string `json:"name"`
			FileURL   string `json:"file_url"`
			ImageData struct {
				URL string `json:"url"`
			} `json:"image_data"`
			VideoData struct {
				URL string `json:"url"`
			} `json:"video_data"`
		} `json:"data"`
	} `json:"attachments"`
}

const messageFields = "id,message,created_time,from,attachments{mime_type,name,file_url,image_data{url},video_data{url}}"

func (g *graph) fetchMessage(ctx context.Context, cred platform.Credentials, id string) (platform.Object, graphMessage, error) {
	peer, mid, ok := splitMessageID(id)
	if !ok {
		return platform.Object{}, graphMessage{}, &platform.Error{Platform: g.platform, Permanent: true, Message: "not a message id: " + id}
	}
	var m graphMessage
	if _, err := g.get(ctx, cred.AccessToken, mid, url.Values{"fields": {messageFields}}, &m); err != nil {
		return platform.Object{}, m, err
	}
	o := platform.Object{
		ExternalID: id, Kind: platform.KindMessage, ThreadID: "m:" + peer,
		Author:    platform.Author{ExternalID: string(m.From.ID), Name: m.From.Name, Handle: m.From.Username, IsPage: string(m.From.ID) == cred.AccountID},
		Text:      m.Message,
		CreatedAt: graphTime(m.CreatedTime),
	}
	for _, a := range m.Attachments.Data {
		switch {
		case a.ImageData.URL != "":
			o.Attachments = append(o.Attachments, platform.Attachment{Kind: "image", URL: a.ImageData.URL, ContentType: a.MimeType, Title: a.Name})
		case a.VideoData.URL != "":
			o.Attachments = append(o.Attachments, platform.Attachment{Kind: "video", URL: a.VideoData.URL, ContentType: a.MimeType, Title: a.Name})
		case a.FileURL != "":
			o.Attachments = append(o.Attachments, platform.Attachment{Kind: "file", URL: a.FileURL, ContentType: a.MimeType, Title: a.Name})
		}
	}
	return o, m, nil
}

// sendMessage answers a direct message with messaging_type RESPONSE, which
// Meta allows only within 24 hours of the person's message. endpoint is the
// node whose messages edge sends: the page id, or "me" for Instagram.
func (g *graph) sendMessage(ctx context.Context, cred platform.Credentials, endpoint, id, text string) (platform.Result, error) {
	o, _, err := g.fetchMessage(ctx, cred, id)
	if err != nil {
		return platform.Result{}, err
	}
	if o.Author.IsPage {
		return platform.Result{}, windowError(g.platform, "Meddelandet du svarar på skickades av kontot självt; svara på personens senaste meddelande.")
	}
	if age := g.cfg.Now().Sub(o.CreatedAt); o.CreatedAt.IsZero() || age > MessageWindow {
		return platform.Result{}, windowError(g.platform, "Svarsfönstret har stängt: Meta tillåter svar på ett meddelande bara inom 24 timmar från personens senaste meddelande. Be personen skriva igen, eller svara i en annan kanal.")
	}
	peer, _, _ := splitMessageID(id)
	return g.postMessage(ctx, cred, endpoint, map[string]string{"id": peer}, text, "RESPONSE")
}

func (g *graph) postMessage(ctx context.Context, cred platform.Credentials, endpoint string, recipient map[string]string, text, messagingType string) (platform.Result, error) {
	rcp, _ := json.Marshal(recipient)
	msg, _ := json.Marshal(map[string]string{"text": text})
	form := url.Values{"recipient": {string(rcp)}, "message": {string(msg)}}
	if messagingType != "" {
		form.Set("messaging_type", messagingType)
	}
	var res struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	raw, err := g.post(ctx, cred.AccessToken, endpoint+"/messages", form, &res)
	if err != nil {
		return platform.Result{Raw: raw}, err
	}
	return platform.Result{ExternalID: messageID(res.RecipientID, res.MessageID), Raw: raw}, nil
}

// windowError is the permanent error of a closed reply window, in Swedish
// since it reaches the person who tried to answer.
func windowError(name platform.Name, msg string) *platform.Error {
	return &platform.Error{Platform: name, Code: "window_closed", Permanent: true, Message: msg}
}
