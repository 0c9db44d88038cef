package channel

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/db"
)

// Details are the facts about a channel that its form and the API change.
type Details struct {
	DepartmentID      int64
	Platform          Platform
	ExternalID        string
	Handle            string
	URL               string
	Name              string
	Purpose           string
	Audience          string
	Upkeep            string
	SenderRules       string
	GraphicProfileURL string
	CommentNotice     string
	RetentionDecision string
}

// DetailsOf returns c's details, to change some and pass to Update.
func DetailsOf(c Channel) Details {
	return Details{DepartmentID: c.DepartmentID, Platform: c.Platform, ExternalID: c.ExternalID, Handle: c.Handle, URL: c.URL,
		Name: c.Name, Purpose: c.Purpose, Audience: c.Audience, Upkeep: c.Upkeep, SenderRules: c.SenderRules,
		GraphicProfileURL: c.GraphicProfileURL, CommentNotice: c.CommentNotice, RetentionDecision: c.RetentionDecision}
}

// pendingPrefix marks the platform id of a channel whose account does not
// exist yet: a department may ask for an account before creating it, and
// the platform id must still be unique per platform.
const pendingPrefix = "pending:"

// HasExternalID reports whether the channel is connected to its account.
func (c Channel) HasExternalID() bool { return !strings.HasPrefix(c.ExternalID, pendingPrefix) }

// ShownExternalID is the platform id for people, "" while pending.
func (c Channel) ShownExternalID() string {
	if !c.HasExternalID() {
		return ""
	}
	return c.ExternalID
}

func pendingID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return pendingPrefix + hex.EncodeToString(b)
}

// normalise trims and checks the details. An empty platform id becomes a
// pending one unless required.
func (d *Details) normalise(requireExternalID bool) error {
	for _, f := range []*string{&d.ExternalID, &d.Handle, &d.URL, &d.Name, &d.Purpose, &d.Audience, &d.Upkeep,
		&d.SenderRules, &d.GraphicProfileURL, &d.CommentNotice, &d.RetentionDecision} {
		*f = strings.TrimSpace(*f)
	}
	if d.DepartmentID <= 0 {
		return apperr.Invalidf("Välj vilken verksamhet kanalen hör till")
	}
	if _, err := ParsePlatform(string(d.Platform)); err != nil {
		return err
	}
	if err := checkLine("Namnet", d.Name, 200, true); err != nil {
		return err
	}
	if err := checkLine("Kontonamnet", d.Handle, 100, false); err != nil {
		return err
	}
	if err := d.normaliseExternalID(requireExternalID); err != nil {
		return err
	}
	if err := checkURL("Kanalens adress", d.URL); err != nil {
		return err
	}
	if err := checkURL("Länken till den grafiska profilen", d.GraphicProfileURL); err != nil {
		return err
	}
	texts := []struct{ label, v string }{
		{"Syftet", d.Purpose}, {"Målgruppen", d.Audience}, {"Beskrivningen av hur kanalen hålls uppdaterad", d.Upkeep},
		{"Avsändarreglerna", d.SenderRules}, {"Informationen i kommentarsfältet", d.CommentNotice}, {"Gallringsbeslutet", d.RetentionDecision},
	}
	for _, t := range texts {
		if err := checkText(t.label, t.v, 4000); err != nil {
			return err
		}
	}
	return nil
}

func (d *Details) normaliseExternalID(required bool) error {
	if d.ExternalID == "" || strings.HasPrefix(d.ExternalID, pendingPrefix) {
		if required {
			return apperr.Invalidf("Plattformens id för kontot saknas")
		}
		if d.ExternalID == "" {
			d.ExternalID = pendingID()
		}
		return nil
	}
	if len(d.ExternalID) > 200 || strings.IndexFunc(d.ExternalID, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return apperr.Invalidf("Plattformens id får inte innehålla mellanslag och får vara högst 200 tecken")
	}
	return nil
}

// checkLine checks a one-line text: no control characters, not too long.
func checkLine(label, s string, max int, required bool) error {
	if required && s == "" {
		return apperr.Invalidf("%s saknas", label)
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalidf("%s får vara högst %d tecken", label, max)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return apperr.Invalidf("%s innehåller otillåtna tecken", label)
	}
	return nil
}

// checkText checks a free text: line breaks and tabs are fine, other
// control characters are not.
func checkText(label, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalidf("%s får vara högst %d tecken", label, max)
	}
	bad := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }
	if !utf8.ValidString(s) || strings.IndexFunc(s, bad) >= 0 {
		return apperr.Invalidf("%s innehåller otillåtna tecken", label)
	}
	return nil
}

// checkURL accepts "" or an absolute http(s) address: a link on the
// public list must never run script.
func checkURL(label, s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 1000 ||
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return apperr.Invalidf("%s måste vara en fullständig webbadress som börjar med https://", label)
	}
	return nil
}

// checkDepartment returns the department's name, or an Invalid error when
// it does not exist.
func checkDepartment(ctx context.Context, tx *db.Tx, id int64) (string, error) {
	var name string
	err := tx.QueryRow(ctx, "SELECT name FROM departments WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Invalidf("Verksamheten finns inte (id %d)", id)
	}
	if err != nil {
		return "", fmt.Errorf("channel: department: %w", err)
	}
	return name, nil
}

// duplicateError explains a platform id already in the registry.
func duplicateError(d Details) error {
	return apperr.Conflictf("Det finns redan en kanal på %s med id %s i kanalförteckningen", d.Platform.Label(), d.ExternalID)
}

// changedFields lists which details differ, for the history.
func changedFields(a, b Details) []string {
	pairs := []struct {
		name string
		x, y string
	}{
		{"department", fmt.Sprint(a.DepartmentID), fmt.Sprint(b.DepartmentID)},
		{"platform", string(a.Platform), string(b.Platform)},
		{"external_id", a.ExternalID, b.ExternalID},
		{"handle", a.Handle, b.Handle},
		{"url", a.URL, b.URL},
		{"name", a.Name, b.Name},
		{"purpose", a.Purpose, b.Purpose},
		{"audience", a.Audience, b.Audience},
		{"upkeep", a.Upkeep, b.Upkeep},
		{"sender_rules", a.SenderRules, b.SenderRules},
		{"graphic_profile_url", a.GraphicProfileURL, b.GraphicProfileURL},
		{"comment_notice", a.CommentNotice, b.CommentNotice},
		{"retention_decision", a.RetentionDecision, b.RetentionDecision},
	}
	var out []string
	for _, p := range pairs {
		if p.x != p.y {
			out = append(out, p.name)
		}
	}
	return out
}

// publicFields are the details shown on the public list.
var publicFields = map[string]bool{"department": true, "platform": true, "handle": true, "url": true, "name": true, "purpose": true}
