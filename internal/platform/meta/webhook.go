package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// Delivery is what a webhook body held.
type Delivery struct {
	// Object is the delivery's object type ("page", "instagram", …).
	Object string
	Events []platform.Event
	// Skipped names what was not turned into an event (reactions, read
	// receipts, unknown fields and object types), for the log; the raw
	// delivery keeps it all.
	Skipped []string
}

// ErrMalformed wraps every reason a body could not be read as a delivery.
var ErrMalformed = errors.New("meta: malformed delivery")

// ParseDelivery reads a webhook body into neutral events. Unknown fields
// are ignored; unknown object types and change fields are listed in
// Skipped. Only a body that is not a delivery at all is an error.
func ParseDelivery(body []byte) (Delivery, error) {
	var w wireDelivery
	if err := json.Unmarshal(body, &w); err != nil {
		return Delivery{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if w.Object == "" {
		return Delivery{}, fmt.Errorf("%w: no object type", ErrMalformed)
	}
	d := Delivery{Object: w.Object}
	var name platform.Name
	switch w.Object {
	case "page":
		name = platform.Facebook
	case "instagram":
		name = platform.Instagram
	default:
		d.Skipped = append(d.Skipped, "object:"+w.Object)
		return d, nil
	}
	for _, e := range w.Entry {
		if e.ID == "" {
			d.Skipped = append(d.Skipped, "entry without id")
			continue
		}
		for _, c := range e.Changes {
			ev, ok, why := parseChange(name, e, c)
			if ok {
				d.Events = append(d.Events, ev)
			} else {
				d.Skipped = append(d.Skipped, why)
			}
		}
		for _, m := range e.Messaging {
			ev, ok, why := parseMessaging(name, e, m)
			if ok {
				d.Events = append(d.Events, ev)
			} else {
				d.Skipped = append(d.Skipped, why)
			}
		}
	}
	return d, nil
}

func parseChange(name platform.Name, e wireEntry, c wireChange) (platform.Event, bool, string) {
	switch {
	case name == platform.Facebook && c.Field == "feed":
		var v feedValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return platform.Event{}, false, "feed: " + err.Error()
		}
		return feedEvent(e, v)
	case name == platform.Instagram && (c.Field == "comments" || c.Field == "live_comments"):
		var v igCommentValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return platform.Event{}, false, c.Field + ": " + err.Error()
		}
		return igCommentEvent(e, v)
	case name == platform.Instagram && c.Field == "mentions":
		var v igMentionValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return platform.Event{}, false, "mentions: " + err.Error()
		}
		return igMentionEvent(e, v)
	}
	return platform.Event{}, false, "field:" + c.Field
}

var feedVerbs = map[string]platform.Verb{
	"add": platform.VerbCreate, "edited": platform.VerbEdit, "edit": platform.VerbEdit,
	"remove": platform.VerbRemove, "hide": platform.VerbHide, "unhide": platform.VerbUnhide,
}

func feedEvent(e wireEntry, v feedValue) (platform.Event, bool, string) {
	verb, ok := feedVerbs[v.Verb]
	if !ok {
		return platform.Event{}, false, "feed verb:" + v.Verb
	}
	o := platform.Object{
		ThreadID:  string(v.PostID),
		Author:    author(v.From, string(e.ID)),
		Text:      v.Message,
		CreatedAt: v.CreatedTime.Time(),
		Hidden:    v.IsHidden || verb == platform.VerbHide,
		Permalink: v.Post.PermalinkURL,
	}
	switch v.Item {
	case "comment":
		o.ExternalID, o.Kind, o.ParentID = string(v.CommentID), platform.KindComment, string(v.ParentID)
		if o.ParentID == "" {
			o.ParentID = string(v.PostID)
		}
		if o.ParentID != string(v.PostID) {
			o.Kind = platform.KindReply
		}
	case "post", "status", "photo", "video", "share":
		o.ExternalID, o.Kind = string(v.PostID), platform.KindPost
	default:
		return platform.Event{}, false, "feed item:" + v.Item
	}
	if o.ExternalID == "" {
		return platform.Event{}, false, "feed " + v.Item + " without id"
	}
	o.Attachments = feedAttachments(v)
	return newEvent(platform.Facebook, string(e.ID), verb, o, v.CreatedTime.Time(), e.Time.Time()), true, ""
}

func feedAttachments(v feedValue) []platform.Attachment {
	var out []platform.Attachment
	switch {
	case v.Item == "video" && v.Link != "":
		out = append(out, platform.Attachment{Kind: "video", URL: v.Link})
	case v.Item == "photo" && v.Link != "":
		out = append(out, platform.Attachment{Kind: "image", URL: v.Link})
	case v.Photo != "":
		out = append(out, platform.Attachment{Kind: "image", URL: v.Photo})
	case v.Link != "":
		out = append(out, platform.Attachment{Kind: "link", URL: v.Link})
	}
	for _, p := range v.Photos {
		out = append(out, platform.Attachment{Kind: "image", URL: p})
	}
	if v.Video != "" {
		out = append(out, platform.Attachment{Kind: "video", URL: v.Video})
	}
	return out
}

func igCommentEvent(e wireEntry, v igCommentValue) (platform.Event, bool, string) {
	if v.ID == "" {
		return platform.Event{}, false, "comments without id"
	}
	o := platform.Object{
		ExternalID: string(v.ID),
		Kind:       platform.KindComment,
		ParentID:   string(v.Media.ID),
		ThreadID:   string(v.Media.ID),
		Author:     author(v.From, string(e.ID)),
		Text:       v.Text,
		CreatedAt:  e.Time.Time(),
	}
	if v.ParentID != "" {
		o.Kind, o.ParentID = platform.KindReply, string(v.ParentID)
	}
	return newEvent(platform.Instagram, string(e.ID), platform.VerbCreate, o, time.Time{}, e.Time.Time()), true, ""
}

func igMentionEvent(e wireEntry, v igMentionValue) (platform.Event, bool, string) {
	if v.MediaID == "" {
		return platform.Event{}, false, "mentions without media_id"
	}
	id := "mention:" + string(v.MediaID)
	if v.CommentID != "" {
		id += ":" + string(v.CommentID)
	}
	o := platform.Object{ExternalID: id, Kind: platform.KindMention, ThreadID: string(v.MediaID), CreatedAt: e.Time.Time()}
	return newEvent(platform.Instagram, string(e.ID), platform.VerbCreate, o, time.Time{}, e.Time.Time()), true, ""
}

func parseMessaging(name platform.Name, e wireEntry, m wireMessaging) (platform.Event, bool, string) {
	account := string(e.ID)
	sender, recipient := string(m.Sender.ID), string(m.Recipient.ID)
	peer := sender
	if sender == account {
		peer = recipient
	}
	at := m.Timestamp.Time()
	switch {
	case m.Message != nil && m.Message.Mid != "":
		msg := m.Message
		o := platform.Object{
			ExternalID: messageID(peer, msg.Mid),
			Kind:       platform.KindMessage,
			ThreadID:   "m:" + peer,
			Author:     platform.Author{ExternalID: sender, IsPage: msg.IsEcho || sender == account},
			Text:       msg.Text,
			CreatedAt:  at,
		}
		for _, a := range msg.Attachments {
			o.Attachments = append(o.Attachments, platform.Attachment{Kind: attachmentKind(a.Type), URL: a.Payload.URL, Title: a.Payload.Title})
		}
		verb := platform.VerbCreate
		if msg.IsDeleted {
			verb = platform.VerbRemove
		}
		return newEvent(name, account, verb, o, at, e.Time.Time()), true, ""
	case m.MessageEdit != nil && m.MessageEdit.Mid != "":
		o := platform.Object{
			ExternalID: messageID(peer, m.MessageEdit.Mid),
			Kind:       platform.KindMessage,
			ThreadID:   "m:" + peer,
			Author:     platform.Author{ExternalID: sender, IsPage: sender == account},
			Text:       m.MessageEdit.Text,
			UpdatedAt:  at,
		}
		ev := newEvent(name, account, platform.VerbEdit, o, at, e.Time.Time())
		// The edit counter, not the time, tells edits apart.
		ev.EventID = o.ExternalID + ":edit:" + strconv.Itoa(m.MessageEdit.NumEdit)
		return ev, true, ""
	}
	return platform.Event{}, false, "messaging without message"
}

func attachmentKind(t string) string {
	switch t {
	case "image", "video", "file":
		return t
	case "audio":
		return "file"
	}
	return "link"
}

func author(f wireFrom, account string) platform.Author {
	a := platform.Author{ExternalID: string(f.ID), Name: f.Name, Handle: f.Username, IsPage: f.ID != "" && string(f.ID) == account}
	if a.Name == "" {
		a.Name = f.Username
	}
	if f.Username != "" {
		a.ProfileURL = "https://www.instagram.com/" + f.Username + "/"
	}
	return a
}

// newEvent fills the event's identity. The id of a creation is the object's
// own (an object is created once, whichever way we learn of it: webhook or
// back-fill); the id of any later change adds the time it happened, so
// that a redelivery of the same change dedupes and a new change does not.
func newEvent(name platform.Name, account string, verb platform.Verb, o platform.Object, changed, entryTime time.Time) platform.Event {
	at := changed
	if at.IsZero() {
		at = entryTime
	}
	ev := platform.Event{Platform: name, AccountID: account, Verb: verb, Object: o, OccurredAt: at}
	ev.EventID = EventID(o.ExternalID, verb, at)
	return ev
}

// EventID is the deduplication key of a change to an object.
func EventID(objectID string, verb platform.Verb, at time.Time) string {
	if verb == platform.VerbCreate {
		return objectID + ":create"
	}
	return strings.Join([]string{objectID, string(verb), strconv.FormatInt(at.Unix(), 10)}, ":")
}
