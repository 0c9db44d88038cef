package youtube

import "time"

// The JSON shapes of the YouTube Data API v3 that Tilltal reads and writes.

type ytChannelRef struct {
	Value string `json:"value"`
}

type ytCommentSnippet struct {
	AuthorDisplayName     string        `json:"authorDisplayName,omitempty"`
	AuthorProfileImageURL string        `json:"authorProfileImageUrl,omitempty"`
	AuthorChannelURL      string        `json:"authorChannelUrl,omitempty"`
	AuthorChannelID       *ytChannelRef `json:"authorChannelId,omitempty"`
	ChannelID             string        `json:"channelId,omitempty"`
	VideoID               string        `json:"videoId,omitempty"`
	TextDisplay           string        `json:"textDisplay,omitempty"`
	TextOriginal          string        `json:"textOriginal,omitempty"`
	ParentID              string        `json:"parentId,omitempty"`
	ModerationStatus      string        `json:"moderationStatus,omitempty"`
	PublishedAt           time.Time     `json:"publishedAt,omitzero"`
	UpdatedAt             time.Time     `json:"updatedAt,omitzero"`
}

type ytComment struct {
	ID      string           `json:"id,omitempty"`
	Snippet ytCommentSnippet `json:"snippet"`
}

func (c ytComment) author() string {
	if c.Snippet.AuthorChannelID == nil {
		return ""
	}
	return c.Snippet.AuthorChannelID.Value
}

// changed is the newer of the comment's two times.
func (c ytComment) changed() time.Time {
	if c.Snippet.UpdatedAt.After(c.Snippet.PublishedAt) {
		return c.Snippet.UpdatedAt
	}
	return c.Snippet.PublishedAt
}

type ytThread struct {
	ID      string `json:"id"`
	Snippet struct {
		ChannelID       string    `json:"channelId"`
		VideoID         string    `json:"videoId"`
		TopLevelComment ytComment `json:"topLevelComment"`
		TotalReplyCount int       `json:"totalReplyCount"`
	} `json:"snippet"`
	Replies *struct {
		Comments []ytComment `json:"comments"`
	} `json:"replies"`
}

type ytThreadList struct {
	NextPageToken string     `json:"nextPageToken"`
	Items         []ytThread `json:"items"`
}

type ytCommentList struct {
	NextPageToken string      `json:"nextPageToken"`
	Items         []ytComment `json:"items"`
}

type ytThumb struct {
	URL string `json:"url"`
}

type ytVideo struct {
	ID      string `json:"id"`
	Snippet struct {
		PublishedAt  time.Time          `json:"publishedAt"`
		ChannelID    string             `json:"channelId"`
		Title        string             `json:"title"`
		Description  string             `json:"description"`
		ChannelTitle string             `json:"channelTitle"`
		Thumbnails   map[string]ytThumb `json:"thumbnails"`
	} `json:"snippet"`
}

type ytVideoList struct {
	Items []ytVideo `json:"items"`
}

type ytChannelList struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// ytNewThread is the body of commentThreads.insert.
type ytNewThread struct {
	Snippet struct {
		ChannelID       string    `json:"channelId,omitempty"`
		VideoID         string    `json:"videoId"`
		TopLevelComment ytComment `json:"topLevelComment"`
	} `json:"snippet"`
}

type ytTokenInfo struct {
	Scope     string `json:"scope"`
	Exp       string `json:"exp"`
	ExpiresIn string `json:"expires_in"`
	Error     string `json:"error"`
	ErrorDesc string `json:"error_description"`
}

// ytError is Google's error body.
type ytError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Message string `json:"message"`
			Domain  string `json:"domain"`
			Reason  string `json:"reason"`
		} `json:"errors"`
	} `json:"error"`
}

func (e ytError) reason() string {
	if len(e.Error.Errors) > 0 {
		return e.Error.Errors[0].Reason
	}
	return e.Error.Status
}
