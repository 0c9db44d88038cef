package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"tilltal/internal/db"
	"tilltal/internal/swedish"
)

// TriageRule sets the class of items that meet all its conditions; the
// first active rule in position order that matches wins, and an item no
// rule matches is kept in order (hålls ordnad).
type TriageRule struct {
	ID       int64
	Position int
	Name     string
	Class    Class
	// ChannelID limits the rule to one channel; 0 means all.
	ChannelID int64
	// ItemKind limits it to one kind of item (comment, message…).
	ItemKind string
	// Words match when the item has any of them, as Swedish stems.
	Words string
	// MaxWords matches only items of at most so many words.
	MaxWords int
	// Flag matches items moderation flagged so; "*" for any flag.
	Flag      string
	Active    bool
	CreatedAt time.Time
}

// ruleTermsMemo remembers the stems of rules' words: stemming is the
// costly part of matching, rules change seldom, and the stems of a text
// never change, so the memo can only be stale in size, not in content.
var ruleTermsMemo sync.Map // string → []string

func ruleTerms(words string) []string {
	if t, ok := ruleTermsMemo.Load(words); ok {
		return t.([]string)
	}
	t := swedish.Terms(words)
	ruleTermsMemo.Store(words, t)
	return t
}

// itemText is an item's text as the rules see it, analysed once.
type itemText struct {
	words int
	terms []string
}

func analyse(it item) itemText {
	t := itemText{words: len(swedish.Words(it.body))}
	if it.indexed != "" {
		// swedish.IndexText is the terms joined: made already, outside
		// the transaction.
		t.terms = strings.Fields(it.indexed)
	} else {
		t.terms = swedish.Terms(it.body)
	}
	return t
}

// matches reports whether the rule applies to an item.
func (r TriageRule) matches(it item, text itemText) bool {
	return r.matchesItem(it) && r.matchesText(text)
}

// matchesItem checks the rule's conditions on what the item is: its
// channel, kind and flags.
func (r TriageRule) matchesItem(it item) bool {
	if r.ChannelID != 0 && r.ChannelID != it.channelID {
		return false
	}
	if r.ItemKind != "" && r.ItemKind != it.kind {
		return false
	}
	flags := strings.Fields(it.flags)
	switch {
	case r.Flag == "*" && len(flags) == 0:
		return false
	case r.Flag != "" && r.Flag != "*" && !slices.Contains(flags, r.Flag):
		return false
	}
	return true
}

// matchesText checks the rule's conditions on the item's text.
func (r TriageRule) matchesText(text itemText) bool {
	if r.MaxWords > 0 && text.words > r.MaxWords {
		return false
	}
	if want := ruleTerms(r.Words); len(want) > 0 {
		if !slices.ContainsFunc(want, func(w string) bool { return slices.Contains(text.terms, w) }) {
			return false
		}
	}
	return true
}

// activeTriageRules reads the conditions of the active rules: only what
// matching needs, since it runs for every new item.
func activeTriageRules(ctx context.Context, tx *db.Tx) ([]TriageRule, error) {
	rows, err := tx.Query(ctx, "SELECT id, class, channel_id, item_kind, words, max_words, flag FROM archive_triage_rules WHERE active ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("archive: triage rules: %w", err)
	}
	defer rows.Close()
	var out []TriageRule
	for rows.Next() {
		r := TriageRule{Active: true}
		var class string
		if err := rows.Scan(&r.ID, &class, &r.ChannelID, &r.ItemKind, &r.Words, &r.MaxWords, &r.Flag); err != nil {
			return nil, err
		}
		r.Class = Class(class)
		out = append(out, r)
	}
	return out, rows.Err()
}

// triage finds the class the rules give an item.
func triage(ctx context.Context, tx *db.Tx, it item) (Class, int64, error) {
	rules, err := activeTriageRules(ctx, tx)
	if err != nil {
		return "", 0, err
	}
	c, id := triageWith(rules, it)
	return c, id, nil
}

// triageWith finds the class the rules given give an item. The text is
// analysed only when a rule gets that far: most rules are decided by
// channel, kind or flag.
func triageWith(rules []TriageRule, it item) (Class, int64) {
	var text *itemText
	for _, r := range rules {
		if !r.matchesItem(it) {
			continue
		}
		if text == nil {
			t := analyse(it)
			text = &t
		}
		if r.matchesText(*text) {
			return r.Class, r.ID
		}
	}
	return ClassOrdered, 0
}

// itemClass is an item's class as it stands.
type itemClass struct {
	class        Class
	ruleID       int64
	byRegistrar  bool
	ground       string
	unclassified bool
}

func currentClass(ctx context.Context, tx *db.Tx, itemID int64) (itemClass, error) {
	var c itemClass
	var class string
	err := tx.QueryRow(ctx, "SELECT class, rule_id, by_registrar, secrecy_ground FROM archive_item_classes WHERE item_id = ?", itemID).
		Scan(&class, &c.ruleID, &c.byRegistrar, &c.ground)
	if errors.Is(err, sql.ErrNoRows) {
		return itemClass{unclassified: true}, nil
	}
	c.class = Class(class)
	return c, err
}

// classOnArrival returns an item's class for archiving a version, setting
// it first when the item is new: from the rules, or, for the
// municipality's own answer, the class of what it answers.
func classOnArrival(ctx context.Context, tx *db.Tx, it item, v ItemVersion) (itemClass, error) {
	// A first version is a new item, which has no class yet; later
	// versions keep the class the item has (items archived before the
	// archive existed get one now).
	if v.Version != 1 {
		c, err := currentClass(ctx, tx, it.id)
		if err != nil || !c.unclassified {
			return c, err
		}
	}
	cls, ruleID, err := triage(ctx, tx, it)
	if err != nil {
		return itemClass{}, err
	}
	ground := ""
	if it.fromUs && it.parentID != "" {
		var parent int64
		err := tx.QueryRow(ctx, "SELECT id FROM items WHERE channel_id = ? AND external_id = ?", it.channelID, it.parentID).Scan(&parent)
		if err == nil {
			if pc, err := currentClass(ctx, tx, parent); err == nil && !pc.unclassified {
				cls, ruleID, ground = pc.class, 0, pc.ground
			}
		}
	}
	c := itemClass{class: cls, ruleID: ruleID, ground: ground}
	if err := saveClass(ctx, tx, it.id, c, "", v.CapturedAt); err != nil {
		return itemClass{}, err
	}
	return c, historyTx(ctx, tx, it.id, c, "", "", 0, "system:triage", 0, v.CapturedAt)
}

// classRow is an item's first class, for saveClasses.
type classRow struct {
	itemID int64
	c      itemClass
}

// saveClasses writes the first classes of new items and their history
// entries (by the triage), as classOnArrival does one by one.
func saveClasses(ctx context.Context, tx *db.Tx, rows []classRow, now time.Time) error {
	at := now.UTC()
	start := 0
	for _, n := range db.Chunks(len(rows), maxRowsPerInsert) {
		part := rows[start : start+n]
		start += n
		classes := make([]any, 0, 6*n)
		history := make([]any, 0, 10*n)
		for _, r := range part {
			classes = append(classes, r.itemID, string(r.c.class), r.c.ruleID, r.c.byRegistrar, r.c.ground, at)
			history = append(history, r.itemID, string(r.c.class), "", r.c.ruleID, "", r.c.ground, nil, "system:triage", 0, at)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO archive_item_classes (item_id, class, rule_id, by_registrar, secrecy_ground, set_at) VALUES "+db.ValuesList(n, 6), classes...); err != nil {
			return fmt.Errorf("archive: classes: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO archive_item_class_history (item_id, class, previous_class, rule_id, reason, secrecy_ground, actor_user_id, actor, record_seq, at)
			VALUES `+db.ValuesList(n, 10), history...); err != nil {
			return fmt.Errorf("archive: class history: %w", err)
		}
	}
	return nil
}

// saveClass writes an item's class.
func saveClass(ctx context.Context, tx *db.Tx, itemID int64, c itemClass, previous Class, now time.Time) error {
	var err error
	if previous == "" {
		_, err = tx.Exec(ctx, "INSERT INTO archive_item_classes (item_id, class, rule_id, by_registrar, secrecy_ground, set_at) VALUES (?, ?, ?, ?, ?, ?)",
			itemID, string(c.class), c.ruleID, c.byRegistrar, c.ground, now.UTC())
	} else {
		_, err = tx.Exec(ctx, "UPDATE archive_item_classes SET class = ?, rule_id = ?, by_registrar = ?, secrecy_ground = ?, set_at = ? WHERE item_id = ?",
			string(c.class), c.ruleID, c.byRegistrar, c.ground, now.UTC(), itemID)
	}
	if err != nil {
		return fmt.Errorf("archive: class: %w", err)
	}
	return nil
}

func historyTx(ctx context.Context, tx *db.Tx, itemID int64, c itemClass, previous Class, reason string, userID int64, actor string, recordSeq int64, now time.Time) error {
	var user any
	if userID != 0 {
		user = userID
	}
	_, err := tx.Exec(ctx, `INSERT INTO archive_item_class_history (item_id, class, previous_class, rule_id, reason, secrecy_ground, actor_user_id, actor, record_seq, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, itemID, string(c.class), string(previous), c.ruleID, reason, c.ground, user, actor, recordSeq, now.UTC())
	if err != nil {
		return fmt.Errorf("archive: class history: %w", err)
	}
	return nil
}

// TriageRules lists every triage rule in the order they are tried.
func (s *Store) TriageRules(ctx context.Context) ([]TriageRule, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, position, name, class, channel_id, item_kind, words, max_words, flag, active, created_at
		FROM archive_triage_rules ORDER BY active DESC, position, id`)
	if err != nil {
		return nil, fmt.Errorf("archive: triage rules: %w", err)
	}
	defer rows.Close()
	var out []TriageRule
	for rows.Next() {
		var r TriageRule
		var class string
		if err := rows.Scan(&r.ID, &r.Position, &r.Name, &class, &r.ChannelID, &r.ItemKind, &r.Words, &r.MaxWords, &r.Flag, &r.Active, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.Class = Class(class)
		out = append(out, r)
	}
	return out, rows.Err()
}
