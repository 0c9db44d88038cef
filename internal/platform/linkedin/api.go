package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"tilltal/internal/platform"
	"tilltal/internal/platform/oauth"
)

// maxAnswer bounds an API answer read into memory.
const maxAnswer = 8 << 20

// answer is one HTTP exchange's outcome.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call makes one versioned API call. path is already escaped (URNs through
// enc); body, when not nil, is sent as JSON. A non-2xx answer comes back as
// a classified *platform.Error. No retries here: the job queue retries.
func (c *Connector) call(ctx context.Context, cred platform.Credentials, method, path string, query url.Values, body any) (answer, error) {
	u := c.cfg.APIURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, fmt.Errorf("linkedin: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return answer{}, fmt.Errorf("linkedin: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("LinkedIn-Version", Version)
	req.Header.Set("X-Restli-Protocol-Version", RestliProtocolVersion)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodDelete {
		req.Header.Set("X-RestLi-Method", "DELETE")
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("linkedin: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{}, fmt.Errorf("linkedin: %s %s: read answer: %w", method, path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: raw}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return a, c.classify(resp, raw)
	}
	return a, nil
}

// getJSON calls GET and decodes the answer into out.
func (c *Connector) getJSON(ctx context.Context, cred platform.Credentials, path string, query url.Values, out any) error {
	a, err := c.call(ctx, cred, http.MethodGet, path, query, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		return &platform.Error{Platform: platform.LinkedIn, Status: a.status, Code: "malformed_answer",
			Message: "LinkedIn svarade med något som inte gick att läsa: " + err.Error(), Raw: a.body}
	}
	return nil
}

// classify maps LinkedIn's status codes to what the job queue and the
// channel owner need to know.
func (c *Connector) classify(resp *http.Response, raw []byte) *platform.Error {
	var le liError
	_ = json.Unmarshal(raw, &le) // an unreadable body still has a status
	e := &platform.Error{Platform: platform.LinkedIn, Status: resp.StatusCode, Code: le.Code, Raw: raw}
	if e.Code == "" && le.ServiceErrorCode != 0 {
		e.Code = strconv.Itoa(le.ServiceErrorCode)
	}
	s := resp.StatusCode
	switch {
	case s == http.StatusUnauthorized:
		e.TokenInvalid, e.Permanent = true, true
		e.Message = "LinkedIn godtar inte längre kanalens åtkomsttoken; kanalen behöver anslutas på nytt."
	case s == http.StatusForbidden:
		e.Permanent = true
		e.Message = "LinkedIn nekar åtgärden: kontot saknar behörighet eller roll på sidan."
	case s == http.StatusNotFound || s == http.StatusGone:
		e.NotFound, e.Permanent = true, true
		e.Message = "Objektet finns inte längre på LinkedIn."
	case s == http.StatusUpgradeRequired:
		e.Permanent = true
		if e.Code == "" {
			e.Code = "VERSION_NOT_ACTIVE"
		}
		e.Message = fmt.Sprintf("LinkedIn avvisar LinkedIn-Version %s (okänd eller avvecklad version): "+
			"konstanten linkedin.Version måste uppdateras till en aktiv version.", Version)
	case s == http.StatusTooManyRequests:
		e.RetryAfter = oauth.RetryAfter(resp.Header, c.cfg.Clock.Now())
		e.Message = "LinkedIn begränsar anropen just nu; försöker igen senare."
	case s >= 500:
		e.Message = "LinkedIn svarar inte som det ska just nu; försöker igen senare."
	default:
		e.Permanent = true
		e.Message = "LinkedIn avvisade anropet som felaktigt."
	}
	if le.Message != "" {
		e.Message += " (" + le.Message + ")"
	}
	return e
}
