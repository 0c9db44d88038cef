// Package meta connects Tilltal to Facebook pages and Instagram professional
// accounts through Meta's Graph API, and reads Meta's signed webhook
// deliveries. Two connectors share one Graph client: Facebook and Instagram.
//
// Identifiers are Meta's own, with two prefixes the connectors add where a
// bare Graph id would not say what to do with it:
//
//	m:<sender-id>:<message-id>       a Messenger or Instagram direct message
//	mention:<media-id>:<comment-id>  an Instagram mention in someone else's comment
//	mention:<media-id>               an Instagram mention in someone else's caption
package meta

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// Version is the Graph API version Tilltal speaks. It is set here and only
// here; Meta supports a version for about two years after its release, and
// the admin page shows this value with its sunset.
const Version = "v23.0"

// VersionReleased is when Version was released. Meta keeps a version for at
// least two years after its release; VersionSunset is that date, which the
// admin page counts down to.
var (
	VersionReleased = time.Date(2025, 5, 29, 0, 0, 0, 0, time.UTC)
	VersionSunset   = VersionReleased.AddDate(2, 0, 0)
)

// DefaultGraphURL is the Graph API's address, overridden by
// TILLTAL_META_GRAPH_URL (tests point it at metafake).
const DefaultGraphURL = "https://graph.facebook.com"

// maxResponse bounds what we read of one Graph answer.
const maxResponse = 8 << 20

// Config configures the Graph client shared by both connectors.
type Config struct {
	// GraphURL is the API's base URL without the version.
	GraphURL string
	// AppID and AppSecret identify Tilltal's Meta app. The secret signs
	// every call with appsecret_proof; with both, token checks use the app
	// token as Meta recommends. Either may be empty.
	AppID     string
	AppSecret string
	HTTP      *http.Client
	Now       func() time.Time
	// ContainerPollInterval is the wait between checks of an Instagram media
	// container's status_code; ContainerMaxPolls bounds the checks.
	ContainerPollInterval time.Duration
	ContainerMaxPolls     int
	// BackfillWindow is how far back Poll looks for posts that may have new
	// comments; the cursor bounds the comments themselves.
	BackfillWindow time.Duration
	// MaxPages bounds how many pages Poll follows per edge.
	MaxPages int
}

func (c Config) withDefaults() Config {
	if c.GraphURL == "" {
		c.GraphURL = DefaultGraphURL
	}
	c.GraphURL = strings.TrimRight(c.GraphURL, "/")
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
	if c.ContainerPollInterval == 0 {
		c.ContainerPollInterval = 3 * time.Second
	}
	if c.ContainerMaxPolls == 0 {
		c.ContainerMaxPolls = 20
	}
	if c.BackfillWindow == 0 {
		c.BackfillWindow = 14 * 24 * time.Hour
	}
	if c.MaxPages == 0 {
		c.MaxPages = 20
	}
	return c
}

// graph is the Graph API client. Errors it returns are *platform.Error
// classified for the job queue.
type graph struct {
	cfg      Config
	platform platform.Name
}

// get calls GET path and decodes the answer into out.
func (g *graph) get(ctx context.Context, token, path string, q url.Values, out any) ([]byte, error) {
	return g.call(ctx, http.MethodGet, token, path, q, out)
}

// post calls POST path with form parameters, as the Graph API expects.
func (g *graph) post(ctx context.Context, token, path string, form url.Values, out any) ([]byte, error) {
	return g.call(ctx, http.MethodPost, token, path, form, out)
}

func (g *graph) call(ctx context.Context, method, token, path string, params url.Values, out any) ([]byte, error) {
	if params == nil {
		params = url.Values{}
	}
	g.authorize(params, token)
	u := g.cfg.GraphURL + "/" + Version + "/" + strings.TrimLeft(path, "/")
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(params.Encode())
	} else {
		u += "?" + params.Encode()
	}
	return g.do(ctx, method, u, body, out)
}

// getURL follows a paging.next URL as Meta gave it: it already carries the
// token and the version.
func (g *graph) getURL(ctx context.Context, next string, out any) ([]byte, error) {
	if !strings.HasPrefix(next, g.cfg.GraphURL+"/") {
		return nil, &platform.Error{Platform: g.platform, Permanent: true, Message: "paging URL outside the Graph API: " + redactURL(next)}
	}
	return g.do(ctx, http.MethodGet, next, nil, out)
}

func (g *graph) authorize(params url.Values, token string) {
	if token == "" {
		return
	}
	params.Set("access_token", token)
	if g.cfg.AppSecret != "" {
		params.Set("appsecret_proof", appSecretProof(g.cfg.AppSecret, token))
	}
}

// appSecretProof is the HMAC-SHA256 of the token under the app secret, which
// Meta requires when "Require App Secret" is on and which makes a leaked
// token useless without the secret.
func appSecretProof(secret, token string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func (g *graph) do(ctx context.Context, method, u string, body io.Reader, out any) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, &platform.Error{Platform: g.platform, Permanent: true, Message: err.Error()}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := g.cfg.HTTP.Do(req)
	if err != nil {
		// The network, not Meta: worth a retry. The error text may carry
		// the URL with the token; keep only the operation.
		return nil, &platform.Error{Platform: g.platform, Message: "graph request failed: " + redactErr(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, &platform.Error{Platform: g.platform, Status: resp.StatusCode, Message: "reading graph answer: " + err.Error()}
	}
	if perr := classify(g.platform, resp.StatusCode, resp.Header, raw); perr != nil {
		return raw, perr
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, &platform.Error{Platform: g.platform, Status: resp.StatusCode, Permanent: true, Message: "unreadable graph answer: " + err.Error(), Raw: raw}
		}
	}
	return raw, nil
}

func redactErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + redactURL(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}

// redactURL drops the query, where the access token travels.
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

// graphTime parses the times the Graph API writes ("2026-01-02T15:04:05+0000").
func graphTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// idResult is the common answer of a create call.
type idResult struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

// successResult is the answer of an update or delete.
type successResult struct {
	Success bool `json:"success"`
}

func (g *graph) expectSuccess(raw []byte, res successResult, what string) error {
	if !res.Success {
		return &platform.Error{Platform: g.platform, Status: 200, Message: fmt.Sprintf("%s: Meta did not confirm success", what), Raw: raw}
	}
	return nil
}
