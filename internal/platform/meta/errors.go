package meta

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// graphError is the body of a Graph API error.
type graphError struct {
	Error struct {
		Message      string `json:"message"`
		Type         string `json:"type"`
		Code         int    `json:"code"`
		Subcode      int    `json:"error_subcode"`
		IsTransient  bool   `json:"is_transient"`
		UserTitle    string `json:"error_user_title"`
		UserMessage  string `json:"error_user_msg"`
		FBTraceID    string `json:"fbtrace_id"`
		ErrorDataRaw any    `json:"error_data"`
	} `json:"error"`
}

// Throttling codes: 4 app, 17 user, 32 page, 613 custom rate limit, and the
// business use case limits 80001–80009 (pages, Instagram, …).
func isThrottleCode(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80009)
}

// Subcodes of an access-token error (code 190, or the older 102).
func isTokenSubcode(sub int) bool {
	switch sub {
	case 458, 459, 460, 463, 464, 467, 492:
		return true
	}
	return false
}

// classify turns a Graph answer into a *platform.Error, or nil when it is a
// success. It follows Meta's error-handling guide: token errors need the
// user, throttling waits, transient errors retry, everything else is the
// request's fault and will never succeed as it is.
func classify(name platform.Name, status int, h http.Header, raw []byte) *platform.Error {
	var ge graphError
	hasErr := json.Unmarshal(raw, &ge) == nil && (ge.Error.Code != 0 || ge.Error.Message != "")
	if status < 300 && !hasErr {
		return nil
	}
	e := &platform.Error{Platform: name, Status: status, Raw: raw, Message: ge.Error.Message}
	if !hasErr {
		e.Message = strings.TrimSpace(http.StatusText(status))
		e.Permanent = status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout
		if !e.Permanent {
			e.RetryAfter = retryAfter(h)
		}
		return e
	}
	code, sub := ge.Error.Code, ge.Error.Subcode
	e.Code = strconv.Itoa(code)
	if sub != 0 {
		e.Code += "/" + strconv.Itoa(sub)
	}
	switch {
	case code == 190 || code == 102 || isTokenSubcode(sub):
		e.TokenInvalid, e.Permanent = true, true
	case isThrottleCode(code) || status == http.StatusTooManyRequests:
		e.RetryAfter = retryAfter(h)
		if e.RetryAfter == 0 {
			e.RetryAfter = time.Minute
		}
	case code == 100 && (sub == 33 || strings.Contains(ge.Error.Message, "does not exist")):
		e.NotFound, e.Permanent = true, true
	case status >= 500, ge.Error.IsTransient, code == 1, code == 2:
		e.RetryAfter = retryAfter(h)
	default:
		// 10 and 200–299 are permissions, 100 a bad parameter, 368 a
		// policy block: none of them improves by trying again.
		e.Permanent = true
	}
	return e
}

// retryAfter reads how long Meta asks us to wait: the largest
// estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage,
// a standard Retry-After, or an hour when X-App-Usage shows a counter at
// 100 % (the app limit is a rolling hour and says no more).
func retryAfter(h http.Header) time.Duration {
	var d time.Duration
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]struct {
			Regain int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, list := range buc {
				for _, u := range list {
					d = max(d, platform.Seconds(int64(min(u.Regain, 1<<32))*60, platform.MaxRetryAfter))
				}
			}
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			d = max(d, platform.Seconds(s, platform.MaxRetryAfter))
		}
	}
	if d == 0 {
		if u, ok := ParseAppUsage(h.Get("X-App-Usage")); ok && u.Max() >= 100 {
			d = time.Hour
		}
	}
	return d
}

// AppUsage is X-App-Usage: the app's share, in percent, of its hourly limits.
type AppUsage struct {
	CallCount    int `json:"call_count"`
	TotalCPUTime int `json:"total_cputime"`
	TotalTime    int `json:"total_time"`
}

// Max is the fullest of the three counters.
func (u AppUsage) Max() int { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) }

// ParseAppUsage reads an X-App-Usage header.
func ParseAppUsage(v string) (AppUsage, bool) {
	var u AppUsage
	if v == "" || json.Unmarshal([]byte(v), &u) != nil {
		return AppUsage{}, false
	}
	return u, true
}

// withID refuses a fetched object whose answer named no id: stored, it
// would be an item that nothing can tell apart, answer or moderate.
func withID(name platform.Name, o platform.Object, err error) (platform.Object, error) {
	if err == nil && o.ExternalID == "" {
		return platform.Object{}, &platform.Error{Platform: name, Status: http.StatusOK, Code: "no_id", Message: "the answer names no object id"}
	}
	return o, err
}

func asErr(err error, target **platform.Error) bool { return errors.As(err, target) }
