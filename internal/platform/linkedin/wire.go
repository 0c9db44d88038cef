package linkedin

// The JSON shapes of LinkedIn's versioned REST API that Tilltal reads and
// writes. Only the fields Tilltal uses are named; the rest is ignored.

type liStamp struct {
	Actor string `json:"actor,omitempty"`
	Time  int64  `json:"time"`
}

type liText struct {
	Text string `json:"text"`
}

type liCommentContent struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type liCommentsSummary struct {
	TotalFirstLevelComments int `json:"totalFirstLevelComments"`
	AggregatedTotalComments int `json:"aggregatedTotalComments"`
}

// liComment is an element of socialActions/{urn}/comments.
type liComment struct {
	ID              string             `json:"id"`
	CommentURN      string             `json:"commentUrn"`
	DollarURN       string             `json:"$URN"`
	Actor           string             `json:"actor"`
	Agent           string             `json:"agent"`
	Object          string             `json:"object"`
	ParentComment   string             `json:"parentComment"`
	Message         liText             `json:"message"`
	Created         liStamp            `json:"created"`
	LastModified    liStamp            `json:"lastModified"`
	Content         []liCommentContent `json:"content"`
	CommentsSummary *liCommentsSummary `json:"commentsSummary"`
}

// urn is the comment's URN whichever field the version filled in.
func (c liComment) urn() string {
	switch {
	case c.CommentURN != "":
		return c.CommentURN
	case c.DollarURN != "":
		return c.DollarURN
	case c.Object != "" && c.ID != "":
		return commentPrefix + c.Object + "," + c.ID + ")"
	}
	return ""
}

// modified is the newest of the comment's two times, in ms.
func (c liComment) modified() int64 { return max(c.Created.Time, c.LastModified.Time) }

type liArticle struct {
	Source      string `json:"source"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

type liMedia struct {
	ID      string `json:"id"`
	AltText string `json:"altText,omitempty"`
	Title   string `json:"title,omitempty"`
}

type liContent struct {
	Article *liArticle `json:"article,omitempty"`
	Media   *liMedia   `json:"media,omitempty"`
}

type liDistribution struct {
	FeedDistribution               string `json:"feedDistribution"`
	TargetEntities                 []any  `json:"targetEntities"`
	ThirdPartyDistributionChannels []any  `json:"thirdPartyDistributionChannels"`
}

// liPost is a Posts API post, read and written.
type liPost struct {
	ID                        string          `json:"id,omitempty"`
	Author                    string          `json:"author"`
	Commentary                string          `json:"commentary"`
	Visibility                string          `json:"visibility"`
	Distribution              *liDistribution `json:"distribution,omitempty"`
	Content                   *liContent      `json:"content,omitempty"`
	LifecycleState            string          `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool            `json:"isReshareDisabledByAuthor"`
	CreatedAt                 int64           `json:"createdAt,omitempty"`
	LastModifiedAt            int64           `json:"lastModifiedAt,omitempty"`
	PublishedAt               int64           `json:"publishedAt,omitempty"`
}

type liLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

type liPaging struct {
	Start int      `json:"start"`
	Count int      `json:"count"`
	Total *int     `json:"total"`
	Links []liLink `json:"links"`
}

// more tells whether a collection has another page after this one, from a
// "next" link or, failing that, from total.
func (p liPaging) more(got int) bool {
	for _, l := range p.Links {
		if l.Rel == "next" {
			return true
		}
	}
	return p.Total != nil && got > 0 && p.Start+got < *p.Total
}

type liCollection[T any] struct {
	Paging   liPaging `json:"paging"`
	Elements []T      `json:"elements"`
}

// liCreateComment is the body of a new comment.
type liCreateComment struct {
	Actor         string `json:"actor"`
	Object        string `json:"object"`
	ParentComment string `json:"parentComment,omitempty"`
	Message       liText `json:"message"`
}

type liImageInit struct {
	InitializeUploadRequest struct {
		Owner string `json:"owner"`
	} `json:"initializeUploadRequest"`
}

type liImageInitAnswer struct {
	Value struct {
		UploadURL          string `json:"uploadUrl"`
		Image              string `json:"image"`
		UploadURLExpiresAt int64  `json:"uploadUrlExpiresAt"`
	} `json:"value"`
}

type liImage struct {
	ID          string `json:"id"`
	DownloadURL string `json:"downloadUrl"`
	Status      string `json:"status"`
}

type liACL struct {
	Organization string `json:"organization"`
	Role         string `json:"role"`
	State        string `json:"state"`
}

type liIntrospection struct {
	Active    bool   `json:"active"`
	Status    string `json:"status"`
	ExpiresAt int64  `json:"expires_at"`
	Scope     string `json:"scope"`
}

// liError is LinkedIn's error body.
type liError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}
