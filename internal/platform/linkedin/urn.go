package linkedin

import (
	"net/url"
	"strings"
)

const (
	orgPrefix     = "urn:li:organization:"
	commentPrefix = "urn:li:comment:("
)

// orgURN accepts a channel's external id as a bare organization id or as
// its URN, and returns the URN.
func orgURN(accountID string) string {
	if strings.HasPrefix(accountID, "urn:li:") {
		return accountID
	}
	return orgPrefix + accountID
}

// splitCommentURN takes urn:li:comment:(urn:li:activity:1,2) apart into the
// thread it belongs to and the comment's own id, which is how the
// socialActions paths address a comment.
func splitCommentURN(urn string) (thread, id string, ok bool) {
	if !strings.HasPrefix(urn, commentPrefix) || !strings.HasSuffix(urn, ")") {
		return "", "", false
	}
	inner := urn[len(commentPrefix) : len(urn)-1]
	i := strings.LastIndexByte(inner, ',')
	if i <= 0 || i == len(inner)-1 {
		return "", "", false
	}
	return inner[:i], inner[i+1:], true
}

// isPostURN tells a post (share, ugcPost) from a comment.
func isPostURN(urn string) bool {
	return strings.HasPrefix(urn, "urn:li:share:") || strings.HasPrefix(urn, "urn:li:ugcPost:")
}

// enc escapes a URN for a path segment or query value the way LinkedIn's
// Rest.li 2.0 examples do: every reserved character, ':' ',' '(' ')'
// included.
func enc(urn string) string {
	return strings.ReplaceAll(url.QueryEscape(urn), "+", "%20")
}

// permalink is the public address of a post, or of a comment on it.
func permalink(postURN, commentURN string) string {
	p := "https://www.linkedin.com/feed/update/" + postURN + "/"
	if commentURN != "" {
		p += "?commentUrn=" + enc(commentURN)
	}
	return p
}
