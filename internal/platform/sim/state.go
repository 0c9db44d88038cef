package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/platform"
)

// account is one simulated channel's state: what the municipality did to
// it and what citizens answered.
type account struct {
	gen     gen
	hidden  map[string]bool
	deleted map[string]bool
	objects map[string]stored
	log     []platform.Event // changes made through the API, shown by the next poll
	later   []entry          // follow-ups, in the order they become due
	seq     int
}

type stored struct {
	obj  platform.Object
	from time.Time // when it exists for Fetch
}

type entry struct {
	due time.Time
	ev  platform.Event
}

// cursorState is a sim cursor: the account's start, the next generated
// item, and how much of the change log and follow-ups were returned.
type cursorState struct {
	Start time.Time `json:"start"`
	K     int       `json:"k"`
	A     int       `json:"a"`
	F     int       `json:"f"`
}

// account returns the state of accountID, creating it so that a first
// poll finds a few items already there.
func (c *Connector) account(accountID string, start time.Time) *account {
	if a, ok := c.accounts[accountID]; ok {
		return a
	}
	if start.IsZero() {
		start = c.cfg.Clock.Now().Add(-time.Duration(c.cfg.Backlog) * c.cfg.Interval)
	}
	a := &account{gen: gen{platform: c.cfg.Platform, account: accountID, seed: c.cfg.Seed, start: start,
		interval: c.cfg.Interval}, hidden: map[string]bool{}, deleted: map[string]bool{}, objects: map[string]stored{}}
	c.accounts[accountID] = a
	return a
}

// Poll returns the items that have appeared since cursor (about one per
// Interval), the changes made through the API, and citizens' answers to
// the municipality's replies once they are due.
func (c *Connector) Poll(_ context.Context, cred platform.Credentials, since platform.Cursor) ([]platform.Event, platform.Cursor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return nil, since, fmt.Errorf("sim: poll: %w", err)
	}
	var cur cursorState
	if since != "" {
		if err := json.Unmarshal([]byte(since), &cur); err != nil {
			return nil, since, fmt.Errorf("sim: poll: unreadable cursor: %w", err)
		}
	}
	a := c.account(cred.AccountID, cur.Start)
	cur.Start = a.gen.start
	now := c.cfg.Clock.Now()
	var evs []platform.Event
	for len(evs) < c.cfg.MaxPerPoll && !a.gen.at(cur.K).After(now) {
		obj := a.gen.item(cur.K).obj
		obj.Hidden = a.hidden[obj.ExternalID]
		evs = append(evs, c.event(cred.AccountID, obj, platform.VerbCreate, "create", obj.CreatedAt))
		cur.K++
	}
	for ; cur.A < len(a.log) && len(evs) < c.cfg.MaxPerPoll; cur.A++ {
		evs = append(evs, a.log[cur.A])
	}
	for ; cur.F < len(a.later) && !a.later[cur.F].due.After(now) && len(evs) < c.cfg.MaxPerPoll; cur.F++ {
		evs = append(evs, a.later[cur.F].ev)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].OccurredAt.Before(evs[j].OccurredAt) })
	b, _ := json.Marshal(cur) // a struct of times and ints always marshals
	return evs, platform.Cursor(b), nil
}

func (c *Connector) event(accountID string, obj platform.Object, verb platform.Verb, what string, at time.Time) platform.Event {
	return platform.Event{Platform: c.cfg.Platform, AccountID: accountID, EventID: "sim:" + obj.ExternalID + ":" + what,
		Verb: verb, Object: obj, OccurredAt: at}
}

// Fetch returns one object as it is now: hidden if hidden, gone if deleted.
func (c *Connector) Fetch(_ context.Context, cred platform.Credentials, externalID string) (platform.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.injected(); err != nil {
		return platform.Object{}, fmt.Errorf("sim: fetch: %w", err)
	}
	obj, err := c.lookup(c.account(cred.AccountID, time.Time{}), externalID)
	if err != nil {
		return platform.Object{}, fmt.Errorf("sim: fetch: %w", err)
	}
	return obj, nil
}

func (c *Connector) lookup(a *account, id string) (platform.Object, error) {
	now := c.cfg.Clock.Now()
	if a.deleted[id] {
		return platform.Object{}, c.notFound(id)
	}
	if s, ok := a.objects[id]; ok && !s.from.After(now) {
		s.obj.Hidden = a.hidden[id]
		return s.obj, nil
	}
	parts := strings.Split(id, "-")
	if len(parts) != 4 || parts[0] != "sim" || parts[1] != tag(a.gen.account) {
		return platform.Object{}, c.notFound(id)
	}
	k, err := strconv.Atoi(parts[3])
	if err != nil || k < 0 || a.gen.at(k).After(now) {
		return platform.Object{}, c.notFound(id)
	}
	obj := a.gen.item(k).obj
	if obj.ExternalID != id {
		return platform.Object{}, c.notFound(id)
	}
	obj.Hidden = a.hidden[id]
	return obj, nil
}
