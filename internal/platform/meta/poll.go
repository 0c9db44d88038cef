package meta

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"tilltal/internal/platform"
)

// The cursor of a Meta back-fill is a time (RFC 3339): everything created
// at or after it is read again. Webhooks are the main road; Poll closes the
// gaps after a channel is connected or after an outage, and dedupe makes
// the overlap harmless.

// cursorSkew is subtracted from the next cursor so that an object stamped
// just before the poll by a clock slightly behind ours is not missed.
const cursorSkew = 2 * time.Minute

func (c Config) since(cur platform.Cursor) time.Time {
	if t, err := time.Parse(time.RFC3339, string(cur)); err == nil {
		return t.UTC()
	}
	return c.Now().Add(-c.BackfillWindow)
}

func nextCursor(start time.Time) platform.Cursor {
	return platform.Cursor(start.Add(-cursorSkew).UTC().Format(time.RFC3339))
}

// Poll reads the page's recent posts and the comments on them created
// since the cursor. Posts created within the back-fill window before the
// cursor are looked at too, since old posts get new comments.
func (f *Facebook) Poll(ctx context.Context, cred platform.Credentials, cur platform.Cursor) ([]platform.Event, platform.Cursor, error) {
	cfg := f.g.cfg
	start := cfg.Now()
	since := cfg.since(cur)
	oldest := since.Add(-cfg.BackfillWindow)
	q := url.Values{"fields": {fbPostFields}, "since": {strconv.FormatInt(oldest.Unix(), 10)}, "limit": {"25"}}
	posts, err := list(ctx, f.g, cred.AccessToken, cred.AccountID+"/feed", q, cfg.MaxPages, func(ps []fbPost) bool {
		return !graphTime(ps[len(ps)-1].CreatedTime).Before(oldest)
	})
	if err != nil {
		return nil, cur, err
	}
	var events []platform.Event
	for _, p := range posts {
		o := p.object(cred.AccountID)
		if !o.CreatedAt.Before(since) {
			events = append(events, polled(platform.Facebook, cred.AccountID, o))
		}
		if !o.UpdatedAt.IsZero() && o.UpdatedAt.Before(since) {
			continue // nothing new under it
		}
		cs, err := f.commentsSince(ctx, cred, p.ID, since)
		if err != nil {
			return nil, cur, err
		}
		events = append(events, cs...)
	}
	return events, nextCursor(start), nil
}

func (f *Facebook) commentsSince(ctx context.Context, cred platform.Credentials, postID string, since time.Time) ([]platform.Event, error) {
	q := url.Values{"fields": {fbCommentFields}, "filter": {"stream"}, "order": {"reverse_chronological"}, "limit": {"50"}}
	cs, err := list(ctx, f.g, cred.AccessToken, postID+"/comments", q, f.g.cfg.MaxPages, func(cs []fbComment) bool {
		return !graphTime(cs[len(cs)-1].CreatedTime).Before(since)
	})
	if err != nil {
		return nil, err
	}
	var out []platform.Event
	for _, c := range cs {
		o := c.object(cred.AccountID)
		o.ThreadID = postID
		if o.Kind == platform.KindComment {
			o.ParentID = postID
		}
		if !o.CreatedAt.Before(since) {
			out = append(out, polled(platform.Facebook, cred.AccountID, o))
		}
	}
	return out, nil
}

// Poll reads the account's recent media and the comments and replies on
// them created since the cursor.
func (i *Instagram) Poll(ctx context.Context, cred platform.Credentials, cur platform.Cursor) ([]platform.Event, platform.Cursor, error) {
	cfg := i.g.cfg
	start := cfg.Now()
	since := cfg.since(cur)
	oldest := since.Add(-cfg.BackfillWindow)
	q := url.Values{"fields": {igMediaFields + ",comments_count"}, "since": {strconv.FormatInt(oldest.Unix(), 10)}, "limit": {"25"}}
	media, err := list(ctx, i.g, cred.AccessToken, cred.AccountID+"/media", q, cfg.MaxPages, func(ms []igMedia) bool {
		return !graphTime(ms[len(ms)-1].Timestamp).Before(oldest)
	})
	if err != nil {
		return nil, cur, err
	}
	var events []platform.Event
	for _, m := range media {
		o := m.object(cred.AccountID)
		if !o.CreatedAt.Before(since) {
			events = append(events, polled(platform.Instagram, cred.AccountID, o))
		}
		if m.CommentCount == 0 {
			continue
		}
		cq := url.Values{"fields": {igCommentFields + ",replies{" + igCommentFields + "}"}, "limit": {"50"}}
		cs, err := list[igComment](ctx, i.g, cred.AccessToken, m.ID+"/comments", cq, cfg.MaxPages, nil)
		if err != nil {
			return nil, cur, err
		}
		for _, c := range cs {
			for _, x := range append([]igComment{c}, c.Replies.Data...) {
				co := x.object(cred.AccountID, m.ID)
				if !co.CreatedAt.Before(since) {
					events = append(events, polled(platform.Instagram, cred.AccountID, co))
				}
			}
		}
	}
	return events, nextCursor(start), nil
}

func polled(name platform.Name, account string, o platform.Object) platform.Event {
	return newEvent(name, account, platform.VerbCreate, o, o.CreatedAt, o.CreatedAt)
}

// FindReply looks under parentID for a comment the page itself wrote with
// exactly text, created at or after since. The outbound job asks before it
// posts a reply again after a failed attempt, so that a reply Meta accepted
// but we never recorded is adopted instead of posted twice.
func (f *Facebook) FindReply(ctx context.Context, cred platform.Credentials, parentID, text string, since time.Time) (platform.Result, bool, error) {
	if _, _, ok := splitMessageID(parentID); ok {
		return platform.Result{}, false, nil
	}
	q := url.Values{"fields": {"id,message,from{id,name},created_time"}, "filter": {"stream"}, "order": {"reverse_chronological"}, "limit": {"50"}}
	cs, err := list(ctx, f.g, cred.AccessToken, parentID+"/comments", q, 5, func(cs []fbComment) bool {
		return !graphTime(cs[len(cs)-1].CreatedTime).Before(since)
	})
	if err != nil {
		return platform.Result{}, false, err
	}
	for _, c := range cs {
		if string(c.From.ID) == cred.AccountID && c.Message == text && !graphTime(c.CreatedTime).Before(since.Add(-cursorSkew)) {
			return platform.Result{ExternalID: c.ID, Raw: []byte(`{"adopted":"` + c.ID + `"}`)}, true, nil
		}
	}
	return platform.Result{}, false, nil
}

// FindReply is Facebook's FindReply for Instagram replies.
func (i *Instagram) FindReply(ctx context.Context, cred platform.Credentials, parentID, text string, since time.Time) (platform.Result, bool, error) {
	if _, _, ok := splitMessageID(parentID); ok {
		return platform.Result{}, false, nil
	}
	if _, _, ok := splitMention(parentID); ok {
		return platform.Result{}, false, nil
	}
	q := url.Values{"fields": {"id,text,timestamp,from{id,username},username"}, "limit": {"50"}}
	cs, err := list[igComment](ctx, i.g, cred.AccessToken, parentID+"/replies", q, 5, nil)
	if err != nil {
		return platform.Result{}, false, err
	}
	for _, c := range cs {
		if string(c.From.ID) == cred.AccountID && c.Text == text && !graphTime(c.Timestamp).Before(since.Add(-cursorSkew)) {
			return platform.Result{ExternalID: c.ID, Raw: []byte(`{"adopted":"` + c.ID + `"}`)}, true, nil
		}
	}
	return platform.Result{}, false, nil
}

var (
	_ platform.Connector = (*Facebook)(nil)
	_ platform.Connector = (*Instagram)(nil)
)

// FindPost looks for a post the page published at or after since with the
// text the request would give it, so that a publish retried after a lost
// answer adopts the post instead of publishing it twice.
func (f *Facebook) FindPost(ctx context.Context, cred platform.Credentials, post platform.PostRequest, since time.Time) (platform.Result, bool, error) {
	text := post.Text
	if post.ImageURL != "" {
		text = joinNonEmpty(post.Text, post.Link)
	}
	oldest := since.Add(-cursorSkew)
	q := url.Values{"fields": {"id,message,created_time"}, "since": {strconv.FormatInt(oldest.Unix(), 10)}, "limit": {"25"}}
	ps, err := list[fbPost](ctx, f.g, cred.AccessToken, cred.AccountID+"/published_posts", q, 4, nil)
	if err != nil {
		return platform.Result{}, false, err
	}
	for _, p := range ps {
		if p.Message == text && !graphTime(p.CreatedTime).Before(oldest) {
			return platform.Result{ExternalID: p.ID, Raw: []byte(`{"adopted":"` + p.ID + `"}`)}, true, nil
		}
	}
	return platform.Result{}, false, nil
}

// FindPost is Facebook's FindPost for Instagram media.
func (i *Instagram) FindPost(ctx context.Context, cred platform.Credentials, post platform.PostRequest, since time.Time) (platform.Result, bool, error) {
	caption := joinNonEmpty(post.Text, post.Link)
	oldest := since.Add(-cursorSkew)
	q := url.Values{"fields": {"id,caption,timestamp"}, "since": {strconv.FormatInt(oldest.Unix(), 10)}, "limit": {"25"}}
	ms, err := list[igMedia](ctx, i.g, cred.AccessToken, cred.AccountID+"/media", q, 4, nil)
	if err != nil {
		return platform.Result{}, false, err
	}
	for _, m := range ms {
		if m.Caption == caption && !graphTime(m.Timestamp).Before(oldest) {
			return platform.Result{ExternalID: m.ID, Raw: []byte(`{"adopted":"` + m.ID + `"}`)}, true, nil
		}
	}
	return platform.Result{}, false, nil
}
