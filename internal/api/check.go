package api

import (
	"context"
	"net/http"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/inbox"
	"tilltal/internal/replycheck"
	"tilltal/internal/web"
)

// maxCheckText bounds the text of a check, in characters: far above any
// platform's limit for a reply, low enough to check while typing.
const maxCheckText = 10000

// ReplyRulesFunc returns a channel's rules for replies and the texts never
// to flag (the municipality's own contact details). channelID is 0 when
// the reply is checked without a channel.
type ReplyRulesFunc func(ctx context.Context, channelID int64) (replycheck.Rules, []string, error)

type checkRequest struct {
	Text      string `json:"text"`
	ItemID    int64  `json:"item_id"`
	ChannelID int64  `json:"channel_id"`
}

// check runs the reply check on a text, against the item's thread when
// one is given.
func (a *API) check(w http.ResponseWriter, r *http.Request) error {
	var req checkRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Text) > maxCheckText {
		return apperr.Invalidf("Texten är för lång: högst %d tecken", maxCheckText)
	}
	ctx := r.Context()
	in := replycheck.Input{Text: req.Text}
	channelID, err := a.checkContext(ctx, req, &in)
	if err != nil {
		return err
	}
	if a.ReplyRules != nil {
		if in.Rules, in.Allow, err = a.ReplyRules(ctx, channelID); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"findings": replycheck.Check(ctx, in)})
}

// checkContext fills in the thread of the item being answered and returns
// the reply's channel. An item or channel the user may not see does not
// exist for them.
func (a *API) checkContext(ctx context.Context, req checkRequest, in *replycheck.Input) (int64, error) {
	p := web.PrincipalFrom(ctx)
	if req.ItemID == 0 {
		if req.ChannelID != 0 && !p.CanSeeChannel(req.ChannelID) {
			return 0, apperr.NotFoundf("Kanalen finns inte")
		}
		return req.ChannelID, nil
	}
	it, err := a.Inbox.Get(ctx, req.ItemID)
	if err != nil {
		return 0, err
	}
	if !p.CanSeeChannel(it.ChannelID) {
		return 0, apperr.NotFoundf("Ärendet finns inte")
	}
	if req.ChannelID != 0 && req.ChannelID != it.ChannelID {
		return 0, apperr.Invalidf("channel_id är inte ärendets kanal")
	}
	thread, err := a.Inbox.Thread(ctx, it.ThreadID)
	if err != nil {
		return 0, err
	}
	addThread(in, thread)
	return it.ChannelID, nil
}

// addThread gives the check what private persons wrote in the thread and
// their names. The municipality's own replies are left out: they carry
// the editors' signatures, which are not private persons' names.
func addThread(in *replycheck.Input, thread []inbox.Item) {
	for _, t := range thread {
		if t.FromUs {
			continue
		}
		in.ThreadTexts = append(in.ThreadTexts, t.Body)
		if t.AuthorName != "" {
			in.ThreadAuthors = append(in.ThreadAuthors, t.AuthorName)
		}
	}
}
