package inbox

import (
	"context"
	"strings"

	"tilltal/internal/apperr"
	"tilltal/internal/replycheck"
)

// RulesFunc returns a channel's rules for replies and the texts never
// flagged (the municipality's own contact details).
type RulesFunc func(ctx context.Context, channelID int64) (replycheck.Rules, []string, error)

// Blocked is why a reply was not sent: the check found personal data or
// another blocking problem, and no reason to send anyway was given.
type Blocked struct {
	Findings []replycheck.Finding
}

func (b *Blocked) Error() string { return "inbox: reply blocked by the reply check" }

// ThreadInput fills the check's input with what private persons wrote in a
// thread and their names. The municipality's own replies are left out:
// they carry the editors' signatures, which are not private persons' names.
func ThreadInput(in *replycheck.Input, thread []Item) {
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

// CheckReply runs the reply check on text as a reply to the item.
func (a *Actions) CheckReply(ctx context.Context, it Item, text string) ([]replycheck.Finding, error) {
	in := replycheck.Input{Text: text}
	if a.Rules != nil {
		var err error
		if in.Rules, in.Allow, err = a.Rules(ctx, it.ChannelID); err != nil {
			return nil, err
		}
	}
	thread, err := a.Store.Thread(ctx, it.ThreadID)
	if err != nil {
		return nil, err
	}
	ThreadInput(&in, thread)
	return replycheck.Check(ctx, in), nil
}

// gate refuses a reply with a blocking finding unless the person gave a
// reason to send it anyway; that reason is kept on the item and in the
// audit log.
func (a *Actions) gate(ctx context.Context, it Item, text, override string) (string, error) {
	findings, err := a.CheckReply(ctx, it, text)
	if err != nil {
		return "", err
	}
	if !replycheck.Blocking(findings) {
		return "", nil
	}
	override = strings.TrimSpace(override)
	if override == "" {
		return "", &apperr.Error{Kind: apperr.Invalid, Message: "Svaret innehåller personuppgifter eller annat som stoppar det. Ta bort det, eller ange skälet att skicka ändå.",
			Err: &Blocked{Findings: findings}}
	}
	if len(override) > 1000 {
		return "", apperr.Invalidf("Skälet är för långt")
	}
	return override, nil
}
