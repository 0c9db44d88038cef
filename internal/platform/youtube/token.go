package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// RefreshCredentials renews the access token at Google's token endpoint.
// Google keeps the refresh token, so only the access token and its expiry
// change.
func (c *Connector) RefreshCredentials(ctx context.Context, cred platform.Credentials) (platform.Credentials, error) {
	tok, err := c.refresh.Refresh(ctx, cred.RefreshToken)
	if err != nil {
		return cred, fmt.Errorf("youtube: refresh token: %w", err)
	}
	return tok.Apply(cred), nil
}

// CheckToken asks Google's tokeninfo whether the token lives (free) and
// channels.list?mine=true whose channel it is (one unit): a token for
// another channel is as useless as a dead one.
func (c *Connector) CheckToken(ctx context.Context, cred platform.Credentials) (platform.TokenStatus, error) {
	info, alive, err := c.tokenInfo(ctx, cred.AccessToken)
	if err != nil {
		return platform.TokenStatus{}, fmt.Errorf("youtube: check token: %w", err)
	}
	if !alive {
		return platform.TokenStatus{Detail: "Google godtar inte token (" + info.ErrorDesc + "); förnya eller anslut kanalen på nytt."}, nil
	}
	st := platform.TokenStatus{Valid: true, Scopes: strings.Fields(info.Scope)}
	if exp, err := strconv.ParseInt(info.Exp, 10, 64); err == nil {
		st.ExpiresAt = time.Unix(exp, 0).UTC()
	}
	var list ytChannelList
	err = c.getJSON(ctx, cred, forAction, CostList, "/channels", url.Values{"part": {"id"}, "mine": {"true"}}, &list)
	var pe *platform.Error
	if errors.As(err, &pe) && pe.TokenInvalid {
		return platform.TokenStatus{Detail: pe.Message}, nil
	}
	if err != nil {
		return platform.TokenStatus{}, fmt.Errorf("youtube: check token: %w", err)
	}
	for _, ch := range list.Items {
		if ch.ID == cred.AccountID {
			st.Detail = "Token fungerar för kanalen."
			return st, nil
		}
	}
	return platform.TokenStatus{ExpiresAt: st.ExpiresAt, Scopes: st.Scopes,
		Detail: "Token tillhör inte kanalen " + cred.AccountID + "; anslut kanalen med rätt Google-konto."}, nil
}

// tokenInfo calls tokeninfo; alive is false when Google calls the token
// invalid (400 invalid_token).
func (c *Connector) tokenInfo(ctx context.Context, token string) (ytTokenInfo, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.TokenInfoURL+"?"+url.Values{"access_token": {token}}.Encode(), nil)
	if err != nil {
		return ytTokenInfo{}, false, err
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		// The URL holds the token: an error that names it would put the
		// token into the logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = c.cfg.TokenInfoURL
		}
		return ytTokenInfo{}, false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return ytTokenInfo{}, false, err
	}
	var info ytTokenInfo
	_ = json.Unmarshal(raw, &info) // classified by status below
	switch {
	case resp.StatusCode == http.StatusOK:
		return info, true, nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		return info, false, nil
	}
	return info, false, c.classify(resp, raw)
}
