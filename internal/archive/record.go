package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Kind is what a record holds.
type Kind string

// The kinds of record. Kinds marked as kept are never culled: they are the
// chain's own history.
const (
	KindItemVersion    Kind = "item_version"
	KindReply          Kind = "reply"
	KindPost           Kind = "post"
	KindAttachment     Kind = "attachment"
	KindRawDelivery    Kind = "raw_delivery"
	KindSnapshot       Kind = "snapshot"
	KindCulling        Kind = "culling"        // kept
	KindClassification Kind = "classification" // kept
	KindHold           Kind = "hold"           // kept
	KindRegistration   Kind = "registration"   // kept
)

// Kinds lists the kinds in the order the search form offers them.
var Kinds = []Kind{KindItemVersion, KindReply, KindPost, KindAttachment, KindRawDelivery, KindSnapshot, KindCulling, KindClassification, KindHold, KindRegistration}

// Cullable reports whether records of the kind may be culled.
func (k Kind) Cullable() bool {
	switch k {
	case KindItemVersion, KindReply, KindPost, KindAttachment, KindRawDelivery, KindSnapshot:
		return true
	}
	return false
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Direction says whether a record came to the municipality or from it.
type Direction string

// The directions of a record.
const (
	In       Direction = "in"
	Out      Direction = "out"
	Internal Direction = "internal"
)

// ContentJSON is the content type of Tilltal's own record content.
const ContentJSON = "application/json"

// genesis is the prev_hash of the first record.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Record is one archived record. The fields up to Hash are covered by the
// hash; the rest are annotations (see the package documentation).
type Record struct {
	Seq          int64
	Kind         Kind
	ChannelID    int64
	DepartmentID int64
	ItemID       int64
	ItemVersion  int
	ThreadID     int64
	Platform     string
	ExternalID   string
	AuthorID     string
	AuthorName   string
	Direction    Direction
	OccurredAt   time.Time
	CapturedAt   time.Time
	RefSeq       int64
	ContentType  string
	// Content is nil once culled.
	Content       []byte
	ContentSize   int64
	ContentSHA256 string
	PrevHash      string
	Hash          string

	// IndexText is the plain text to index for search (an item's text);
	// only read by AppendTx.
	IndexText string
	// IndexedText, when set, is IndexText already analysed for search
	// (swedish.IndexText), by a caller that did it outside the transaction.
	IndexedText   string
	Secret        bool
	SecrecyGround string
	DiaryNumber   string
	CulledAt      *time.Time
	CulledBy      int64
}

// Culled reports whether the record's content was culled.
func (r Record) Culled() bool { return r.CulledAt != nil }

// timeFormat is how times enter the hash: UTC, microseconds.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// archiveTime is a time as the archive keeps it: UTC, whole microseconds,
// so that it reads back from either database exactly as it was hashed.
func archiveTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// computeHash returns the record's hash over the canonical encoding of its
// metadata, content hash and predecessor (see the package documentation).
func computeHash(r *Record) string {
	var h hasher
	sum := h.sum(r)
	return hex.EncodeToString(sum[:])
}

// hasher computes record hashes, reusing its buffers: Verify hashes a
// million records and should not allocate for each.
type hasher struct {
	buf, scratch []byte
}

func (h *hasher) field(name string, value []byte) {
	h.buf = append(h.buf, name...)
	h.buf = append(h.buf, '=')
	h.buf = strconv.AppendInt(h.buf, int64(len(value)), 10)
	h.buf = append(h.buf, ':')
	h.buf = append(h.buf, value...)
	h.buf = append(h.buf, '\n')
}

func (h *hasher) str(name, value string) {
	h.scratch = append(h.scratch[:0], value...)
	h.field(name, h.scratch)
}

func (h *hasher) num(name string, v int64) {
	h.scratch = strconv.AppendInt(h.scratch[:0], v, 10)
	h.field(name, h.scratch)
}

func (h *hasher) time(name string, t time.Time) {
	h.scratch = t.UTC().AppendFormat(h.scratch[:0], timeFormat)
	h.field(name, h.scratch)
}

func (h *hasher) sum(r *Record) [32]byte {
	h.buf = append(h.buf[:0], "tilltal-archive-record-v1\n"...)
	h.num("seq", r.Seq)
	h.str("prev_hash", r.PrevHash)
	h.str("kind", string(r.Kind))
	h.num("channel_id", r.ChannelID)
	h.num("department_id", r.DepartmentID)
	h.num("item_id", r.ItemID)
	h.num("item_version", int64(r.ItemVersion))
	h.num("thread_id", r.ThreadID)
	h.str("platform", r.Platform)
	h.str("external_id", r.ExternalID)
	h.str("author_id", r.AuthorID)
	h.str("author_name", r.AuthorName)
	h.str("direction", string(r.Direction))
	h.time("occurred_at", r.OccurredAt)
	h.time("captured_at", r.CapturedAt)
	h.num("ref_seq", r.RefSeq)
	h.str("content_type", r.ContentType)
	h.num("content_size", r.ContentSize)
	h.str("content_sha256", r.ContentSHA256)
	return sha256.Sum256(h.buf)
}

// matches reports whether a digest is the hex string want, without
// allocating.
func matches(sum [32]byte, want string) bool {
	var dst [64]byte
	hex.Encode(dst[:], sum[:])
	return string(dst[:]) == want
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
