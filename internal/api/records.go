package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/archive"
	"tilltal/internal/org"
	"tilltal/internal/web"
)

// recordJSON is an archived record. Content is the stored JSON itself when
// the record holds JSON, else base64 in content_base64; both are absent
// once culled, and for secret records unless the caller is a registrar
// or legal.
type recordJSON struct {
	Seq           int64           `json:"seq"`
	Kind          string          `json:"kind"`
	ChannelID     int64           `json:"channel_id,omitempty"`
	DepartmentID  int64           `json:"department_id,omitempty"`
	ItemID        int64           `json:"item_id,omitempty"`
	ItemVersion   int             `json:"item_version,omitempty"`
	ThreadID      int64           `json:"thread_id,omitempty"`
	Platform      string          `json:"platform,omitempty"`
	ExternalID    string          `json:"external_id,omitempty"`
	AuthorID      string          `json:"author_id,omitempty"`
	AuthorName    string          `json:"author_name,omitempty"`
	Direction     string          `json:"direction"`
	OccurredAt    time.Time       `json:"occurred_at"`
	CapturedAt    time.Time       `json:"captured_at"`
	RefSeq        int64           `json:"ref_seq,omitempty"`
	ContentType   string          `json:"content_type"`
	ContentSize   int64           `json:"content_size"`
	ContentSHA256 string          `json:"content_sha256"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
	Content       json.RawMessage `json:"content,omitempty"`
	ContentBase64 []byte          `json:"content_base64,omitempty"`
	Text          string          `json:"text,omitempty"`
	DiaryNumber   string          `json:"diary_number,omitempty"`
	Secret        bool            `json:"secret"`
	SecrecyGround string          `json:"secrecy_ground,omitempty"`
	Masked        bool            `json:"masked,omitempty"`
	// ContentOmitted is true in lists for content over 16 KiB; the record
	// itself (GET /api/v1/records/{seq}) has it.
	ContentOmitted bool       `json:"content_omitted,omitempty"`
	CulledAt       *time.Time `json:"culled_at,omitempty"`
	CulledBy       int64      `json:"culled_by,omitempty"`
}

func toRecord(r archive.Record, seesSecrets bool) recordJSON {
	out := recordJSON{Seq: r.Seq, Kind: string(r.Kind), ChannelID: r.ChannelID, DepartmentID: r.DepartmentID, ItemID: r.ItemID, ItemVersion: r.ItemVersion,
		ThreadID: r.ThreadID, Platform: r.Platform, ExternalID: r.ExternalID, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Direction: string(r.Direction),
		OccurredAt: r.OccurredAt, CapturedAt: r.CapturedAt, RefSeq: r.RefSeq, ContentType: r.ContentType, ContentSize: r.ContentSize,
		ContentSHA256: r.ContentSHA256, PrevHash: r.PrevHash, Hash: r.Hash, Text: r.Text(), DiaryNumber: r.DiaryNumber, Secret: r.Secret,
		SecrecyGround: r.SecrecyGround, CulledAt: r.CulledAt, CulledBy: r.CulledBy}
	if r.Secret && !seesSecrets {
		out.Masked, out.AuthorID, out.AuthorName, out.Text = true, "", "", ""
		return out
	}
	switch {
	case r.Content == nil:
		out.ContentOmitted = r.CulledAt == nil
	case r.ContentType == archive.ContentJSON && json.Valid(r.Content):
		out.Content = r.Content
	default:
		out.ContentBase64 = r.Content
	}
	return out
}

func seesSecrets(r *http.Request) bool {
	return web.PrincipalFrom(r.Context()).HasAny(org.Registrar, org.Legal)
}

// records searches the archive: newest received first, a page at a time;
// next is the cursor for the following page.
func (a *API) records(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := archive.Filter{Query: q.Get("q"), Platform: q.Get("platform"), Author: q.Get("author"), Kind: archive.Kind(q.Get("kind")),
		DiaryNumber: q.Get("diary_number")}
	if f.Kind != "" && !f.Kind.Valid() {
		return apperr.Invalidf("Okänd typ av handling %q", f.Kind)
	}
	ints := map[string]*int64{"channel_id": &f.ChannelID, "department_id": &f.DepartmentID, "item_id": &f.ItemID, "thread_id": &f.ThreadID}
	for k, dst := range ints {
		if v := q.Get(k); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return apperr.Invalidf("%s måste vara ett heltal", k)
			}
			*dst = n
		}
	}
	for k, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalidf("%s ska vara en tid enligt RFC 3339, till exempel 2026-01-31T00:00:00Z", k)
			}
			*dst = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > archive.MaxLimit {
			return apperr.Invalidf("limit ska vara mellan 1 och %d", archive.MaxLimit)
		}
		f.Limit = n
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	var err error
	if f.After, err = archive.ParseCursor(strings.TrimSpace(q.Get("after"))); err != nil {
		return err
	}
	f.PublicTextOnly = !seesSecrets(r)
	recs, err := archive.Search(r.Context(), a.DB, f)
	if err != nil {
		return err
	}
	out := struct {
		Records []recordJSON `json:"records"`
		Next    string       `json:"next,omitempty"`
	}{Records: []recordJSON{}}
	secrets := seesSecrets(r)
	for _, rec := range recs {
		out.Records = append(out.Records, toRecord(rec, secrets))
	}
	if len(recs) == f.Limit {
		out.Next = archive.CursorOf(recs[len(recs)-1]).String()
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) record(w http.ResponseWriter, r *http.Request) error {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		return apperr.ErrNotFound
	}
	rec, err := archive.Get(r.Context(), a.DB, seq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecord(rec, seesSecrets(r)))
}
