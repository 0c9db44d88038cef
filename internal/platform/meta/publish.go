package meta

import (
	"context"
	"net/url"
	"time"

	"tilltal/internal/platform"
)

// Quota is an Instagram account's content publishing limit: how many posts
// it has published in the last 24 hours, of how many allowed.
type Quota struct {
	Used, Total int
	Window      time.Duration
}

// PublishingQuota reads content_publishing_limit.
func (i *Instagram) PublishingQuota(ctx context.Context, cred platform.Credentials) (Quota, error) {
	var res page[struct {
		QuotaUsage int `json:"quota_usage"`
		Config     struct {
			QuotaTotal    int `json:"quota_total"`
			QuotaDuration int `json:"quota_duration"`
		} `json:"config"`
	}]
	q := url.Values{"fields": {"quota_usage,config"}}
	if _, err := i.g.get(ctx, cred.AccessToken, cred.AccountID+"/content_publishing_limit", q, &res); err != nil {
		return Quota{}, err
	}
	if len(res.Data) == 0 {
		return Quota{}, &platform.Error{Platform: platform.Instagram, Message: "content_publishing_limit gave no data"}
	}
	d := res.Data[0]
	return Quota{Used: d.QuotaUsage, Total: d.Config.QuotaTotal, Window: time.Duration(d.Config.QuotaDuration) * time.Second}, nil
}

// Publish posts an image with its caption: Instagram has no text-only or
// link posts. The flow is Meta's: create a media container from an image
// URL Meta can fetch, wait until its status_code is FINISHED, then publish
// it — after checking the daily publishing quota.
func (i *Instagram) Publish(ctx context.Context, cred platform.Credentials, post platform.PostRequest) (platform.Result, error) {
	if post.ImageURL == "" {
		return platform.Result{}, &platform.Error{Platform: platform.Instagram, Code: "no_image", Permanent: true,
			Message: "Ett inlägg på Instagram måste ha en bild."}
	}
	q, err := i.PublishingQuota(ctx, cred)
	if err != nil {
		return platform.Result{}, err
	}
	if q.Total > 0 && q.Used >= q.Total {
		// Not permanent: the window rolls, and the job tries again later.
		return platform.Result{}, &platform.Error{Platform: platform.Instagram, Code: "quota", RetryAfter: time.Hour,
			Message: "Dagskvoten för publicering på Instagram är förbrukad; inlägget publiceras när kvoten räcker igen."}
	}
	form := url.Values{"image_url": {post.ImageURL}, "caption": {joinNonEmpty(post.Text, post.Link)}}
	if post.AltText != "" {
		form.Set("alt_text", post.AltText)
	}
	var container idResult
	if raw, err := i.g.post(ctx, cred.AccessToken, cred.AccountID+"/media", form, &container); err != nil {
		return platform.Result{Raw: raw}, err
	}
	if raw, err := i.waitFinished(ctx, cred, container.ID); err != nil {
		return platform.Result{Raw: raw}, err
	}
	var res idResult
	raw, err := i.g.post(ctx, cred.AccessToken, cred.AccountID+"/media_publish", url.Values{"creation_id": {container.ID}}, &res)
	return platform.Result{ExternalID: res.ID, Raw: raw}, err
}

// waitFinished polls the container's status_code. ERROR and EXPIRED never
// recover; a container still IN_PROGRESS after the last poll is left for
// the job's retry, which makes a new container (the old one expires).
func (i *Instagram) waitFinished(ctx context.Context, cred platform.Credentials, id string) ([]byte, error) {
	var raw []byte
	for n := 0; n < i.g.cfg.ContainerMaxPolls; n++ {
		var st struct {
			StatusCode string `json:"status_code"`
			Status     string `json:"status"`
		}
		var err error
		raw, err = i.g.get(ctx, cred.AccessToken, id, url.Values{"fields": {"status_code,status"}}, &st)
		if err != nil {
			return raw, err
		}
		switch st.StatusCode {
		case "FINISHED", "PUBLISHED":
			return raw, nil
		case "ERROR", "EXPIRED":
			return raw, &platform.Error{Platform: platform.Instagram, Code: st.StatusCode, Permanent: true, Raw: raw,
				Message: "Instagram kunde inte behandla bilden (" + st.StatusCode + "): " + st.Status}
		}
		if err := sleep(ctx, i.g.cfg.ContainerPollInterval); err != nil {
			return raw, err
		}
	}
	return raw, &platform.Error{Platform: platform.Instagram, Code: "IN_PROGRESS", RetryAfter: time.Minute, Raw: raw,
		Message: "Instagram behandlar fortfarande bilden"}
}
