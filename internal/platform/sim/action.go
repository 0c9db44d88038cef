package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"tilltal/internal/platform"
)

// Reply answers an object as the municipality. Now and then the citizen
// answers back a few intervals later (FollowUpRate).
func (c *Connector) Reply(_ context.Context, cred platform.Credentials, parentID, text string) (platform.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return platform.Result{}, fmt.Errorf("sim: reply: %w", err)
	}
	a := c.account(cred.AccountID, time.Time{})
	parent, err := c.lookup(a, parentID)
	if err != nil {
		return platform.Result{}, fmt.Errorf("sim: reply: %w", err)
	}
	now := c.cfg.Clock.Now()
	a.seq++
	obj := platform.Object{ExternalID: a.gen.id("a", a.seq), Kind: platform.KindReply, ParentID: parentID,
		ThreadID: parent.ThreadID, Author: pageAuthor(cred.AccountID), Text: text, CreatedAt: now, UpdatedAt: now}
	switch parent.Kind {
	case platform.KindPost:
		obj.Kind = platform.KindComment
	case platform.KindMessage:
		obj.Kind, obj.ParentID = platform.KindMessage, ""
	case platform.KindMention:
		obj.ThreadID = parent.ExternalID
	}
	if obj.ThreadID == "" {
		obj.ThreadID = parent.ExternalID
	}
	obj.Permalink = a.gen.permalink(obj.ExternalID)
	a.objects[obj.ExternalID] = stored{obj: obj, from: now}
	a.log = append(a.log, c.event(cred.AccountID, obj, platform.VerbCreate, "create", now))
	c.followUp(a, cred.AccountID, obj, parent)
	return result(obj.ExternalID, obj), nil
}

// followUp lets the citizen answer the municipality's reply, decided by the
// seed and the reply's id so a demo replays the same way.
func (c *Connector) followUp(a *account, accountID string, reply, parent platform.Object) {
	r := rand.New(rand.NewPCG(c.cfg.Seed, hash64(reply.ExternalID)))
	if parent.Author.IsPage || r.Float64() >= c.cfg.FollowUpRate {
		return
	}
	due := reply.CreatedAt.Add(3 * c.cfg.Interval)
	obj := platform.Object{ExternalID: a.gen.id("f", a.seq), Kind: platform.KindReply, ParentID: reply.ExternalID,
		ThreadID: reply.ThreadID, Author: parent.Author, Text: oneOf(r, followUps), CreatedAt: due, UpdatedAt: due}
	if reply.Kind == platform.KindMessage {
		obj.Kind, obj.ParentID = platform.KindMessage, ""
	}
	obj.Permalink = a.gen.permalink(obj.ExternalID)
	a.objects[obj.ExternalID] = stored{obj: obj, from: due}
	a.later = append(a.later, entry{due: due, ev: c.event(accountID, obj, platform.VerbCreate, "create", due)})
}

// SetHidden hides or unhides a comment. A sim presenting itself as
// LinkedIn refuses, as LinkedIn does; posts and messages cannot be hidden.
func (c *Connector) SetHidden(_ context.Context, cred platform.Credentials, externalID string, hidden bool) (platform.Result, error) {
	if c.cfg.Platform == platform.LinkedIn {
		return platform.Result{}, fmt.Errorf("sim: hide: %w", platform.ErrUnsupported)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return platform.Result{}, fmt.Errorf("sim: hide: %w", err)
	}
	a := c.account(cred.AccountID, time.Time{})
	obj, err := c.lookup(a, externalID)
	if err != nil {
		return platform.Result{}, fmt.Errorf("sim: hide: %w", err)
	}
	if obj.Kind == platform.KindPost || obj.Kind == platform.KindMessage {
		return platform.Result{}, fmt.Errorf("sim: hide %s: %w", obj.Kind, platform.ErrUnsupported)
	}
	a.hidden[externalID] = hidden
	obj.Hidden = hidden
	verb := platform.VerbUnhide
	if hidden {
		verb = platform.VerbHide
	}
	a.seq++
	now := c.cfg.Clock.Now()
	a.log = append(a.log, c.event(cred.AccountID, obj, verb, fmt.Sprintf("%s:%d", verb, a.seq), now))
	return result(externalID, map[string]any{"success": true, "is_hidden": hidden}), nil
}

// Delete removes a post, comment or reply; messages cannot be deleted.
func (c *Connector) Delete(_ context.Context, cred platform.Credentials, externalID string) (platform.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return platform.Result{}, fmt.Errorf("sim: delete: %w", err)
	}
	a := c.account(cred.AccountID, time.Time{})
	obj, err := c.lookup(a, externalID)
	if err != nil {
		return platform.Result{}, fmt.Errorf("sim: delete: %w", err)
	}
	if obj.Kind == platform.KindMessage {
		return platform.Result{}, fmt.Errorf("sim: delete message: %w", platform.ErrUnsupported)
	}
	a.deleted[externalID] = true
	a.log = append(a.log, c.event(cred.AccountID, obj, platform.VerbRemove, "remove", c.cfg.Clock.Now()))
	return result(externalID, map[string]any{"success": true}), nil
}

// Publish creates a post as the municipality. A sim presenting itself as
// YouTube refuses, as the YouTube Data API has no text posts.
func (c *Connector) Publish(_ context.Context, cred platform.Credentials, post platform.PostRequest) (platform.Result, error) {
	if c.cfg.Platform == platform.YouTube {
		return platform.Result{}, fmt.Errorf("sim: publish: %w", platform.ErrUnsupported)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return platform.Result{}, fmt.Errorf("sim: publish: %w", err)
	}
	a := c.account(cred.AccountID, time.Time{})
	now := c.cfg.Clock.Now()
	a.seq++
	obj := platform.Object{ExternalID: a.gen.id("u", a.seq), Kind: platform.KindPost, Author: pageAuthor(cred.AccountID),
		Text: post.Text, CreatedAt: now, UpdatedAt: now}
	obj.ThreadID, obj.Permalink = obj.ExternalID, a.gen.permalink(obj.ExternalID)
	if post.Link != "" {
		obj.Attachments = append(obj.Attachments, platform.Attachment{Kind: "link", URL: post.Link})
	}
	if post.ImageURL != "" {
		obj.Attachments = append(obj.Attachments, platform.Attachment{Kind: "image", URL: post.ImageURL, Title: post.AltText})
	}
	a.objects[obj.ExternalID] = stored{obj: obj, from: now}
	a.log = append(a.log, c.event(cred.AccountID, obj, platform.VerbCreate, "create", now))
	return result(obj.ExternalID, obj), nil
}

// result keeps the "platform's" answer as JSON, like the real connectors.
func result(id string, answer any) platform.Result {
	raw, _ := json.Marshal(answer) // objects and maps of plain values always marshal
	return platform.Result{ExternalID: id, Raw: raw}
}
