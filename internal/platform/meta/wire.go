package meta

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// flexID is an id that Meta writes as a string in most places and as a bare
// number in some older webhook fields (sender_id, user_id).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexID(n.String())
	return nil
}

// flexTime is a time Meta writes as Unix seconds in webhooks (milliseconds
// in Messenger ones) and as an ISO string in the Graph API.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			*f = flexTime(unixAny(n))
			return nil
		}
		*f = flexTime(graphTime(s))
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	v, err := n.Float64()
	if err != nil {
		return err
	}
	*f = flexTime(unixAny(int64(v)))
	return nil
}

// unixAny reads seconds or milliseconds since the epoch: Messenger stamps in
// milliseconds, the feed in seconds, and no event is from 1970 or 33658.
func unixAny(n int64) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	if n > 100_000_000_000 {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

func (f flexTime) Time() time.Time { return time.Time(f) }

type wireDelivery struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID        flexID          `json:"id"`
	Time      flexTime        `json:"time"`
	Changes   []wireChange    `json:"changes"`
	Messaging []wireMessaging `json:"messaging"`
}

type wireChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type wireFrom struct {
	ID       flexID `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// feedValue is a change of field "feed" on a page.
type feedValue struct {
	Item        string   `json:"item"`
	Verb        string   `json:"verb"`
	CommentID   flexID   `json:"comment_id"`
	PostID      flexID   `json:"post_id"`
	ParentID    flexID   `json:"parent_id"`
	From        wireFrom `json:"from"`
	Message     string   `json:"message"`
	CreatedTime flexTime `json:"created_time"`
	IsHidden    bool     `json:"is_hidden"`
	Link        string   `json:"link"`
	Photo       string   `json:"photo"`
	Photos      []string `json:"photos"`
	Video       string   `json:"video"`
	Post        struct {
		PermalinkURL string `json:"permalink_url"`
	} `json:"post"`
}

// igCommentValue is a change of field "comments" or "live_comments" on an
// Instagram professional account.
type igCommentValue struct {
	ID       flexID   `json:"id"`
	Text     string   `json:"text"`
	From     wireFrom `json:"from"`
	ParentID flexID   `json:"parent_id"`
	Media    struct {
		ID flexID `json:"id"`
	} `json:"media"`
}

// igMentionValue is a change of field "mentions": the account was
// @mentioned in a comment (comment_id) or a caption (media only).
type igMentionValue struct {
	MediaID   flexID `json:"media_id"`
	CommentID flexID `json:"comment_id"`
}

type wireMessaging struct {
	Sender    struct{ ID flexID } `json:"sender"`
	Recipient struct{ ID flexID } `json:"recipient"`
	Timestamp flexTime            `json:"timestamp"`
	Message   *struct {
		Mid         string `json:"mid"`
		Text        string `json:"text"`
		IsEcho      bool   `json:"is_echo"`
		IsDeleted   bool   `json:"is_deleted"`
		Attachments []struct {
			Type    string `json:"type"`
			Payload struct {
				URL   string `json:"url"`
				Title string `json:"title"`
			} `json:"payload"`
		} `json:"attachments"`
	} `json:"message"`
	MessageEdit *struct {
		Mid     string `json:"mid"`
		Text    string `json:"text"`
		NumEdit int    `json:"num_edit"`
	} `json:"message_edit"`
}

// messageID builds the connector's id of a direct message: the other
// party's id travels with it, since answering needs it.
func messageID(peer, mid string) string { return "m:" + peer + ":" + mid }

// splitMessageID undoes messageID.
func splitMessageID(id string) (peer, mid string, ok bool) {
	rest, ok := strings.CutPrefix(id, "m:")
	if !ok {
		return "", "", false
	}
	peer, mid, ok = strings.Cut(rest, ":")
	return peer, mid, ok && peer != "" && mid != ""
}
