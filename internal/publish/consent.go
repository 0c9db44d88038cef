package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/channel"
	"tilltal/internal/db"
)

// Consent is a person's consent (samtycke) to be shown in the
// municipality's images: who, for what use, until when, signed by whom.
type Consent struct {
	ID int64
	// Person is who is shown.
	Person string
	// Purpose is the use consented to ("Kommunens kanaler i sociala medier 2026").
	Purpose string
	// ValidUntil is the first instant the consent no longer holds: the
	// start of the day after its last day, in Stockholm.
	ValidUntil time.Time
	// SignedBy is who signed: the person, or a guardian for a child.
	SignedBy string
	// SignedOn is the date of signing, "2006-01-02".
	SignedOn string
	// Reference points to the signed form (a diary number, a file).
	Reference       string
	WithdrawnAt     *time.Time
	WithdrawnReason string
	CreatedAt       time.Time
	// Images are the SHA-256 of the images it covers.
	Images []string
}

// ConsentState is whether a consent holds.
type ConsentState string

// The states of a consent.
const (
	ConsentValid     ConsentState = "valid"
	ConsentExpired   ConsentState = "expired"
	ConsentWithdrawn ConsentState = "withdrawn"
)

// State is the consent's state at t.
func (c Consent) State(t time.Time) ConsentState {
	switch {
	case c.WithdrawnAt != nil:
		return ConsentWithdrawn
	case !t.Before(c.ValidUntil):
		return ConsentExpired
	}
	return ConsentValid
}

// LastDay is the last day the consent holds.
func (c Consent) LastDay() calendar.Date { return calendar.DateOf(c.ValidUntil.Add(-time.Second)) }

// NewConsent is a consent to register.
type NewConsent struct {
	Person, Purpose, SignedBy, Reference string
	// LastDay and SignedOn are dates, "2006-01-02".
	LastDay, SignedOn string
}

func (n *NewConsent) normalise(now time.Time) (time.Time, error) {
	n.Person, n.Purpose = strings.TrimSpace(n.Person), strings.TrimSpace(n.Purpose)
	n.SignedBy, n.Reference = strings.TrimSpace(n.SignedBy), strings.TrimSpace(n.Reference)
	for _, f := range []struct{ label, v string }{{"Vem som syns", n.Person}, {"Vad samtycket gäller", n.Purpose}, {"Vem som har skrivit under", n.SignedBy}} {
		if f.v == "" {
			return time.Time{}, apperr.Invalidf("%s saknas.", f.label)
		}
		if utf8.RuneCountInString(f.v) > 500 {
			return time.Time{}, apperr.Invalidf("%s är för långt (högst 500 tecken).", f.label)
		}
	}
	if utf8.RuneCountInString(n.Reference) > 500 {
		return time.Time{}, apperr.Invalidf("Hänvisningen är för lång (högst 500 tecken).")
	}
	signed, err := calendar.ParseDate(strings.TrimSpace(n.SignedOn))
	if err != nil {
		return time.Time{}, apperr.Invalidf("Ange när samtycket skrevs under som ÅÅÅÅ-MM-DD.")
	}
	last, err := calendar.ParseDate(strings.TrimSpace(n.LastDay))
	if err != nil {
		return time.Time{}, apperr.Invalidf("Ange till och med vilken dag samtycket gäller som ÅÅÅÅ-MM-DD.")
	}
	if signed.After(calendar.DateOf(now)) {
		return time.Time{}, apperr.Invalidf("Underskriften kan inte vara daterad i framtiden.")
	}
	if last.Before(signed) {
		return time.Time{}, apperr.Invalidf("Samtycket kan inte sluta gälla innan det skrevs under.")
	}
	n.SignedOn = signed.String()
	return last.AddDays(1).Start().UTC(), nil
}

// AddConsent registers a consent.
func (s *Service) AddConsent(ctx context.Context, v channel.Viewer, n NewConsent) (int64, error) {
	now := s.now()
	until, err := n.normalise(now)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO publish_consents (person, purpose, valid_until, signed_by, signed_on, reference, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.Person, n.Purpose, until, n.SignedBy, n.SignedOn, n.Reference, nullID(v.UserID), now)
		if err != nil {
			return err
		}
		// The register holds personal data: the audit entry names the
		// consent by number only.
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.consent.add", ObjectType: "consent", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Samtycke %d registrerades, giltigt till och med %s", id, n.LastDay)})
	})
	if err != nil {
		return 0, fmt.Errorf("publish: add consent: %w", err)
	}
	return id, nil
}

const consentColumns = `c.id, c.person, c.purpose, c.valid_until, c.signed_by, c.signed_on, c.reference, c.withdrawn_at, c.withdrawn_reason, c.created_at`

func scanConsent(row interface{ Scan(...any) error }) (Consent, error) {
	var c Consent
	var withdrawn sql.NullTime
	err := row.Scan(&c.ID, &c.Person, &c.Purpose, &c.ValidUntil, &c.SignedBy, &c.SignedOn, &c.Reference, &withdrawn, &c.WithdrawnReason, &c.CreatedAt)
	if withdrawn.Valid {
		c.WithdrawnAt = &withdrawn.Time
	}
	return c, err
}

// Consents lists the register, newest first, with the images each covers.
func (s *Service) Consents(ctx context.Context) ([]Consent, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+consentColumns+" FROM publish_consents c ORDER BY c.id DESC")
	if err != nil {
		return nil, fmt.Errorf("publish: consents: %w", err)
	}
	var out []Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	images, err := s.consentImages(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Images = images[out[i].ID]
	}
	return out, nil
}

// Consent returns one consent.
func (s *Service) Consent(ctx context.Context, id int64) (Consent, error) {
	c, err := scanConsent(s.DB.QueryRow(ctx, "SELECT "+consentColumns+" FROM publish_consents c WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("Samtycket finns inte")
	}
	if err != nil {
		return c, fmt.Errorf("publish: consent: %w", err)
	}
	images, err := s.consentImages(ctx)
	c.Images = images[id]
	return c, err
}

func (s *Service) consentImages(ctx context.Context) (map[int64][]string, error) {
	rows, err := s.DB.Query(ctx, "SELECT consent_id, image_sha256 FROM publish_image_consents ORDER BY image_sha256")
	if err != nil {
		return nil, fmt.Errorf("publish: consent images: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var sha string
		if err := rows.Scan(&id, &sha); err != nil {
			return nil, err
		}
		out[id] = append(out[id], sha)
	}
	return out, rows.Err()
}

// consentsOf returns the consents covering an image.
func consentsOf(ctx context.Context, q querier, sha string) ([]Consent, error) {
	rows, err := q.Query(ctx, "SELECT "+consentColumns+` FROM publish_consents c JOIN publish_image_consents ic ON ic.consent_id = c.id
		WHERE ic.image_sha256 = ? ORDER BY c.id`, sha)
	if err != nil {
		return nil, fmt.Errorf("publish: image consents: %w", err)
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PostRef names a post found through one of its images.
type PostRef struct {
	ID        int64
	Title     string
	Status    Status
	Published bool
}

// Withdraw records that a consent was withdrawn, in one step: posts not
// yet published with its images can no longer be published, and every
// post using them, published or not, is flagged and its author told. It
// returns those posts.
func (s *Service) Withdraw(ctx context.Context, v channel.Viewer, id int64, reason string) ([]PostRef, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, apperr.Invalidf("Anteckningen är för lång (högst 1000 tecken).")
	}
	now := s.now()
	var refs []PostRef
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, "UPDATE publish_consents SET withdrawn_at = ?, withdrawn_by = ?, withdrawn_reason = ? WHERE id = ? AND withdrawn_at IS NULL",
			now, nullID(v.UserID), reason, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM publish_consents WHERE id = ?)", id).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return apperr.NotFoundf("Samtycket finns inte")
			}
			return apperr.Conflictf("Samtycket är redan återkallat.")
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{Action: "publish.consent.withdraw", ObjectType: "consent", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Samtycke %d återkallades", id)}); err != nil {
			return err
		}
		refs, err = s.flagPostsTx(ctx, tx, id, "Samtycket för en person i bilden har återkallats.", now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish: withdraw: %w", err)
	}
	return refs, nil
}

// PostsUsingConsent lists the posts whose images a consent covers.
func (s *Service) PostsUsingConsent(ctx context.Context, id int64) ([]PostRef, error) {
	return postsUsingConsent(ctx, s.DB, id)
}

func postsUsingConsent(ctx context.Context, q querier, id int64) ([]PostRef, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT p.id, p.title, p.status,
		EXISTS (SELECT 1 FROM publish_targets t WHERE t.post_id = p.id AND t.status = 'published')
		FROM publish_posts p JOIN publish_post_images pi ON pi.post_id = p.id
		JOIN publish_image_consents ic ON ic.image_sha256 = pi.image_sha256
		WHERE ic.consent_id = ? ORDER BY p.id`, id)
	if err != nil {
		return nil, fmt.Errorf("publish: posts using consent: %w", err)
	}
	defer rows.Close()
	var out []PostRef
	for rows.Next() {
		var r PostRef
		if err := rows.Scan(&r.ID, &r.Title, &r.Status, &r.Published); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// flagPostsTx flags every post using an image the consent covers and
// tells each post's author; posts already flagged for it are left as they
// are.
func (s *Service) flagPostsTx(ctx context.Context, tx *db.Tx, consentID int64, reason string, now time.Time) ([]PostRef, error) {
	refs, err := postsUsingConsent(ctx, tx, consentID)
	if err != nil {
		return nil, err
	}
	for _, p := range refs {
		if p.Status == Cancelled || p.Status == Rejected {
			continue
		}
		r, err := tx.Exec(ctx, "INSERT INTO publish_flags (post_id, consent_id, reason, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (post_id, consent_id) DO NOTHING",
			p.ID, consentID, reason, now)
		if err != nil {
			return nil, err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			continue
		}
		what := "Inlägget kan inte publiceras med bilden."
		if p.Published {
			what = "Inlägget är redan publicerat: ta bort bilden eller inlägget på plattformen."
		}
		if err := s.tellAuthorTx(ctx, tx, p.ID, "Samtycket för en bild i ditt inlägg gäller inte längre",
			fmt.Sprintf("%s\n\nInlägg: %s\n%s", reason, p.Title, what), fmt.Sprintf("publish-flag:%d:%d", p.ID, consentID)); err != nil {
			return nil, err
		}
		if err := addEvent(ctx, tx, p.ID, now, "flagged", reason); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// FlagExpired flags the posts of every consent that has expired since the
// last run, once per consent.
func (s *Service) FlagExpired(ctx context.Context) error {
	now := s.now()
	ids, err := s.ids(ctx, "SELECT id FROM publish_consents WHERE withdrawn_at IS NULL AND expiry_flagged_at IS NULL AND valid_until <= ?", now)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			r, err := tx.Exec(ctx, "UPDATE publish_consents SET expiry_flagged_at = ? WHERE id = ? AND expiry_flagged_at IS NULL", now, id)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
			_, err = s.flagPostsTx(ctx, tx, id, "Samtycket för en person i bilden har gått ut.", now)
			return err
		})
		if err != nil {
			return fmt.Errorf("publish: flag expired consent %d: %w", id, err)
		}
	}
	return nil
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
