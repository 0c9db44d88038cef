package channel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
	"tilltal/internal/replycheck"
)

// ReplyRules are what the reply check holds a channel's replies to: the
// channel's sender rules made checkable. The free-text SenderRules explain
// them to people; these are what the check enforces.
type ReplyRules struct {
	// SignOffs are the accepted endings of a reply, one per line, with
	// "<namn>" or Förnamn/Efternamn/Namn standing for the editor's name
	// (replycheck.Rules.SignOffs). None means no sign-off is required.
	SignOffs []string
	// LIXLimit is the highest readability index before the check warns.
	LIXLimit int
	// Allow are texts that are never personal data in a reply from this
	// channel: the municipality's switchboard number, its contact centre.
	Allow []string
}

// Limits of the reply rules, so that the check stays fast and the form
// readable.
const (
	maxSignOffs    = 10
	maxAllow       = 20
	maxRuleLine    = 200
	minLIXLimit    = 20
	maxLIXLimit    = 80
	defaultLIX     = int(replycheck.DefaultLIXLimit)
	replyRulesKind = "reply_rules"
)

// Check converts the rules for the reply check.
func (r ReplyRules) Check() (replycheck.Rules, []string) {
	return replycheck.Rules{SignOffs: r.SignOffs, LIXLimit: float64(r.LIXLimit)}, r.Allow
}

// ReplyRulesOf returns a channel's reply rules, for the reply check. It
// does not check who asks: the check runs for someone already allowed to
// answer in the channel.
func (s *Store) ReplyRulesOf(ctx context.Context, id int64) (ReplyRules, error) {
	var signOffs, allow string
	var r ReplyRules
	err := s.DB.QueryRow(ctx, "SELECT reply_sign_offs, reply_lix_limit, reply_allow FROM channels WHERE id = ?", id).Scan(&signOffs, &r.LIXLimit, &allow)
	if errors.Is(err, sql.ErrNoRows) {
		return ReplyRules{}, errNotFound
	}
	if err != nil {
		return ReplyRules{}, fmt.Errorf("channel: reply rules: %w", err)
	}
	r.SignOffs, r.Allow = splitLines(signOffs), splitLines(allow)
	return r, nil
}

// CheckRules is ReplyRulesOf in the reply check's terms; channelID 0 (a
// text checked outside any channel) gets the defaults.
func (s *Store) CheckRules(ctx context.Context, channelID int64) (replycheck.Rules, []string, error) {
	if channelID == 0 {
		return replycheck.Rules{}, nil, nil
	}
	r, err := s.ReplyRulesOf(ctx, channelID)
	if err != nil {
		return replycheck.Rules{}, nil, err
	}
	rules, allow := r.Check()
	return rules, allow, nil
}

// SetReplyRules changes a channel's reply rules; the channel's managers
// (owner, deputy, communicator) may.
func (s *Store) SetReplyRules(ctx context.Context, v Viewer, id int64, r ReplyRules) error {
	if err := r.normalise(); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.manageable(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE channels SET reply_sign_offs = ?, reply_lix_limit = ?, reply_allow = ?, updated_at = ? WHERE id = ?",
			strings.Join(r.SignOffs, "\n"), r.LIXLimit, strings.Join(r.Allow, "\n"), now, id); err != nil {
			return fmt.Errorf("channel: reply rules: %w", err)
		}
		_, err = record(ctx, tx, now, c.DepartmentID, Event{ChannelID: id, Kind: replyRulesKind, Summary: "Regler för svar ändrade: " + c.Name,
			Detail: map[string]any{"sign_offs": r.SignOffs, "lix_limit": r.LIXLimit, "allow": r.Allow}})
		return err
	})
}

func (r *ReplyRules) normalise() error {
	if r.LIXLimit == 0 {
		r.LIXLimit = defaultLIX
	}
	if r.LIXLimit < minLIXLimit || r.LIXLimit > maxLIXLimit {
		return apperr.Invalidf("Gränsen för läsbarhet (LIX) måste vara mellan %d och %d", minLIXLimit, maxLIXLimit)
	}
	var err error
	if r.SignOffs, err = ruleLines("avslutningar", r.SignOffs, maxSignOffs); err != nil {
		return err
	}
	for _, p := range r.SignOffs {
		if !replycheck.ValidSignOff(p) {
			return apperr.Invalidf("Avslutningen ”%s” går inte att känna igen i ett svar: skriv den som den ska stå, med <namn> där redaktörens namn står", p)
		}
	}
	r.Allow, err = ruleLines("tillåtna texter", r.Allow, maxAllow)
	return err
}

// ruleLines trims lines, drops empty ones and checks their number and size.
func ruleLines(what string, lines []string, most int) ([]string, error) {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if utf8.RuneCountInString(l) > maxRuleLine {
			return nil, apperr.Invalidf("En rad bland %s är längre än %d tecken", what, maxRuleLine)
		}
		out = append(out, l)
	}
	if len(out) > most {
		return nil, apperr.Invalidf("Högst %d %s", most, what)
	}
	return out, nil
}

// splitLines is the inverse of joining with newlines, without empty lines.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
