package incident

import (
	"context"
	"fmt"
	"strings"

	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/moderation/score"
	"tilltal/internal/notify"
)

// Classified is an item just classified, in the transaction that stored it.
type Classified struct {
	ItemID    int64
	ChannelID int64
	Result    score.Result
}

// decision is what the channel's rules make of one classification.
type decision struct {
	action   Action
	openCase bool
	// category is the case's crime, or the strongest matched category.
	category score.Category
	score    float64
}

// decide applies the rules: the strongest action among the rules whose
// score is reached; a case for the highest-scoring criminal category whose
// rule opens one.
func decide(list []Rule, res score.Result) (decision, bool) {
	var d decision
	matched := false
	for _, r := range list {
		sc := res.Scores[r.Category]
		if sc < r.MinScore {
			continue
		}
		if !matched || r.Action.strength() > d.action.strength() {
			d.action = r.Action
		}
		matched = true
		opens := r.OpenCase && r.Category.Criminal()
		switch {
		case opens && (!d.openCase || sc > d.score):
			d.openCase, d.category, d.score = true, r.Category, sc
		case !d.openCase && sc > d.score:
			d.category, d.score = r.Category, sc
		}
	}
	return d, matched
}

// ApplyTx runs a channel's rules on a classified item, in the transaction
// that stored it: media of an item flagged for child sexual abuse material
// is quarantined at once; a rule may open a case, hide the item pending
// review (by a job, through the outbound queue) and tell whoever is on
// duty. Only flagging needs nothing here: the flags are on the item.
func (s *Store) ApplyTx(ctx context.Context, tx *db.Tx, c Classified) error {
	list, err := rules(ctx, tx, c.ChannelID)
	if err != nil {
		return err
	}
	return s.applyRules(ctx, tx, c, list)
}

// RulesCache returns an ApplyTx that reads each channel's rules once: the
// intake applies them to a batch of items in one transaction, where they
// cannot change.
func (s *Store) RulesCache() *CachedRules {
	return &CachedRules{s: s, byChannel: map[int64][]Rule{}}
}

// CachedRules is ApplyTx with the rules of the channels it met kept.
type CachedRules struct {
	s         *Store
	byChannel map[int64][]Rule
}

// ApplyTx is Store.ApplyTx with the channel's rules read at most once.
func (c *CachedRules) ApplyTx(ctx context.Context, tx *db.Tx, cl Classified) error {
	list, ok := c.byChannel[cl.ChannelID]
	if !ok {
		var err error
		if list, err = rules(ctx, tx, cl.ChannelID); err != nil {
			return err
		}
		c.byChannel[cl.ChannelID] = list
	}
	return c.s.applyRules(ctx, tx, cl, list)
}

// applyRules quarantines what must be and acts on the first of the
// channel's rules that the scores meet.
func (s *Store) applyRules(ctx context.Context, tx *db.Tx, c Classified, list []Rule) error {
	now := s.Now().UTC()
	if c.Result.Flagged(score.CSAM) {
		if err := s.quarantineTx(ctx, tx, c.ItemID, "barnpornografibrott (tecken på)", now); err != nil {
			return err
		}
	}
	d, ok := decide(list, c.Result)
	if !ok || (d.action == ActionFlag && !d.openCase) {
		return nil
	}
	what := "underrättad"
	switch {
	case d.openCase:
		if _, _, err := s.OpenTx(ctx, tx, OpenRequest{ItemID: c.ItemID, Category: d.category}, true); err != nil {
			return err
		}
		what = "ärende öppnat"
	case d.action == ActionHide:
		if err := s.enqueue(ctx, tx, HideArgs{ItemID: c.ItemID}); err != nil {
			return err
		}
		what = "döljs i väntan på granskning"
	}
	if err := s.alertDuty(ctx, tx, c, d); err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, audit.Entry{Action: "incident.rule", ObjectType: "item", ObjectID: audit.ID(c.ItemID),
		Summary: fmt.Sprintf("Kanalens regel för %s (%.2f): %s", d.category.Swedish(), d.score, what)})
}

// alertDuty tells whoever is on duty for the channel now, or its owners
// when nobody is. The message names the crime, never the content.
func (s *Store) alertDuty(ctx context.Context, tx *db.Tx, c Classified, d decision) error {
	if s.Outbox == nil {
		return nil
	}
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM channels WHERE id = ?", c.ChannelID).Scan(&name); err != nil {
		return err
	}
	users, err := s.onDutyOrOwners(ctx, tx, c.ChannelID)
	if err != nil {
		return err
	}
	var body strings.Builder
	fmt.Fprintf(&body, "Ett inlägg i %s bedöms som misstänkt %s.", name, d.category.Swedish())
	switch {
	case d.openCase:
		body.WriteString(" Ett ärende har öppnats: bevisen säkras och inlägget döljs på plattformen.")
	case d.action == ActionHide:
		body.WriteString(" Det döljs på plattformen i väntan på granskning. Granska det och visa det igen om det var ett misstag.")
	default:
		body.WriteString(" Granska det nu.")
	}
	return s.tell(ctx, tx, users, notify.Message{Subject: fmt.Sprintf("Granska nu: misstänkt %s i %s", d.category.Swedish(), name),
		Body: body.String(), Link: s.link(fmt.Sprintf("/inkorg/%d", c.ItemID)), DedupeKey: fmt.Sprintf("incident-rule:item:%d", c.ItemID)})
}

// onDutyOrOwners returns who is on call for the channel now; the owners
// answer when nobody is.
func (s *Store) onDutyOrOwners(ctx context.Context, q querier, channelID int64) ([]int64, error) {
	if s.Duty != nil {
		users, err := s.Duty.OnDuty(ctx, channelID, s.Now())
		if err != nil {
			return nil, err
		}
		if len(users) > 0 {
			return users, nil
		}
	}
	return channelOwners(ctx, q, channelID)
}
