package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// cursorState is what a YouTube cursor holds: per moderation status the
// newest change seen (and the ids seen at exactly that instant, since
// timestamps are coarse), reply counts of busy threads, and the time
// before which polling must not spend quota again.
type cursorState struct {
	V         int                  `json:"v"`
	Since     map[string]time.Time `json:"since"`
	AtSince   map[string][]string  `json:"at,omitempty"`
	Replies   map[string]int       `json:"replies,omitempty"`
	NotBefore time.Time            `json:"not_before,omitzero"`
	// Resume is where a scan the quota interrupted goes on, per status, so
	// that a backlog larger than a day's budget is still read to the end.
	Resume map[string]resume `json:"resume,omitempty"`
}

// resume is an interrupted scan: the page to read next and what the scan
// had established so far.
type resume struct {
	Token    string    `json:"token"`
	Since    time.Time `json:"since"`
	AtSince  []string  `json:"at_since,omitempty"`
	Newest   time.Time `json:"newest"`
	AtNewest []string  `json:"at_newest,omitempty"`
}

func parseCursor(c platform.Cursor) (cursorState, error) {
	st := cursorState{V: 1}
	if c != "" {
		if err := json.Unmarshal([]byte(c), &st); err != nil || st.V != 1 {
			return cursorState{}, fmt.Errorf("youtube: poll: unreadable cursor %.40q", string(c))
		}
	}
	if st.Since == nil {
		st.Since = map[string]time.Time{}
	}
	if st.AtSince == nil {
		st.AtSince = map[string][]string{}
	}
	if st.Replies == nil {
		st.Replies = map[string]int{}
	}
	if st.Resume == nil {
		st.Resume = map[string]resume{}
	}
	return st, nil
}

func (st cursorState) encode() platform.Cursor {
	b, _ := json.Marshal(st) // plain maps and times always marshal
	return platform.Cursor(b)
}

// NextPoll is when a poll with cursor c will next spend quota; zero when
// it may poll now. A poll before then returns no events and no error.
func NextPoll(c platform.Cursor) time.Time {
	st, err := parseCursor(c)
	if err != nil {
		return time.Time{}
	}
	return st.NotBefore
}

// Poll reads the channel's comment threads newest first
// (commentThreads.list, allThreadsRelatedToChannelId, order=time, 100 a
// page) for each polled moderation status, down to ReplyLookback before
// the newest change seen last time, and returns the comments and replies
// published or edited since. When the quota's pace or reserve says stop,
// Poll returns what it has, no error, and a cursor that defers the next
// poll (NextPoll); the part not read is read next time.
func (c *Connector) Poll(ctx context.Context, cred platform.Credentials, since platform.Cursor) ([]platform.Event, platform.Cursor, error) {
	st, err := parseCursor(since)
	if err != nil {
		return nil, since, err
	}
	now := c.cfg.Clock.Now()
	if now.Before(st.NotBefore) {
		return nil, since, nil
	}
	st.NotBefore = time.Time{}
	seen := map[string]bool{}
	complete := true
	var events []platform.Event
	for _, status := range c.cfg.Statuses {
		s := scan{c: c, cred: cred, status: status, st: &st, now: now, seen: seen}
		err := s.run(ctx)
		events = append(events, s.events...)
		if wait, ok := quotaWait(err); ok {
			st.NotBefore = now.Add(wait)
			st.Resume[status] = resume{Token: s.token, Since: s.since, AtSince: s.atSince, Newest: s.newest, AtNewest: s.atNewest}
			complete = false
			break
		}
		if err != nil {
			return nil, since, fmt.Errorf("youtube: poll %s: %w", status, err)
		}
		st.Since[status], st.AtSince[status] = s.newest, s.atNewest
		delete(st.Resume, status)
	}
	if complete {
		for id := range st.Replies {
			if !seen[id] {
				delete(st.Replies, id) // the thread has aged out of the lookback
			}
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].OccurredAt.Before(events[j].OccurredAt) })
	return events, st.encode(), nil
}

// quotaWait tells a spent quota (ours or YouTube's) from other errors.
func quotaWait(err error) (time.Duration, bool) {
	var pe *platform.Error
	if errors.As(err, &pe) && pe.Code == "quotaExceeded" {
		return pe.RetryAfter, true
	}
	return 0, false
}

// scan is one status's walk through the thread pages.
type scan struct {
	c        *Connector
	cred     platform.Credentials
	status   string
	st       *cursorState
	now      time.Time
	seen     map[string]bool
	since    time.Time
	atSince  []string
	newest   time.Time
	atNewest []string
	token    string
	events   []platform.Event
}

func (s *scan) run(ctx context.Context) error {
	if r, ok := s.st.Resume[s.status]; ok {
		s.since, s.atSince, s.newest, s.atNewest, s.token = r.Since, r.AtSince, r.Newest, r.AtNewest, r.Token
		err := s.pages(ctx)
		var pe *platform.Error
		if !errors.As(err, &pe) || pe.Status != 400 {
			return err
		}
		delete(s.st.Resume, s.status) // the page token expired: scan again from the top
	}
	s.since, s.atSince = s.st.Since[s.status], s.st.AtSince[s.status]
	if s.since.IsZero() {
		s.since = s.now.Add(-s.c.cfg.Backfill)
	}
	s.newest, s.atNewest, s.token = s.since, slices.Clone(s.atSince), ""
	return s.pages(ctx)
}

// pages walks from s.token, newest first, down to ReplyLookback before
// s.since. s.token always names the page in progress, so an interrupted
// scan resumes by reading that page again.
func (s *scan) pages(ctx context.Context) error {
	stop := s.since.Add(-s.c.cfg.ReplyLookback)
	for range s.c.cfg.MaxPages {
		q := url.Values{"part": {"snippet,replies"}, "allThreadsRelatedToChannelId": {s.cred.AccountID},
			"order": {"time"}, "maxResults": {"100"}, "textFormat": {"plainText"}}
		if s.status != StatusPublished {
			q.Set("moderationStatus", s.status)
		}
		if s.token != "" {
			q.Set("pageToken", s.token)
		}
		var list ytThreadList
		if err := s.c.getJSON(ctx, s.cred, forPoll, CostList, "/commentThreads", q, &list); err != nil {
			return err
		}
		for _, th := range list.Items {
			if th.Snippet.TopLevelComment.Snippet.PublishedAt.Before(stop) {
				return nil
			}
			if err := s.thread(ctx, th); err != nil {
				return err
			}
		}
		if list.NextPageToken == "" {
			return nil
		}
		s.token = list.NextPageToken
	}
	return nil // a backlog deeper than MaxPages is left unread
}

// thread emits what changed in one thread since the cursor.
func (s *scan) thread(ctx context.Context, th ytThread) error {
	s.seen[th.ID] = true
	comments, err := s.comments(ctx, th)
	if err != nil {
		return err
	}
	for i, cm := range comments {
		ch := cm.changed()
		if ch.Before(s.since) || ch.Equal(s.since) && slices.Contains(s.atSince, cm.ID) {
			continue
		}
		verb := platform.VerbCreate
		if !cm.Snippet.PublishedAt.After(s.since) && cm.Snippet.UpdatedAt.After(cm.Snippet.PublishedAt) {
			verb = platform.VerbEdit
		}
		obj := commentObject(s.cred.AccountID, cm, th.Snippet.VideoID, th.Snippet.ChannelID)
		if i == 0 && s.status != StatusPublished {
			obj.Hidden = true // listed as held: hidden from the public whatever the field says
		}
		s.events = append(s.events, platform.Event{Platform: platform.YouTube, AccountID: s.cred.AccountID,
			EventID: fmt.Sprintf("youtube:%s:%s:%d", cm.ID, verb, ch.UnixMilli()), Verb: verb, Object: obj, OccurredAt: ch})
		switch {
		case ch.After(s.newest):
			s.newest, s.atNewest = ch, []string{cm.ID}
		case ch.Equal(s.newest):
			s.atNewest = append(s.atNewest, cm.ID)
		}
	}
	return nil
}

// comments is the thread's top-level comment and its replies. YouTube
// includes only some replies in a thread; the rest are read with
// comments.list when the reply count changed since they were last read.
func (s *scan) comments(ctx context.Context, th ytThread) ([]ytComment, error) {
	out := []ytComment{th.Snippet.TopLevelComment}
	var included []ytComment
	if th.Replies != nil {
		included = th.Replies.Comments
	}
	n := th.Snippet.TotalReplyCount
	if n <= len(included) {
		delete(s.st.Replies, th.ID)
		return append(out, included...), nil
	}
	if prev, ok := s.st.Replies[th.ID]; ok && prev == n {
		return append(out, included...), nil
	}
	all, err := s.c.listReplies(ctx, s.cred, th.Snippet.TopLevelComment.ID)
	if err != nil {
		return nil, err
	}
	s.st.Replies[th.ID] = n
	return append(out, all...), nil
}

// maxReplyPages bounds the pages of replies read for one thread (100 a
// page): an answer that keeps naming a next page must not spend the day's
// quota on one thread.
const maxReplyPages = 50

// listReplies pages through comments.list?parentId=.
func (c *Connector) listReplies(ctx context.Context, cred platform.Credentials, parent string) ([]ytComment, error) {
	var out []ytComment
	token := ""
	for range maxReplyPages {
		q := url.Values{"part": {"snippet"}, "parentId": {parent}, "maxResults": {"100"}, "textFormat": {"plainText"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		var list ytCommentList
		if err := c.getJSON(ctx, cred, forPoll, CostList, "/comments", q, &list); err != nil {
			return nil, err
		}
		out = append(out, list.Items...)
		if list.NextPageToken == "" || list.NextPageToken == token {
			return out, nil
		}
		token = list.NextPageToken
	}
	return out, nil
}

// commentObject turns a comment into the neutral shape. The thread's root
// is the video (or the channel, for a comment on the channel itself).
func commentObject(account string, cm ytComment, videoID, channelID string) platform.Object {
	root := firstNonEmpty(cm.Snippet.VideoID, videoID)
	link := ""
	if root != "" {
		link = "https://www.youtube.com/watch?v=" + url.QueryEscape(root) + "&lc=" + url.QueryEscape(cm.ID)
	} else {
		root = firstNonEmpty(cm.Snippet.ChannelID, channelID)
		link = "https://www.youtube.com/channel/" + url.PathEscape(root)
	}
	o := platform.Object{ExternalID: cm.ID, Kind: platform.KindComment, ParentID: root, ThreadID: root,
		Author: platform.Author{ExternalID: cm.author(), Name: cm.Snippet.AuthorDisplayName,
			Handle: handle(cm.Snippet.AuthorChannelURL), ProfileURL: cm.Snippet.AuthorChannelURL,
			IsPage: cm.author() != "" && cm.author() == account},
		Text:      firstNonEmpty(cm.Snippet.TextOriginal, cm.Snippet.TextDisplay),
		Permalink: link, CreatedAt: cm.Snippet.PublishedAt, UpdatedAt: cm.changed(),
		Hidden: cm.Snippet.ModerationStatus == StatusHeldForReview || cm.Snippet.ModerationStatus == StatusLikelySpam ||
			cm.Snippet.ModerationStatus == StatusRejected}
	if cm.Snippet.ParentID != "" {
		o.Kind, o.ParentID = platform.KindReply, cm.Snippet.ParentID
	}
	return o
}

// handle is the @name in a channel URL such as youtube.com/@exempelby.
func handle(channelURL string) string {
	if i := strings.LastIndex(channelURL, "/@"); i >= 0 {
		return channelURL[i+1:]
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
