package release

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/audit"
	"tilltal/internal/db"
	"tilltal/internal/incident"
)

// Selected is an archive record selected for a request, with what the
// registrar decided to withhold of it.
type Selected struct {
	Seq int64
	// Withheld keeps the whole record out of the release, on
	// WithheldGround.
	Withheld       bool
	WithheldGround string
	// AuthorWithheld keeps the author (name, id, profile and the
	// permalink that leads to them) out, on AuthorGround.
	AuthorWithheld bool
	AuthorGround   string
	Record         archive.Record
	ChannelName    string
	// Quarantined is true for an attachment whose item's media is in
	// quarantine: it is never released, nor anything about it.
	Quarantined bool
	// SecretClass is true for a record marked secret, or of an item
	// triaged or classified as sekretess: it is not released as it is
	// without a redaction, a withholding or a recorded secrecy review.
	SecretClass bool
}

// Text is the record's text as the review and the release see it: the
// text of an item version, reply or post, or an attachment's title.
func (s Selected) Text() string { return recordText(s.Record) }

// Length is the text's length in code points, the unit of redactions.
func (s Selected) Length() int { return utf8.RuneCountInString(s.Text()) }

// releasable reports whether records of the kind can be selected: the
// dialogue itself and attachments' metadata; raw deliveries are the
// platform's JSON as received, which cannot be reviewed span by span, and
// the chain's own records are not the dialogue.
func releasable(k archive.Kind) bool {
	switch k {
	case archive.KindItemVersion, archive.KindReply, archive.KindPost, archive.KindAttachment:
		return true
	}
	return false
}

func recordText(r archive.Record) string {
	if r.Kind == archive.KindAttachment {
		var c archive.AttachmentContent
		_ = json.Unmarshal(r.Content, &c)
		return c.Title
	}
	return r.Text()
}

// permalink is the record's link on the platform, when it has one.
func permalink(r archive.Record) string {
	var c struct {
		Permalink string `json:"permalink"`
	}
	if r.ContentType == archive.ContentJSON {
		_ = json.Unmarshal(r.Content, &c)
	}
	return c.Permalink
}

// Select adds archive records to a request. Each must be a record of the
// dialogue that still has its content; a quarantined attachment is refused.
// Records already selected are left as they are.
func (s *Store) Select(ctx context.Context, id int64, seqs []int64) error {
	if len(seqs) == 0 {
		return apperr.Invalidf("Välj minst en handling")
	}
	recs := make([]archive.Record, 0, len(seqs))
	for _, seq := range seqs {
		r, err := archive.Get(ctx, s.DB, seq)
		if err != nil {
			return err
		}
		switch {
		case !releasable(r.Kind):
			return apperr.Invalidf("Handling %d är inte ett inlägg, svar eller en bilaga och kan inte lämnas ut härifrån", seq)
		case r.Culled():
			return apperr.Invalidf("Handling %d är gallrad; innehållet finns inte kvar", seq)
		}
		if q, err := quarantined(ctx, s.DB, r); err != nil {
			return err
		} else if q {
			return apperr.Invalidf("Handling %d är media i karantän (misstänkt övergreppsmaterial) och får aldrig lämnas ut", seq)
		}
		recs = append(recs, r)
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		var added []int64
		for _, r := range recs {
			res, err := tx.Exec(ctx, "INSERT INTO release_records (request_id, seq, added_at) VALUES (?, ?, ?) ON CONFLICT (request_id, seq) DO NOTHING", id, r.Seq, now)
			if err != nil {
				return fmt.Errorf("release: select: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added = append(added, r.Seq)
			}
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.select", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("%d handlingar valda", len(added)), Detail: map[string]any{"seqs": added}})
	})
}

// quarantined reports whether a record is media (or media's metadata) of
// an item whose media is in quarantine.
func quarantined(ctx context.Context, d *db.DB, r archive.Record) (bool, error) {
	if r.Kind != archive.KindAttachment || r.ItemID == 0 {
		return false, nil
	}
	return incident.Quarantined(ctx, d, r.ItemID)
}

// Unselect removes a record and its redactions from a request.
func (s *Store) Unselect(ctx context.Context, id, seq int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM release_redactions WHERE request_id = ? AND seq = ?", id, seq); err != nil {
			return fmt.Errorf("release: unselect: %w", err)
		}
		res, err := tx.Exec(ctx, "DELETE FROM release_records WHERE request_id = ? AND seq = ?", id, seq)
		if err != nil {
			return fmt.Errorf("release: unselect: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Handlingen är inte vald i begäran")
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.unselect", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Handling %d borttagen ur urvalet", seq)})
	})
}

// Withholding is what of a selected record is kept out, each with its
// legal ground.
type Withholding struct {
	Record       bool
	RecordGround string
	Author       bool
	AuthorGround string
}

// Withhold sets what of a selected record is kept out of the release.
func (s *Store) Withhold(ctx context.Context, id, seq int64, w Withholding) error {
	w.RecordGround, w.AuthorGround = strings.TrimSpace(w.RecordGround), strings.TrimSpace(w.AuthorGround)
	if !w.Record {
		w.RecordGround = ""
	}
	if !w.Author {
		w.AuthorGround = ""
	}
	if err := checkGround(w.RecordGround, w.Record); err != nil {
		return err
	}
	if err := checkGround(w.AuthorGround, w.Author); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE release_records SET withheld = ?, withheld_ground = ?, author_withheld = ?, author_ground = ? WHERE request_id = ? AND seq = ?",
			w.Record, w.RecordGround, w.Author, w.AuthorGround, id, seq)
		if err != nil {
			return fmt.Errorf("release: withhold: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Handlingen är inte vald i begäran")
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.withhold", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Handling %d: sekretessprövning av hela handlingen och avsändaren", seq),
			Detail:  map[string]any{"seq": seq, "record": w.Record, "record_ground": w.RecordGround, "author": w.Author, "author_ground": w.AuthorGround}})
	})
}

// Records returns the records selected for a request, in archive order,
// with their content.
func (s *Store) Records(ctx context.Context, id int64) ([]Selected, error) {
	rows, err := s.DB.Query(ctx, `SELECT rr.seq, rr.withheld, rr.withheld_ground, rr.author_withheld, rr.author_ground, COALESCE(c.name, ''),
		EXISTS (SELECT 1 FROM archive_item_classes ic WHERE ic.item_id = r.item_id AND r.item_id <> 0 AND ic.class = 'sekretess')
		FROM release_records rr JOIN archive_records r ON r.seq = rr.seq LEFT JOIN channels c ON c.id = r.channel_id
		WHERE rr.request_id = ? ORDER BY rr.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("release: records: %w", err)
	}
	var out []Selected
	for rows.Next() {
		var x Selected
		if err := rows.Scan(&x.Seq, &x.Withheld, &x.WithheldGround, &x.AuthorWithheld, &x.AuthorGround, &x.ChannelName, &x.SecretClass); err != nil {
			rows.Close()
			return nil, fmt.Errorf("release: records: %w", err)
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Record, err = archive.Get(ctx, s.DB, out[i].Seq); err != nil {
			return nil, err
		}
		if out[i].Quarantined, err = quarantined(ctx, s.DB, out[i].Record); err != nil {
			return nil, err
		}
		out[i].SecretClass = out[i].SecretClass || out[i].Record.Secret
	}
	return out, nil
}

// releasedCulled refuses a review in which a record that would be released
// has been culled since it was selected: its text is gone, and a release
// without it would look complete but not be. Culling skips the records of
// open requests, so this only happens when a request was reopened after
// its records went.
func releasedCulled(recs []Selected) error {
	for _, x := range recs {
		if !x.Withheld && !x.Quarantined && x.Record.Culled() {
			return apperr.Conflictf("Handling %d har gallrats sedan den valdes och innehållet finns inte kvar; ta bort den ur urvalet innan begäran beslutas eller lämnas ut", x.Seq)
		}
	}
	return nil
}
