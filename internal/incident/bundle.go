package incident

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Names inside the police-report bundle.
const (
	bundleSummary  = "sammanfattning.pdf"
	bundleManifest = "manifest.json"
	bundleSeal     = "sigill.txt"
	bundleTip      = "tips.txt"
	bundleSums     = "SHA256SUMS"
	bundleEvidence = "bevis/"
)

// BundleName is the file name of a case's bundle.
func BundleName(i Incident) string {
	n := strings.NewReplacer(" ", "-", "/", "-").Replace(i.DiaryNumber)
	if n == "" {
		n = fmt.Sprintf("arende-%d", i.ID)
	}
	return "polisanmalan-" + n + ".zip"
}

// WriteBundle writes the police-report bundle of a case v may see, as a
// ZIP: the summary PDF, every evidence file, the sealed manifest, for
// child sexual abuse material the tip text instead of any content, and a
// SHA-256 checksum of every file (SHA256SUMS, the format of sha256sum).
// The look into the vault is logged.
func (s *Store) WriteBundle(ctx context.Context, v Viewer, id int64, w io.Writer) error {
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	vt, err := readVault(ctx, s.DB, id)
	if err != nil {
		return err
	}
	parts, err := s.parts(ctx, id, 0)
	if err != nil {
		return err
	}
	files, err := s.bundleFiles(ctx, i, vt, parts)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "incident.vault_bundle", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID,
			Summary: fmt.Sprintf("Underlag för polisanmälan hämtat för ärende %s (tittade i bevisvalvet)", i.DiaryNumber)})
	})
	if err != nil {
		return err
	}
	return writeZip(w, files, vt.SealedAt)
}

type file struct {
	name string
	data []byte
}

func (s *Store) bundleFiles(ctx context.Context, i Incident, vt Vault, parts []storedPart) ([]file, error) {
	municipality := "Kommunen"
	_ = s.DB.QueryRow(ctx, "SELECT name FROM municipality WHERE id = 1").Scan(&municipality)
	pdf, err := summaryPDF(municipality, i, vt, parts, s.Now())
	if err != nil {
		return nil, fmt.Errorf("incident: summary: %w", err)
	}
	files := []file{{bundleSummary, pdf}, {bundleManifest, []byte(vt.ManifestJSON)},
		{bundleSeal, []byte(fmt.Sprintf("SHA-256 av manifest.json: %s\nFörseglat: %s\nDiarienummer: %s\n", vt.Seal, stamp(vt.SealedAt), i.DiaryNumber))}}
	if i.CSAM() {
		e := readEvidence(parts)
		files = append(files, file{bundleTip, []byte(Tip(municipality, i, vt.Manifest, e.Meta.AuthorID, e.Meta.AuthorURL))})
	}
	for _, p := range parts {
		files = append(files, file{bundleEvidence + p.info.Name, p.data})
	}
	var sums bytes.Buffer
	for _, f := range files {
		fmt.Fprintf(&sums, "%s  %s\n", Hash(f.data), f.name)
	}
	return append(files, file{bundleSums, sums.Bytes()}), nil
}

func writeZip(w io.Writer, files []file, at time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// VerifyBundle checks a bundle as the police or a court can: every file's
// SHA-256 against SHA256SUMS, every file listed, the manifest against the
// seal, and every evidence file against the manifest. It returns nil when
// all holds.
func VerifyBundle(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("incident: bundle: %w", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("incident: bundle: %s: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	sums, ok := files[bundleSums]
	if !ok {
		return errors.New("incident: bundle has no SHA256SUMS")
	}
	listed, err := checkSums(sums, files)
	if err != nil {
		return err
	}
	for name := range files {
		if name != bundleSums && !listed[name] {
			return fmt.Errorf("incident: bundle: %s is not in SHA256SUMS", name)
		}
	}
	return checkManifest(files)
}

func checkSums(sums []byte, files map[string][]byte) (map[string]bool, error) {
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return nil, fmt.Errorf("incident: bundle: bad SHA256SUMS line %q", sc.Text())
		}
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("incident: bundle: %s is listed but missing", name)
		}
		if Hash(data) != sum {
			return nil, fmt.Errorf("incident: bundle: %s does not match its SHA-256", name)
		}
		listed[name] = true
	}
	return listed, sc.Err()
}

func checkManifest(files map[string][]byte) error {
	raw, ok := files[bundleManifest]
	if !ok {
		return errors.New("incident: bundle has no manifest.json")
	}
	seal := string(files[bundleSeal])
	if !strings.Contains(seal, Hash(raw)) {
		return errors.New("incident: bundle: manifest.json does not match the seal")
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("incident: bundle: manifest: %w", err)
	}
	var inBundle []string
	for name := range files {
		if strings.HasPrefix(name, bundleEvidence) {
			inBundle = append(inBundle, strings.TrimPrefix(name, bundleEvidence))
		}
	}
	sort.Strings(inBundle)
	if len(inBundle) != len(m.Parts) {
		return fmt.Errorf("incident: bundle holds %d evidence files, the manifest %d", len(inBundle), len(m.Parts))
	}
	for _, p := range m.Parts {
		data, ok := files[bundleEvidence+p.Name]
		if !ok || Hash(data) != p.SHA256 || int64(len(data)) != p.Size {
			return fmt.Errorf("incident: bundle: %s differs from the manifest", p.Name)
		}
	}
	return nil
}
