package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/inbox"
	"tilltal/internal/outbound"
	"tilltal/internal/platform"
)

// Finished applies a finished publish action to its target, in the
// transaction that records the outcome (outbound's OnFinish hook, chained
// after the inbox's). A published post becomes the municipality's item in
// the inbox, in a thread of its own where the comments on it will land; a
// failure is written on the target and sent to the author. Actions that
// are not a post's are left alone.
func (s *Service) Finished(ctx context.Context, tx *db.Tx, act outbound.Action) error {
	if act.Kind != outbound.KindPublish {
		return nil
	}
	var targetID, postID int64
	err := tx.QueryRow(ctx, "SELECT id, post_id FROM publish_targets WHERE action_id = ?", act.ID).Scan(&targetID, &postID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("publish: finished: %w", err)
	}
	p, err := s.load(ctx, tx, allViewer, postID)
	if err != nil {
		return err
	}
	t, _ := targetByID(p, targetID)
	now := s.now()
	if act.Status == outbound.StatusFailed {
		return s.failTargetTx(ctx, tx, p, t, act.Error, now)
	}
	itemID, err := s.ingestTx(ctx, tx, p, t, act, now)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE publish_targets SET status = 'published', external_id = ?, item_id = ?, error = '', published_at = ?, updated_at = ? WHERE id = ?",
		act.ResultID, nullID(itemID), now, now, t.ID); err != nil {
		return err
	}
	// What the municipality publishes is a public record of its own.
	post := archive.Post{PostID: p.ID, ChannelID: t.ChannelID, ItemID: itemID, ExternalID: act.ResultID, Title: p.Title, Text: act.Post.Text,
		Link: act.Post.Link, ImageURL: act.Post.ImageURL, AltText: act.Post.AltText, AuthorID: p.AuthorID, AuthorName: p.AuthorName,
		ApprovedBy: p.DecidedByName, PublishedAt: now}
	if len(p.Images) > 0 {
		post.ImageSHA256 = p.Images[0].SHA256
	}
	if _, err := archive.PostTx(ctx, tx, post); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, p.ID, now, "published", t.ChannelName); err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.published", ObjectType: "post", ObjectID: audit.ID(p.ID),
		DepartmentID: t.DepartmentID, Summary: p.Title + " i " + t.ChannelName + " → " + act.ResultID})
}

// ingestTx makes the published post an item of the inbox, as if the
// platform had reported it, so that comments on it join its thread.
func (s *Service) ingestTx(ctx context.Context, tx *db.Tx, p Post, t Target, act outbound.Action, now time.Time) (int64, error) {
	if act.ResultID == "" {
		return 0, nil
	}
	obj := platform.Object{ExternalID: act.ResultID, Kind: platform.KindPost, Text: act.Post.Text, CreatedAt: now,
		Author: platform.Author{Name: t.ChannelName, IsPage: true}}
	if act.Post.ImageURL != "" {
		obj.Attachments = []platform.Attachment{{Kind: "image", URL: act.Post.ImageURL, Title: act.Post.AltText}}
	}
	if act.Post.Link != "" {
		obj.Attachments = append(obj.Attachments, platform.Attachment{Kind: "link", URL: act.Post.Link})
	}
	ev := platform.Event{Platform: platform.Name(t.Platform), EventID: fmt.Sprintf("tilltal:%d", act.ID), Verb: platform.VerbCreate, OccurredAt: now, Object: obj}
	res, err := inbox.Ingest(ctx, tx, t.ChannelID, ev, now)
	return res.ItemID, err
}
