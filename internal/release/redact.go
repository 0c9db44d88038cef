package release

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Ground is a legal ground for secrecy the review offers; any other text
// may be typed.
type Ground struct {
	// Cite is how the ground is cited: "OSL 21 kap. 7 §".
	Cite string
	// About is what it protects, in Swedish.
	About string
}

// Grounds are the provisions of the Public Access to Information and
// Secrecy Act (offentlighets- och sekretesslagen, OSL) a municipality's
// social-media records most often meet.
var Grounds = []Ground{
	{"OSL 21 kap. 7 §", "personuppgifter som skulle behandlas i strid med dataskyddsreglerna efter ett utlämnande"},
	{"OSL 21 kap. 1 §", "uppgifter om hälsa och sexualliv"},
	{"OSL 21 kap. 3 §", "bostadsadress och liknande när den enskilde kan utsättas för våld eller annat allvarligt men"},
	{"OSL 26 kap. 1 §", "enskildas personliga förhållanden inom socialtjänsten"},
	{"OSL 23 kap. 2 §", "enskildas personliga förhållanden i förskola och skola"},
	{"OSL 25 kap. 1 §", "enskildas hälsotillstånd och personliga förhållanden i hälso- och sjukvården"},
	{"OSL 18 kap. 1 §", "uppgifter i förundersökning och brottsutredning"},
	{"OSL 35 kap. 1 §", "enskildas personliga förhållanden i brottsutredning och brottsbekämpning"},
}

// About returns what a cited ground protects, or "" for a ground not in
// the list.
func About(cite string) string {
	for _, g := range Grounds {
		if g.Cite == strings.TrimSpace(cite) {
			return g.About
		}
	}
	return ""
}

// checkGround checks a ground that is required when needed.
func checkGround(g string, needed bool) error {
	switch {
	case needed && g == "":
		return apperr.Invalidf("Ange den rättsliga grunden för sekretessen, t.ex. OSL 21 kap. 7 §")
	case utf8.RuneCountInString(g) > 200:
		return apperr.Invalidf("Den rättsliga grunden är för lång (högst 200 tecken)")
	case strings.ContainsAny(g, "\r\n"):
		return apperr.Invalidf("Den rättsliga grunden ska stå på en rad")
	}
	return nil
}

// Redaction is a masked span [Start, End) of a selected record's text, in
// Unicode code points, with the legal ground for masking it.
type Redaction struct {
	ID     int64
	Seq    int64
	Start  int
	End    int
	Ground string
}

// Redactions returns a request's redactions, by record and position.
func (s *Store) Redactions(ctx context.Context, id int64) ([]Redaction, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, seq, start_cp, end_cp, ground FROM release_redactions WHERE request_id = ? ORDER BY seq, start_cp", id)
	if err != nil {
		return nil, fmt.Errorf("release: redactions: %w", err)
	}
	defer rows.Close()
	var out []Redaction
	for rows.Next() {
		var r Redaction
		if err := rows.Scan(&r.ID, &r.Seq, &r.Start, &r.End, &r.Ground); err != nil {
			return nil, fmt.Errorf("release: redactions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Redact masks [start, end) of a selected record's text on a ground. A span
// outside the text, empty, or overlapping a masking already made is refused
// with a message saying why, and nothing changes.
func (s *Store) Redact(ctx context.Context, id, seq int64, start, end int, ground string) (Redaction, error) {
	out, err := s.redact(ctx, id, seq, ground, func(text string) ([][2]int, error) {
		n := utf8.RuneCountInString(text)
		switch {
		case start < 0:
			return nil, apperr.Invalidf("Maskeringen börjar före textens början (start %d; första tecknet är 0)", start)
		case end > n:
			return nil, apperr.Invalidf("Maskeringen slutar efter textens slut (slut %d; texten har %d tecken)", end, n)
		case start >= end:
			return nil, apperr.Invalidf("Maskeringen måste sluta efter att den börjat (start %d, slut %d)", start, end)
		}
		return [][2]int{{start, end}}, nil
	})
	if err != nil {
		return Redaction{}, err
	}
	return out[0], nil
}

// RedactPassage masks every occurrence of passage, typed exactly as it
// stands, in a selected record's text: the way to redact without
// JavaScript.
func (s *Store) RedactPassage(ctx context.Context, id, seq int64, passage, ground string) ([]Redaction, error) {
	return s.redact(ctx, id, seq, ground, func(text string) ([][2]int, error) {
		if strings.TrimSpace(passage) == "" {
			return nil, apperr.Invalidf("Skriv in texten som ska maskeras, exakt som den står i handlingen")
		}
		spans := occurrences(text, passage)
		if len(spans) == 0 {
			return nil, apperr.Invalidf("Texten finns inte i handling %d; skriv den exakt som den står (stora och små bokstäver, mellanslag)", seq)
		}
		return spans, nil
	})
}

// occurrences returns the code-point spans where passage occurs in text,
// without overlap.
func occurrences(text, passage string) [][2]int {
	var spans [][2]int
	n := utf8.RuneCountInString(passage)
	for off := 0; ; {
		i := strings.Index(text[off:], passage)
		if i < 0 {
			return spans
		}
		start := utf8.RuneCountInString(text[:off+i])
		spans = append(spans, [2]int{start, start + n})
		off += i + len(passage)
	}
}

// redact checks spans found by find in the record's text against the
// request and its redactions and stores them, all or none.
func (s *Store) redact(ctx context.Context, id, seq int64, ground string, find func(text string) ([][2]int, error)) ([]Redaction, error) {
	ground = strings.TrimSpace(ground)
	if err := checkGround(ground, true); err != nil {
		return nil, err
	}
	sel, err := s.selected(ctx, id, seq)
	if err != nil {
		return nil, err
	}
	spans, err := find(sel.Text())
	if err != nil {
		return nil, err
	}
	now := s.now()
	actor := audit.ActorFrom(ctx)
	var out []Redaction
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		existing, err := redactionsTx(ctx, tx, id, seq)
		if err != nil {
			return err
		}
		for _, sp := range spans {
			for _, e := range existing {
				if sp[0] < e.End && e.Start < sp[1] {
					return apperr.Conflictf("Maskeringen (tecken %d–%d) överlappar en maskering som redan finns (tecken %d–%d); ta bort den först eller välj ett annat avsnitt", sp[0], sp[1], e.Start, e.End)
				}
			}
			rid, err := tx.InsertID(ctx, "INSERT INTO release_redactions (request_id, seq, start_cp, end_cp, ground, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
				id, seq, sp[0], sp[1], ground, now, nullID(actor.UserID))
			if err != nil {
				return fmt.Errorf("release: redact: %w", err)
			}
			r := Redaction{ID: rid, Seq: seq, Start: sp[0], End: sp[1], Ground: ground}
			existing = append(existing, r)
			out = append(out, r)
			// The summary names the place, never the masked text.
			if err := audit.Record(ctx, tx, now, audit.Entry{Action: "release.redact", ObjectType: "release_request", ObjectID: audit.ID(id),
				Summary: fmt.Sprintf("Maskering i handling %d, tecken %d–%d (%s)", seq, sp[0], sp[1], ground),
				Detail:  map[string]any{"redaction": rid, "seq": seq, "start": sp[0], "end": sp[1], "ground": ground}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Unredact removes a redaction.
func (s *Store) Unredact(ctx context.Context, id, redactionID int64) error {
	now := s.now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := openForReview(ctx, tx, id, now); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM release_redactions WHERE id = ? AND request_id = ?", redactionID, id)
		if err != nil {
			return fmt.Errorf("release: unredact: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("Maskeringen finns inte")
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.unredact", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Maskering %d borttagen", redactionID)})
	})
}

func redactionsTx(ctx context.Context, tx *db.Tx, id, seq int64) ([]Redaction, error) {
	rows, err := tx.Query(ctx, "SELECT id, seq, start_cp, end_cp, ground FROM release_redactions WHERE request_id = ? AND seq = ?", id, seq)
	if err != nil {
		return nil, fmt.Errorf("release: redactions: %w", err)
	}
	defer rows.Close()
	var out []Redaction
	for rows.Next() {
		var r Redaction
		if err := rows.Scan(&r.ID, &r.Seq, &r.Start, &r.End, &r.Ground); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// selected returns one selected record of a request.
func (s *Store) selected(ctx context.Context, id, seq int64) (Selected, error) {
	all, err := s.Records(ctx, id)
	if err != nil {
		return Selected{}, err
	}
	for _, x := range all {
		if x.Seq == seq {
			return x, nil
		}
	}
	if _, err := s.Get(ctx, id); err != nil {
		return Selected{}, err
	}
	return Selected{}, apperr.NotFoundf("Handling %d är inte vald i begäran", seq)
}

// Marker is what replaces a redacted passage: blocks and the ground.
func Marker(ground string) string { return "█████ (" + ground + ")" }

// Apply returns text with every redaction replaced by its marker. Spans
// outside the text are clipped (they cannot be stored, but a record read
// back must never leak because of one).
func Apply(text string, rs []Redaction) string {
	runes := []rune(text)
	sorted := append([]Redaction(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b strings.Builder
	pos := 0
	for _, r := range sorted {
		start, end := max(r.Start, pos), min(r.End, len(runes))
		if start >= end {
			continue
		}
		b.WriteString(string(runes[pos:start]))
		b.WriteString(Marker(r.Ground))
		pos = end
	}
	b.WriteString(string(runes[pos:]))
	return b.String()
}
