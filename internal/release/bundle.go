package release

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/calendar"
	"tilltal/internal/db"
)

// Bundle is a release as one ZIP file.
type Bundle struct {
	Name string
	Data []byte
	// SHA256 is the ZIP's checksum, kept with the request.
	SHA256 string
	// Files are the names inside, in order.
	Files []string
}

// manifestFile is one file of the bundle in the manifest.
type manifestFile struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

type manifestRecord struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	File string `json:"file"`
}

type manifest struct {
	Municipality string           `json:"municipality"`
	DiaryNumber  string           `json:"diary_number,omitempty"`
	Outcome      string           `json:"outcome"`
	DecidedAt    string           `json:"decided_at"`
	Records      []manifestRecord `json:"records"`
	Files        []manifestFile   `json:"files"`
}

// Release produces the bundle of a decided request and records that it was
// released: the request becomes utlämnad (a refusal stays beslutad: only
// its decision goes out), and the audit log names the bundle's checksum.
func (s *Store) Release(ctx context.Context, id int64) (Bundle, error) {
	b, req, err := s.bundle(ctx, id)
	if err != nil {
		return Bundle{}, err
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		status := Released
		if req.Outcome == Refused {
			status = Decided
		}
		if _, err := tx.Exec(ctx, "UPDATE release_requests SET status = ?, released_at = COALESCE(released_at, ?), bundle_sha256 = ?, updated_at = ? WHERE id = ?",
			string(status), now, b.SHA256, now, id); err != nil {
			return fmt.Errorf("release: release: %w", err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "release.release", ObjectType: "release_request", ObjectID: audit.ID(id),
			Summary: fmt.Sprintf("Utlämnande: %d filer, SHA-256 %s", len(b.Files), b.SHA256), Detail: map[string]any{"files": b.Files, "sha256": b.SHA256}})
	})
	if err != nil {
		return Bundle{}, err
	}
	return b, nil
}

// bundle builds the ZIP of a decided request and checks it for every
// secret before anything leaves.
func (s *Store) bundle(ctx context.Context, id int64) (Bundle, Request, error) {
	req, err := s.Get(ctx, id)
	if err != nil {
		return Bundle{}, req, err
	}
	if req.Outcome == "" {
		return Bundle{}, req, apperr.Conflictf("Begäran måste beslutas innan något lämnas ut")
	}
	recs, err := s.Records(ctx, id)
	if err != nil {
		return Bundle{}, req, err
	}
	rs, err := s.Redactions(ctx, id)
	if err != nil {
		return Bundle{}, req, err
	}
	if req.Outcome != Refused {
		if err := releasedCulled(recs); err != nil {
			return Bundle{}, req, err
		}
	}
	municipality := municipalityName(ctx, s.DB)
	var model []ReleasedRecord
	if req.Outcome != Refused {
		model = redactedModel(recs, rs)
	}
	title := "Utlämnade handlingar"
	if req.DiaryNumber != "" {
		title += " " + req.DiaryNumber
	}
	files := map[string][]byte{}
	for _, r := range model {
		if files[r.File], err = recordHTML(r, req.DiaryNumber); err != nil {
			return Bundle{}, req, err
		}
	}
	var doc *DecisionDoc
	if req.Outcome.NeedsDecisionText() {
		d := decisionDoc(municipality, req, recs, rs)
		doc = &d
		if files["beslut.html"], err = DecisionHTML(d); err != nil {
			return Bundle{}, req, err
		}
		if files["beslut.pdf"], err = DecisionPDF(d); err != nil {
			return Bundle{}, req, err
		}
	}
	date := calendar.FormatDate(dateOf(req, s.now()))
	if files["index.html"], err = execute("index", map[string]any{"Title": title, "Municipality": municipality, "Diary": req.DiaryNumber,
		"Outcome": strings.ToLower(req.Outcome.Label()), "Date": date, "Records": model, "Decision": doc != nil}); err != nil {
		return Bundle{}, req, err
	}
	if files["handlingar.pdf"], err = recordsPDF(title, municipality, model); err != nil {
		return Bundle{}, req, err
	}
	// The PDF is glyph-encoded, so it cannot be searched as bytes: what
	// it and the decision PDF are drawn from is checked instead.
	drawn, _ := json.Marshal(struct {
		Model []ReleasedRecord
		Doc   *DecisionDoc
		Title string
	}{model, doc, title})
	ss := secrets(recs, rs)
	if where := leaks("handlingar.pdf", drawn, ss); where != "" {
		return Bundle{}, req, leakError(where, "PDF-filerna")
	}
	m := manifest{Municipality: municipality, DiaryNumber: req.DiaryNumber, Outcome: string(req.Outcome), DecidedAt: dateOf(req, s.now()).Format("2006-01-02T15:04:05Z")}
	for _, r := range model {
		m.Records = append(m.Records, manifestRecord{Seq: r.Seq, Hash: r.Hash, File: r.File})
	}
	names := make([]string, 0, len(files)+2)
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var sums strings.Builder
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		m.Files = append(m.Files, manifestFile{Name: n, Size: len(files[n]), SHA256: hex.EncodeToString(sum[:])})
	}
	if files["manifest.json"], err = json.MarshalIndent(m, "", "  "); err != nil {
		return Bundle{}, req, err
	}
	names = append(names, "manifest.json")
	sort.Strings(names)
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	files["SHA256SUMS"] = []byte(sums.String())
	names = append(names, "SHA256SUMS")
	for _, n := range names {
		if strings.HasSuffix(n, ".pdf") {
			continue
		}
		if where := leaks(n, files[n], ss); where != "" {
			return Bundle{}, req, leakError(where, n)
		}
	}
	data, err := zipFiles(names, files, dateOf(req, s.now()))
	if err != nil {
		return Bundle{}, req, err
	}
	sum := sha256.Sum256(data)
	name := fmt.Sprintf("utlamnande-%d.zip", id)
	return Bundle{Name: name, Data: data, SHA256: hex.EncodeToString(sum[:]), Files: names}, req, nil
}

// leakError stops a release that would let a secret out.
func leakError(where, file string) error {
	return apperr.Conflictf("Utlämnandet stoppades: det som hålls inne (%s) förekommer fortfarande omaskerat i %s. Maskera det också där, eller undanta handlingen.", where, file)
}

// zipFiles writes the files in order, each stamped with the decision's
// time so that the same decision gives the same bytes.
func zipFiles(names []string, files map[string][]byte, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: zipTime(at)}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
