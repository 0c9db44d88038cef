package incident

import (
	"context"
	"fmt"
	"math"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/channel"
	"tilltal/internal/db"
	"tilltal/internal/moderation/score"
)

// Action is what a channel rule does with an item scored in a category.
type Action string

// The actions, weakest first.
const (
	// ActionFlag only shows the flag on the item.
	ActionFlag Action = "flag"
	// ActionNotify tells whoever is on duty at once.
	ActionNotify Action = "notify"
	// ActionHide hides the item on the platform pending review, and tells
	// whoever is on duty.
	ActionHide Action = "hide"
)

func (a Action) strength() int {
	switch a {
	case ActionNotify:
		return 1
	case ActionHide:
		return 2
	}
	return 0
}

// ParseAction checks an action name.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case ActionFlag, ActionNotify, ActionHide:
		return a, nil
	}
	return "", apperr.Invalidf("Okänd åtgärd %q", s)
}

// Rule is what a channel does with items in one category.
type Rule struct {
	Category score.Category
	Action   Action
	// MinScore is the classifier score from which the rule acts.
	MinScore float64
	// OpenCase opens a case automatically (criminal categories only); a
	// case always hides.
	OpenCase bool
}

// DefaultRules apply to a channel that has set none: every category is
// flagged for review, and signs of child sexual abuse material are told to
// whoever is on duty at once.
func DefaultRules() []Rule {
	var out []Rule
	for _, c := range score.Categories() {
		r := Rule{Category: c, Action: ActionFlag, MinScore: score.Threshold(c)}
		if c == score.CSAM {
			r.Action = ActionNotify
		}
		out = append(out, r)
	}
	return out
}

// Rules returns a channel's rules, one per category, the defaults where
// none is set.
func (s *Store) Rules(ctx context.Context, channelID int64) ([]Rule, error) {
	return rules(ctx, s.DB, channelID)
}

func rules(ctx context.Context, q querier, channelID int64) ([]Rule, error) {
	out := DefaultRules()
	rows, err := q.Query(ctx, "SELECT category, action, min_score, open_case FROM incident_rules WHERE channel_id = ?", channelID)
	if err != nil {
		return nil, fmt.Errorf("incident: rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cat, action string
		var r Rule
		if err := rows.Scan(&cat, &action, &r.MinScore, &r.OpenCase); err != nil {
			return nil, err
		}
		c, err := score.ParseCategory(cat)
		if err != nil {
			continue // a category the classifier no longer has
		}
		r.Category, r.Action = c, Action(action)
		out[c] = r
	}
	return out, rows.Err()
}

func (r Rule) validate() error {
	if _, err := ParseAction(string(r.Action)); err != nil {
		return err
	}
	if r.Category >= score.NumCategories {
		return apperr.Invalidf("Okänd kategori")
	}
	if math.IsNaN(r.MinScore) || r.MinScore < 0.05 || r.MinScore > 1 {
		return apperr.Invalidf("Gränsen för %s måste vara mellan 0,05 och 1", r.Category.Swedish())
	}
	if r.OpenCase && !r.Category.Criminal() {
		return apperr.Invalidf("Ett ärende kan bara öppnas för brott; %s är inget brott", r.Category.Swedish())
	}
	return nil
}

// SetRules replaces a channel's rules and its removal target. The
// channel's owner or deputy and communicators may set them.
func (s *Store) SetRules(ctx context.Context, v channel.Viewer, channelID int64, list []Rule, target time.Duration) error {
	c, err := s.Channels.Get(ctx, v, channelID)
	if err != nil {
		return err
	}
	if !v.CanManage(c) {
		return apperr.Forbiddenf("Bara kanalens ansvariga och kommunikatörer kan ändra reglerna")
	}
	for _, r := range list {
		if err := r.validate(); err != nil {
			return err
		}
	}
	if target < 5*time.Minute || target > 7*24*time.Hour {
		return apperr.Invalidf("Målet för borttagning måste vara mellan 5 minuter och 7 dygn")
	}
	now := s.Now().UTC()
	actor := audit.ActorFrom(ctx)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO incident_rules (channel_id, category, action, min_score, open_case, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (channel_id, category) DO UPDATE SET action = excluded.action, min_score = excluded.min_score, open_case = excluded.open_case,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				channelID, r.Category.String(), string(r.Action), r.MinScore, r.OpenCase, now, nullID(actor.UserID)); err != nil {
				return fmt.Errorf("incident: set rules: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO incident_targets (channel_id, removal_minutes, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET removal_minutes = excluded.removal_minutes, updated_at = excluded.updated_at`,
			channelID, int(target/time.Minute), now); err != nil {
			return fmt.Errorf("incident: set target: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "incident.rules", ObjectType: "channel", ObjectID: audit.ID(channelID), DepartmentID: c.DepartmentID,
			Summary: "Regler för misstänkt brott ändrade: " + c.Name, Detail: map[string]any{"rules": summary(list), "removal_minutes": int(target / time.Minute)}})
	})
}

// RemovalTarget returns a channel's removal target.
func (s *Store) RemovalTarget(ctx context.Context, channelID int64) (time.Duration, error) {
	return removalTarget(ctx, s.DB, channelID)
}

func summary(list []Rule) []string {
	var out []string
	for _, r := range list {
		s := fmt.Sprintf("%s:%s>=%.2f", r.Category, r.Action, r.MinScore)
		if r.OpenCase {
			s += "+case"
		}
		out = append(out, s)
	}
	return out
}
