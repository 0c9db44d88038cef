package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"tilltal/internal/platform"
)

// cursorState is what a LinkedIn cursor holds: per watched post, the
// newest comment time seen, the post's own modification time, and the
// comment URNs known so that a comment that disappears becomes a removal.
type cursorState struct {
	V     int                 `json:"v"`
	Posts map[string]postMark `json:"posts"`
}

type postMark struct {
	Modified int64    `json:"m"`
	Seen     int64    `json:"s"`
	IDs      []string `json:"ids,omitempty"`
	// Untracked is set once a post had too many comments to track ids.
	Untracked bool `json:"u,omitempty"`
}

func parseCursor(c platform.Cursor) (cursorState, error) {
	st := cursorState{V: 1, Posts: map[string]postMark{}}
	if c == "" {
		return st, nil
	}
	if err := json.Unmarshal([]byte(c), &st); err != nil || st.V != 1 {
		return st, fmt.Errorf("linkedin: poll: unreadable cursor %.40q", string(c))
	}
	if st.Posts == nil {
		st.Posts = map[string]postMark{}
	}
	return st, nil
}

func (st cursorState) encode() platform.Cursor {
	b, _ := json.Marshal(st) // maps of strings and ints always marshal
	return platform.Cursor(b)
}

// Poll reads the page's recent posts and every comment on them, and returns
// what is new or changed since cursor: new posts, new and edited comments
// and replies, and comments that have disappeared. A poll is all or
// nothing: on error the old cursor stays valid and nothing is lost.
// Events for the same change carry the same EventID, so a poll repeated
// after a crash is deduplicated downstream.
func (c *Connector) Poll(ctx context.Context, cred platform.Credentials, since platform.Cursor) ([]platform.Event, platform.Cursor, error) {
	st, err := parseCursor(since)
	if err != nil {
		return nil, since, err
	}
	org := orgURN(cred.AccountID)
	posts, err := c.recentPosts(ctx, cred, org)
	if err != nil {
		return nil, since, fmt.Errorf("linkedin: poll posts: %w", err)
	}
	next := cursorState{V: 1, Posts: map[string]postMark{}}
	var events []platform.Event
	for _, p := range posts {
		evs, mark, err := c.pollPost(ctx, cred, org, p, st.Posts)
		if err != nil {
			return nil, since, fmt.Errorf("linkedin: poll %s: %w", p.ID, err)
		}
		events = append(events, evs...)
		if mark != nil {
			next.Posts[p.ID] = *mark
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].OccurredAt.Before(events[j].OccurredAt) })
	return events, next.encode(), nil
}

// recentPosts lists the organization's posts, newest first, until
// PostWindow or MaxPosts is reached.
func (c *Connector) recentPosts(ctx context.Context, cred platform.Credentials, org string) ([]liPost, error) {
	oldest := c.cfg.Clock.Now().Add(-c.cfg.PostWindow).UnixMilli()
	var out []liPost
	for start := 0; ; {
		q := url.Values{"q": {"author"}, "author": {org}, "sortBy": {"CREATED"},
			"start": {strconv.Itoa(start)}, "count": {strconv.Itoa(c.cfg.PageSize)}}
		var page liCollection[liPost]
		if err := c.getJSON(ctx, cred, "/rest/posts", q, &page); err != nil {
			return nil, err
		}
		for _, p := range page.Elements {
			if p.CreatedAt != 0 && p.CreatedAt < oldest {
				return out, nil
			}
			if p.LifecycleState == "DRAFT" || p.LifecycleState == "PUBLISH_FAILED" {
				continue // nobody can comment on a post that is not out
			}
			out = append(out, p)
			if len(out) >= c.cfg.MaxPosts {
				return out, nil
			}
		}
		if !page.Paging.more(len(page.Elements)) {
			return out, nil
		}
		start += len(page.Elements)
	}
}

// pollPost compares one post's comments with what the cursor knew. A post
// deleted since the listing yields its removal and no mark.
func (c *Connector) pollPost(ctx context.Context, cred platform.Credentials, org string, p liPost, known map[string]postMark) ([]platform.Event, *postMark, error) {
	old, wasKnown := known[p.ID]
	var events []platform.Event
	switch {
	case !wasKnown:
		events = append(events, c.postEvent(org, p, platform.VerbCreate))
	case p.LastModifiedAt > old.Modified:
		events = append(events, c.postEvent(org, p, platform.VerbEdit))
	}
	comments, err := c.threadComments(ctx, cred, p.ID)
	var pe *platform.Error
	if errors.As(err, &pe) && pe.NotFound {
		if wasKnown {
			events = append(events[:0], c.removal(org, p.ID, p.ID, platform.KindPost))
		}
		return events, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	mark := postMark{Modified: max(p.LastModifiedAt, old.Modified), Seen: old.Seen}
	// With the ids of a known post at hand, "new" is exact; otherwise
	// (first sight, or too many comments to track) time decides.
	tracking := wasKnown && !old.Untracked
	ids := map[string]bool{}
	for _, id := range old.IDs {
		ids[id] = true
	}
	current := map[string]bool{}
	for _, cm := range comments {
		urn := cm.urn()
		current[urn] = true
		isNew := cm.Created.Time > old.Seen
		if tracking {
			isNew = !ids[urn]
		}
		switch {
		case isNew:
			events = append(events, c.commentEvent(org, p.ID, cm, platform.VerbCreate))
		case cm.modified() > old.Seen && cm.LastModified.Time > cm.Created.Time:
			events = append(events, c.commentEvent(org, p.ID, cm, platform.VerbEdit))
		}
		mark.Seen = max(mark.Seen, cm.modified())
	}
	if tracking {
		for _, id := range old.IDs {
			if !current[id] {
				events = append(events, c.removal(org, p.ID, id, platform.KindComment))
			}
		}
	}
	if len(current) > maxTrackedComments || old.Untracked {
		mark.Untracked = true
	} else {
		for urn := range current {
			mark.IDs = append(mark.IDs, urn)
		}
		sort.Strings(mark.IDs)
	}
	return events, &mark, nil
}

// threadComments reads every comment on a post and every reply to those
// comments (LinkedIn nests one level deep).
func (c *Connector) threadComments(ctx context.Context, cred platform.Credentials, postURN string) ([]liComment, error) {
	top, err := c.listComments(ctx, cred, postURN)
	if err != nil {
		return nil, err
	}
	all := append([]liComment(nil), top...)
	for _, cm := range top {
		if cm.CommentsSummary == nil || cm.CommentsSummary.AggregatedTotalComments+cm.CommentsSummary.TotalFirstLevelComments == 0 {
			continue
		}
		replies, err := c.listComments(ctx, cred, cm.urn())
		var pe *platform.Error
		if errors.As(err, &pe) && pe.NotFound {
			continue // the comment went away between the two calls
		}
		if err != nil {
			return nil, err
		}
		for _, r := range replies {
			if r.ParentComment == "" {
				r.ParentComment = cm.urn()
			}
			all = append(all, r)
		}
	}
	return all, nil
}

// listComments pages through socialActions/{urn}/comments.
func (c *Connector) listComments(ctx context.Context, cred platform.Credentials, target string) ([]liComment, error) {
	var out []liComment
	for start := 0; ; {
		q := url.Values{"start": {strconv.Itoa(start)}, "count": {strconv.Itoa(c.cfg.PageSize)}}
		var page liCollection[liComment]
		if err := c.getJSON(ctx, cred, "/rest/socialActions/"+enc(target)+"/comments", q, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Elements...)
		if !page.Paging.more(len(page.Elements)) || len(page.Elements) == 0 {
			return out, nil
		}
		start += len(page.Elements)
	}
}

func (c *Connector) postEvent(org string, p liPost, verb platform.Verb) platform.Event {
	obj := postObject(org, p)
	return platform.Event{Platform: platform.LinkedIn, AccountID: org, Verb: verb, Object: obj,
		EventID:    fmt.Sprintf("linkedin:%s:%s:%d", p.ID, verb, p.LastModifiedAt),
		OccurredAt: obj.UpdatedAt}
}

func (c *Connector) commentEvent(org, postURN string, cm liComment, verb platform.Verb) platform.Event {
	obj := commentObject(org, postURN, cm)
	return platform.Event{Platform: platform.LinkedIn, AccountID: org, Verb: verb, Object: obj,
		EventID:    fmt.Sprintf("linkedin:%s:%s:%d", obj.ExternalID, verb, cm.modified()),
		OccurredAt: obj.UpdatedAt}
}

func (c *Connector) removal(org, postURN, urn string, kind platform.Kind) platform.Event {
	now := c.cfg.Clock.Now()
	obj := platform.Object{ExternalID: urn, Kind: kind, ThreadID: postURN, ParentID: postURN}
	if urn == postURN {
		obj.ParentID = ""
	}
	return platform.Event{Platform: platform.LinkedIn, AccountID: org, Verb: platform.VerbRemove,
		EventID: "linkedin:" + urn + ":remove", Object: obj, OccurredAt: now}
}

// postObject turns a post into the neutral shape. Images are named by
// their URN; Fetch resolves them to a download URL.
func postObject(org string, p liPost) platform.Object {
	o := platform.Object{ExternalID: p.ID, Kind: platform.KindPost, ThreadID: p.ID,
		Author: platform.Author{ExternalID: p.Author, IsPage: p.Author == org},
		Text:   p.Commentary, Permalink: permalink(p.ID, ""),
		CreatedAt: ms(p.CreatedAt), UpdatedAt: ms(max(p.LastModifiedAt, p.CreatedAt))}
	if p.Content != nil && p.Content.Article != nil {
		o.Attachments = append(o.Attachments, platform.Attachment{Kind: "link",
			URL: p.Content.Article.Source, Title: p.Content.Article.Title})
	}
	if p.Content != nil && p.Content.Media != nil {
		o.Attachments = append(o.Attachments, platform.Attachment{Kind: mediaKind(p.Content.Media.ID),
			Title: p.Content.Media.ID})
	}
	return o
}

func commentObject(org, postURN string, cm liComment) platform.Object {
	o := platform.Object{ExternalID: cm.urn(), Kind: platform.KindComment, ParentID: postURN, ThreadID: postURN,
		Author:    platform.Author{ExternalID: cm.Actor, IsPage: cm.Actor == org || cm.Agent == org},
		Text:      cm.Message.Text,
		Permalink: permalink(postURN, cm.urn()),
		CreatedAt: ms(cm.Created.Time), UpdatedAt: ms(cm.modified())}
	if cm.ParentComment != "" {
		o.Kind, o.ParentID = platform.KindReply, cm.ParentComment
	}
	for _, ct := range cm.Content {
		kind := "file"
		if ct.Type == "IMAGE" {
			kind = "image"
		}
		o.Attachments = append(o.Attachments, platform.Attachment{Kind: kind, URL: ct.URL})
	}
	return o
}

func mediaKind(urn string) string {
	switch {
	case len(urn) > 13 && urn[:13] == "urn:li:image:":
		return "image"
	case len(urn) > 13 && urn[:13] == "urn:li:video:":
		return "video"
	}
	return "file"
}

func ms(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
