package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/db"
)

// Input is what the author writes.
type Input struct {
	Title string
	Body  string
	Link  string
	// Channels are the target channels; Variants and Hashtags are per
	// channel id.
	Channels []int64
	Variants map[int64]string
	Hashtags map[int64]string
	// ApproverID is the chosen approver, 0 for the channels' owners.
	ApproverID int64
	// ScheduledAt is when to publish, nil for as soon as approved.
	ScheduledAt         *time.Time
	CheckSender         bool
	CheckGraphicProfile bool
	// Image is the post's image, nil for none.
	Image *InputImage
}

// InputImage is an uploaded image on a post and what allows publishing it.
type InputImage struct {
	SHA256  string
	AltText string
	// NoPerson states that the image shows no identifiable person;
	// otherwise Consents must cover everyone in it.
	NoPerson bool
	Consents []int64
}

const (
	maxTitle = 200
	maxText  = 63206
	maxAlt   = 1000
)

func (d *Input) normalise(now time.Time) error {
	d.Title, d.Body, d.Link = strings.TrimSpace(d.Title), strings.TrimSpace(d.Body), strings.TrimSpace(d.Link)
	if d.Title == "" {
		return apperr.Invalidf("Ge inlägget en rubrik (den syns bara i Tilltal).")
	}
	if utf8.RuneCountInString(d.Title) > maxTitle {
		return apperr.Invalidf("Rubriken är för lång (högst %d tecken).", maxTitle)
	}
	if utf8.RuneCountInString(d.Body) > maxText {
		return apperr.Invalidf("Texten är för lång (högst %d tecken).", maxText)
	}
	if d.Link != "" {
		u, err := url.Parse(d.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(d.Link) > 2000 {
			return apperr.Invalidf("Länken till källan måste vara en fullständig webbadress som börjar med https://.")
		}
	}
	d.Channels = slices.Compact(slices.Sorted(slices.Values(d.Channels)))
	if len(d.Channels) == 0 {
		return apperr.Invalidf("Välj minst en kanal att publicera i.")
	}
	for id, v := range d.Variants {
		if utf8.RuneCountInString(v) > maxText {
			return apperr.Invalidf("En kanals egen text är för lång (högst %d tecken).", maxText)
		}
		d.Variants[id] = strings.TrimSpace(v)
	}
	for id, h := range d.Hashtags {
		norm, err := NormalizeHashtags(h)
		if err != nil {
			return err
		}
		d.Hashtags[id] = norm
	}
	if d.ScheduledAt != nil {
		at := d.ScheduledAt.UTC()
		if !at.After(now) {
			return apperr.Invalidf("Publiceringstiden %s har redan passerat. Välj en tid framåt, eller lämna tiden tom för att publicera när inlägget har godkänts.",
				calendar.FormatDateTime(at))
		}
		d.ScheduledAt = &at
	}
	if img := d.Image; img != nil {
		img.AltText = strings.TrimSpace(img.AltText)
		if !ValidSHA(img.SHA256) {
			return apperr.Invalidf("Bilden finns inte; ladda upp den igen.")
		}
		if img.AltText == "" {
			return apperr.Invalidf("Bilden behöver en alternativtext som beskriver vad den visar, för den som inte ser bilden.")
		}
		if utf8.RuneCountInString(img.AltText) > maxAlt {
			return apperr.Invalidf("Alternativtexten är för lång (högst %d tecken).", maxAlt)
		}
		if img.NoPerson && len(img.Consents) > 0 {
			return apperr.Invalidf("Välj antingen samtycken för personerna i bilden eller att bilden inte visar någon identifierbar person, inte båda.")
		}
	}
	return nil
}

// Create saves a new draft by v.
func (s *Service) Create(ctx context.Context, v channel.Viewer, d Input) (int64, error) {
	now := s.now()
	if err := d.normalise(now); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.checkTargets(ctx, tx, v, d.Channels); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO publish_posts (title, body, link, author_id, approver_id, status, scheduled_at, check_sender, check_graphic_profile, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`, d.Title, d.Body, d.Link, v.UserID, nullID(d.ApproverID), nullTime(d.ScheduledAt),
			d.CheckSender, d.CheckGraphicProfile, now, now)
		if err != nil {
			return err
		}
		if err := s.writeDraft(ctx, tx, v, id, d, now); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, now, "created", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.create", ObjectType: "post", ObjectID: audit.ID(id), Summary: "Utkast: " + d.Title})
	})
	if err != nil {
		return 0, fmt.Errorf("publish: create: %w", err)
	}
	return id, nil
}

// Update changes a draft, or a post sent back for changes.
func (s *Service) Update(ctx context.Context, v channel.Viewer, id int64, d Input) error {
	now := s.now()
	if err := d.normalise(now); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if p.AuthorID != v.UserID && !v.Communicator {
			return apperr.Forbiddenf("Bara den som skrev inlägget kan ändra det.")
		}
		if !p.Status.Editable() {
			return apperr.Conflictf("Inlägget kan inte ändras när det är %s.", p.Status.Label())
		}
		if err := s.checkTargets(ctx, tx, v, d.Channels); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE publish_posts SET title = ?, body = ?, link = ?, approver_id = ?, scheduled_at = ?, check_sender = ?,
			check_graphic_profile = ?, updated_at = ? WHERE id = ?`, d.Title, d.Body, d.Link, nullID(d.ApproverID), nullTime(d.ScheduledAt),
			d.CheckSender, d.CheckGraphicProfile, now, id); err != nil {
			return err
		}
		if err := s.writeDraft(ctx, tx, v, id, d, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.update", ObjectType: "post", ObjectID: audit.ID(id), Summary: "Ändrat: " + d.Title})
	})
	if err != nil {
		return fmt.Errorf("publish: update: %w", err)
	}
	return nil
}

// writeDraft replaces a draft's targets and image.
func (s *Service) writeDraft(ctx context.Context, tx *db.Tx, v channel.Viewer, id int64, d Input, now time.Time) error {
	if d.ApproverID != 0 {
		if d.ApproverID == v.UserID {
			return apperr.Invalidf("Välj någon annan än dig själv som godkänner inlägget.")
		}
		if err := s.checkApprover(ctx, tx, d.ApproverID, d.Channels); err != nil {
			return err
		}
	}
	args := []any{id}
	for _, c := range d.Channels {
		args = append(args, c)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM publish_targets WHERE post_id = ? AND channel_id NOT IN ("+db.Placeholders(len(d.Channels))+")", args...); err != nil {
		return err
	}
	for _, c := range d.Channels {
		if _, err := tx.Exec(ctx, `INSERT INTO publish_targets (post_id, channel_id, variant, hashtags, status, updated_at) VALUES (?, ?, ?, ?, 'planned', ?)
			ON CONFLICT (post_id, channel_id) DO UPDATE SET variant = excluded.variant, hashtags = excluded.hashtags, updated_at = excluded.updated_at`,
			id, c, d.Variants[c], d.Hashtags[c], now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM publish_post_images WHERE post_id = ?", id); err != nil {
		return err
	}
	if d.Image == nil {
		return nil
	}
	_, err := tx.Exec(ctx, "INSERT INTO publish_post_images (post_id, seq, image_sha256, alt_text) VALUES (?, 0, ?, ?)", id, d.Image.SHA256, d.Image.AltText)
	if db.IsForeignKeyViolation(err) {
		return apperr.Invalidf("Bilden finns inte; ladda upp den igen.")
	}
	if err != nil {
		return err
	}
	return setImageRights(ctx, tx, d.Image.SHA256, d.Image.NoPerson, d.Image.Consents, v.UserID)
}

// checkTargets refuses channels v may not publish to.
func (s *Service) checkTargets(ctx context.Context, tx *db.Tx, v channel.Viewer, ids []int64) error {
	for _, id := range ids {
		c, err := s.channel(ctx, id)
		if err != nil {
			return err
		}
		if !v.Communicator && !c.IsMember(v.UserID) {
			return apperr.Forbiddenf("Du kan inte publicera i kanalen %s.", c.Name)
		}
		if _, ok := RulesFor(string(c.Platform)); !ok {
			return apperr.Invalidf("Tilltal kan inte publicera på %s (%s).", c.Name, c.Platform.Label())
		}
		if c.Status != channel.Active {
			return apperr.Invalidf("Kanalen %s är %s och kan inte publicera.", c.Name, strings.ToLower(c.Status.Label()))
		}
	}
	return nil
}

// checkApprover refuses an approver who could not approve for every channel.
func (s *Service) checkApprover(ctx context.Context, tx *db.Tx, userID int64, channels []int64) error {
	var name string
	var active, comm bool
	err := tx.QueryRow(ctx, `SELECT name, active, EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'communicator') FROM users u WHERE id = ?`, userID).
		Scan(&name, &active, &comm)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return apperr.Invalidf("Den som ska godkänna finns inte eller har inget aktivt konto.")
	}
	if err != nil || comm {
		return err
	}
	for _, id := range channels {
		c, err := s.channel(ctx, id)
		if err != nil {
			return err
		}
		if !isManager(c, userID) {
			return apperr.Invalidf("%s kan inte godkänna inlägg i %s: välj kanalens kontoansvarig, ersättare eller en kommunikatör.", name, c.Name)
		}
	}
	return nil
}

func isManager(c channel.Channel, userID int64) bool {
	return slices.ContainsFunc(c.Members, func(m channel.Member) bool {
		return m.UserID == userID && (m.Role == channel.RoleOwner || m.Role == channel.RoleDeputy)
	})
}

// channel loads a channel with its people, whoever asks.
func (s *Service) channel(ctx context.Context, id int64) (channel.Channel, error) {
	return s.Channels.Get(ctx, channel.System, id)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// Label is the status in Swedish.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "utkast"
	case Pending:
		return "väntar på godkännande"
	case Changes:
		return "tillbaka för ändringar"
	case Rejected:
		return "avslaget"
	case Approved:
		return "godkänt"
	case Cancelled:
		return "inställt"
	}
	return string(s)
}
