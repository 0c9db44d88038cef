package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/replycheck"
)

// Severity says whether a finding stops approval and publishing.
type Severity string

// The severities.
const (
	Block Severity = "block"
	Warn  Severity = "warn"
)

// Finding is one problem with a post. ChannelID is the channel it concerns,
// 0 for the whole post.
type Finding struct {
	Kind      string   `json:"kind"`
	Severity  Severity `json:"severity"`
	ChannelID int64    `json:"channel_id,omitempty"`
	Message   string   `json:"message"`
}

// Blocking reports whether any finding stops the post.
func Blocking(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Block })
}

// Blocked is why a post could not be approved or published.
type Blocked struct{ Findings []Finding }

func (b *Blocked) Error() string { return "publish: blocked by the checks" }

// Check runs the checks on a post as they stand now.
func (s *Service) Check(ctx context.Context, v channel.Viewer, id int64) ([]Finding, error) {
	p, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return s.check(ctx, p, p.Targets, s.now())
}

// personalKinds are the reply check's findings of personal data.
var personalKinds = []replycheck.Kind{replycheck.KindPersonnummer, replycheck.KindSamordningsnummer, replycheck.KindInterim,
	replycheck.KindPhone, replycheck.KindEmail, replycheck.KindAddress, replycheck.KindName}

// check runs every check on p for the given targets at now.
func (s *Service) check(ctx context.Context, p Post, targets []Target, now time.Time) ([]Finding, error) {
	out := textFindings(ctx, p, targets)
	if len(targets) == 0 {
		out = append(out, Finding{Kind: "no_channels", Severity: Block, Message: "Välj minst en kanal att publicera i."})
	}
	for _, t := range targets {
		out = append(out, variantFindings(p, t)...)
		cf, err := s.channelFindings(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, cf...)
	}
	at := now
	if p.ScheduledAt != nil && p.ScheduledAt.After(now) {
		at = *p.ScheduledAt
	}
	out = append(out, imageRightsFindings(p, at)...)
	if !p.CheckSender {
		out = append(out, Finding{Kind: "sender", Severity: Block, Message: "Bekräfta att avsändaren är tydlig enligt kanalens avsändarregler."})
	}
	if !p.CheckGraphicProfile {
		out = append(out, Finding{Kind: "graphic_profile", Severity: Block, Message: "Bekräfta att bild och text följer kommunens grafiska profil."})
	}
	return dedupe(out), nil
}

// textFindings runs the reply check's personal-data and quotation checks
// on every text the post publishes; the source link counts as a link.
func textFindings(ctx context.Context, p Post, targets []Target) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, t := range append([]Target{{}}, targets...) {
		text := TextFor(p.Body, t)
		if seen[text] || text == "" {
			continue
		}
		seen[text] = true
		in := text
		if p.Link != "" {
			in += "\n" + p.Link
		}
		for _, f := range replycheck.Check(ctx, replycheck.Input{Text: in}) {
			where := "Texten"
			if t.ChannelID != 0 && t.Variant != "" {
				where = "Texten för " + t.ChannelName
			}
			switch {
			case slices.Contains(personalKinds, f.Kind) && f.Severity == replycheck.Block:
				out = append(out, Finding{Kind: "personal_data", Severity: Block, ChannelID: t.ChannelID, Message: where + ": " + f.Message})
			case slices.Contains(personalKinds, f.Kind):
				out = append(out, Finding{Kind: "personal_data", Severity: Warn, ChannelID: t.ChannelID, Message: where + ": " + f.Message})
			case f.Kind == replycheck.KindQuoteWithoutLink:
				out = append(out, Finding{Kind: "quote_without_link", Severity: Warn, ChannelID: t.ChannelID, Message: where + ": " + f.Message})
			}
		}
	}
	return out
}

// channelFindings checks that a channel can publish: active and connected.
func (s *Service) channelFindings(ctx context.Context, t Target) ([]Finding, error) {
	var out []Finding
	if st := channel.Status(t.ChannelStatus); st != channel.Active {
		out = append(out, Finding{Kind: "channel_status", Severity: Block, ChannelID: t.ChannelID,
			Message: fmt.Sprintf("Kanalen %s är %s och kan inte publicera.", t.ChannelName, strings.ToLower(st.Label()))})
	}
	var status, detail string
	err := s.DB.QueryRow(ctx, "SELECT status, status_detail FROM channel_credentials WHERE channel_id = ?", t.ChannelID).Scan(&status, &detail)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		out = append(out, Finding{Kind: "not_connected", Severity: Block, ChannelID: t.ChannelID,
			Message: fmt.Sprintf("Kanalen %s är inte ansluten till Tilltal; en kommunikatör ansluter den under Plattformar.", t.ChannelName)})
	case err != nil:
		return nil, fmt.Errorf("publish: credentials: %w", err)
	case status != "ok":
		out = append(out, Finding{Kind: "token", Severity: Block, ChannelID: t.ChannelID,
			Message: fmt.Sprintf("Kanalens inloggning hos plattformen gäller inte längre (%s). Anslut %s på nytt innan inlägget publiceras.", detail, t.ChannelName)})
	}
	return out, nil
}

// imageRightsFindings checks that every image has alt text and may show
// whoever is in it at the time of publishing.
func imageRightsFindings(p Post, at time.Time) []Finding {
	var out []Finding
	for _, img := range p.Images {
		if img.AltText == "" {
			out = append(out, Finding{Kind: "alt_text", Severity: Block, Message: "Bilden saknar alternativtext."})
		}
		if !img.NoPerson && len(img.Consents) == 0 {
			out = append(out, Finding{Kind: "consent_missing", Severity: Block,
				Message: "Bilden har inget samtycke. Koppla samtycken för alla identifierbara personer i bilden, eller intyga att den inte visar någon identifierbar person."})
		}
		for _, c := range img.Consents {
			switch c.State(at) {
			case ConsentWithdrawn:
				out = append(out, Finding{Kind: "consent_withdrawn", Severity: Block,
					Message: fmt.Sprintf("Samtycke %d (%s) har återkallats %s. Bilden får inte publiceras.", c.ID, c.Purpose, calendar.FormatDate(*c.WithdrawnAt))})
			case ConsentExpired:
				out = append(out, Finding{Kind: "consent_expired", Severity: Block,
					Message: fmt.Sprintf("Samtycke %d (%s) gäller bara till och med %s. Bilden får inte publiceras då.", c.ID, c.Purpose, c.LastDay())})
			}
		}
	}
	return out
}

func dedupe(fs []Finding) []Finding {
	out := []Finding{}
	for _, f := range fs {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
