package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
)

const maxAnswer = 8 << 20

type answer struct {
	status int
	body   []byte
}

// spend is how a call pays its quota: polls at the meter's pace, other
// calls from the whole budget.
type spend int

const (
	forPoll spend = iota
	forAction
)

// call pays cost units from the meter, then makes one API call. A call the
// meter refuses never reaches YouTube and fails as throttled until the
// meter allows it. No retries here: the job queue retries.
func (c *Connector) call(ctx context.Context, cred platform.Credentials, how spend, cost int, method, path string, query url.Values, body any) (answer, error) {
	ok, next := c.pay(how, cost)
	if !ok {
		return answer{}, c.quotaError(next, nil)
	}
	u := c.cfg.APIURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, fmt.Errorf("youtube: encode %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return answer{}, fmt.Errorf("youtube: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("youtube: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{}, fmt.Errorf("youtube: %s %s: read answer: %w", method, path, err)
	}
	a := answer{status: resp.StatusCode, body: raw}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return a, c.classify(resp, raw)
	}
	return a, nil
}

func (c *Connector) pay(how spend, cost int) (bool, time.Time) {
	if how == forPoll {
		return c.cfg.Quota.SpendPoll(cost)
	}
	return c.cfg.Quota.Spend(cost)
}

// getJSON calls GET and decodes the answer into out.
func (c *Connector) getJSON(ctx context.Context, cred platform.Credentials, how spend, cost int, path string, query url.Values, out any) error {
	a, err := c.call(ctx, cred, how, cost, http.MethodGet, path, query, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		return &platform.Error{Platform: platform.YouTube, Status: a.status, Code: "malformed_answer",
			Message: "YouTube svarade med något som inte gick att läsa: " + err.Error(), Raw: a.body}
	}
	return nil
}

// quotaError is the throttling error for a spent quota: retry at reset.
func (c *Connector) quotaError(until time.Time, raw []byte) *platform.Error {
	return &platform.Error{Platform: platform.YouTube, Status: http.StatusForbidden, Code: "quotaExceeded",
		RetryAfter: max(until.Sub(c.cfg.Clock.Now()), time.Second), Raw: raw,
		Message: "YouTube-kvoten för dagen är förbrukad; åtgärden görs när kvoten nollställs vid midnatt Stillahavstid (" +
			until.In(pacific).Format("2006-01-02 15:04 MST") + ")."}
}

// classify maps YouTube's errors (status and reason) to what the job queue
// and the channel owner need.
func (c *Connector) classify(resp *http.Response, raw []byte) *platform.Error {
	var ye ytError
	_ = json.Unmarshal(raw, &ye) // an unreadable body still has a status
	reason := ye.reason()
	s := resp.StatusCode
	switch {
	case reason == "quotaExceeded" || reason == "dailyLimitExceeded":
		return c.quotaError(c.cfg.Quota.Exhaust(), raw)
	}
	e := &platform.Error{Platform: platform.YouTube, Status: s, Code: reason, Raw: raw}
	switch {
	case s == http.StatusUnauthorized:
		e.TokenInvalid, e.Permanent = true, true
		e.Message = "YouTube godtar inte längre kanalens åtkomsttoken; kanalen behöver anslutas på nytt."
	case reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" || s == http.StatusTooManyRequests:
		e.RetryAfter = oauth.RetryAfter(resp.Header, c.cfg.Clock.Now())
		if e.RetryAfter == 0 {
			e.RetryAfter = DefaultRateLimitWait
		}
		e.Message = "YouTube begränsar anropen just nu; försöker igen senare."
	case s == http.StatusForbidden && reason == "insufficientPermissions":
		e.TokenInvalid, e.Permanent = true, true
		e.Message = "Kanalens token saknar behörighet för åtgärden; anslut kanalen på nytt med rätt behörigheter."
	case s == http.StatusForbidden:
		e.Permanent = true
		e.Message = "YouTube nekar åtgärden (behörighet, eller kommentarer avstängda)."
	case s == http.StatusNotFound:
		e.NotFound, e.Permanent = true, true
		e.Message = "Objektet finns inte längre på YouTube."
	case s >= 500:
		e.Message = "YouTube svarar inte som det ska just nu; försöker igen senare."
	default:
		e.Permanent = true
		e.Message = "YouTube avvisade anropet som felaktigt."
	}
	if ye.Error.Message != "" {
		e.Message += " (" + ye.Error.Message + ")"
	}
	return e
}
