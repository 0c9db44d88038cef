package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"tilltal/internal/db"
)

// Post is a post the municipality published on a channel through Tilltal.
type Post struct {
	PostID    int64
	ChannelID int64
	// ItemID is the post's item in the inbox, where comments on it land.
	ItemID     int64
	ExternalID string
	Title      string
	Text       string
	Link       string
	// Image is the published image, if any: its SHA-256 in the blob store
	// and its alternative text.
	ImageSHA256 string
	ImageURL    string
	AltText     string
	AuthorID    int64
	AuthorName  string
	// ApprovedBy is who approved it, '' when it needed no approval.
	ApprovedBy  string
	PublishedAt time.Time
}

// PostContent is the content of a post record.
type PostContent struct {
	PostID      int64     `json:"post_id"`
	ItemID      int64     `json:"item_id,omitempty"`
	ExternalID  string    `json:"external_id"`
	ChannelName string    `json:"channel_name"`
	Title       string    `json:"title"`
	Text        string    `json:"text"`
	Link        string    `json:"link,omitempty"`
	ImageSHA256 string    `json:"image_sha256,omitempty"`
	ImageURL    string    `json:"image_url,omitempty"`
	AltText     string    `json:"alt_text,omitempty"`
	AuthorName  string    `json:"author_name"`
	ApprovedBy  string    `json:"approved_by,omitempty"`
	PublishedAt time.Time `json:"published_at"`
}

// PostTx archives a post the municipality published, in the transaction
// that records that the platform accepted it. The post also becomes an
// item, archived by ItemVersionTx as the platform shows it; this record
// adds what was written, by whom, who approved it and the image.
func PostTx(ctx context.Context, tx *db.Tx, p Post) (Record, error) {
	var channelName, platformName string
	var department int64
	if err := tx.QueryRow(ctx, "SELECT name, platform, department_id FROM channels WHERE id = ?", p.ChannelID).Scan(&channelName, &platformName, &department); err != nil {
		return Record{}, fmt.Errorf("archive: post: %w", err)
	}
	var thread int64
	if p.ItemID != 0 {
		_ = tx.QueryRow(ctx, "SELECT thread_id FROM items WHERE id = ?", p.ItemID).Scan(&thread)
	}
	content, err := json.Marshal(PostContent{PostID: p.PostID, ItemID: p.ItemID, ExternalID: p.ExternalID, ChannelName: channelName, Title: p.Title,
		Text: p.Text, Link: p.Link, ImageSHA256: p.ImageSHA256, ImageURL: p.ImageURL, AltText: p.AltText, AuthorName: p.AuthorName,
		ApprovedBy: p.ApprovedBy, PublishedAt: archiveTime(p.PublishedAt)})
	if err != nil {
		return Record{}, err
	}
	author := ""
	if p.AuthorID != 0 {
		author = fmt.Sprintf("user:%d", p.AuthorID)
	}
	return AppendTx(ctx, tx, Record{Kind: KindPost, ChannelID: p.ChannelID, DepartmentID: department, ItemID: p.ItemID, ThreadID: thread,
		Platform: platformName, ExternalID: p.ExternalID, AuthorID: author, AuthorName: p.AuthorName, Direction: Out,
		OccurredAt: p.PublishedAt, CapturedAt: p.PublishedAt, Content: content, IndexText: p.Title + "\n" + p.Text})
}
