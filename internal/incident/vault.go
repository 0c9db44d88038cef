package incident

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/db"
)

// Part is one file of an evidence snapshot.
type Part struct {
	Name        string
	ContentType string
	Data        []byte
}

// PartInfo describes a stored part; the manifest lists them.
type PartInfo struct {
	Position    int    `json:"position"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Manifest is what the seal covers: the case, the item, the capture time
// and every part with its SHA-256.
type Manifest struct {
	IncidentID  int64     `json:"incident_id"`
	DiaryNumber string    `json:"diary_number"`
	Category    string    `json:"category"`
	ItemID      int64     `json:"item_id"`
	Platform    string    `json:"platform"`
	ExternalID  string    `json:"external_id"`
	Permalink   string    `json:"permalink"`
	PostedAt    time.Time `json:"posted_at"`
	ReceivedAt  time.Time `json:"received_at"`
	CapturedAt  time.Time `json:"captured_at"`
	// MetadataOnly is true for child sexual abuse material: no content,
	// no media, only what identifies it.
	MetadataOnly bool       `json:"metadata_only"`
	Parts        []PartInfo `json:"parts"`
}

// Vault is a case's sealed snapshot as shown to those who may see it.
type Vault struct {
	Manifest Manifest
	// ManifestJSON is the manifest exactly as sealed.
	ManifestJSON string
	Seal         string
	SealedAt     time.Time
}

// Hash is the lower-case hex SHA-256 of b.
func Hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// additional binds a part's ciphertext to its case, name and hash, so that
// it cannot be moved to another case or swapped for another part.
func additional(id int64, name, sum string) string {
	return fmt.Sprintf("incident:%d:evidence:%s:%s", id, name, sum)
}

// Preserve takes the case's evidence snapshot and seals it. A case already
// sealed is left as it is: the vault is append-only.
func (s *Store) Preserve(ctx context.Context, id int64) error {
	i, err := load(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if sealed, err := isSealed(ctx, s.DB, id); err != nil || sealed {
		return err
	}
	captured := s.Now().UTC()
	snap, err := s.snapshot(ctx, i, captured)
	if err != nil {
		return err
	}
	m := Manifest{IncidentID: id, DiaryNumber: i.DiaryNumber, Category: i.Category.String(), ItemID: i.ItemID, Platform: snap.item.Platform,
		ExternalID: snap.item.ExternalID, Permalink: snap.item.Permalink, PostedAt: i.PostedAt, ReceivedAt: i.ReceivedAt, CapturedAt: captured,
		MetadataOnly: i.CSAM()}
	for n, p := range snap.parts {
		m.Parts = append(m.Parts, PartInfo{Position: n + 1, Name: p.Name, ContentType: p.ContentType, Size: int64(len(p.Data)), SHA256: Hash(p.Data)})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	seal := Hash(manifest)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if sealed, err := isSealed(ctx, tx, id); err != nil || sealed {
			return err
		}
		for n, p := range snap.parts {
			info := m.Parts[n]
			if _, err := tx.Exec(ctx, `INSERT INTO incident_evidence (incident_id, position, name, content_type, size, sha256, sealed, captured_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, info.Position, info.Name, info.ContentType, info.Size, info.SHA256,
				s.Secrets.Seal(string(p.Data), additional(id, info.Name, info.SHA256)), captured); err != nil {
				return wrap("preserve", err)
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO incident_seals (incident_id, manifest, seal_sha256, sealed_at) VALUES (?, ?, ?, ?)", id, string(manifest), seal, captured); err != nil {
			return wrap("seal", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE incidents SET preserved_at = ?, seal_sha256 = ? WHERE id = ?", captured, seal, id); err != nil {
			return wrap("preserve", err)
		}
		return audit.Record(ctx, tx, captured, audit.Entry{Action: "incident.preserve", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID,
			Summary: fmt.Sprintf("Bevis säkrade och förseglade: %d delar, sigill %s", len(m.Parts), seal)})
	})
}

func isSealed(ctx context.Context, q querier, id int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM incident_seals WHERE incident_id = ?", id).Scan(&n)
	return n > 0, wrap("sealed", err)
}

// look checks that v may see the case and writes the look to the audit
// log, in one transaction; a refused look is logged too and answers not
// found.
func (s *Store) look(ctx context.Context, v Viewer, id int64, what string) (Incident, error) {
	i, err := s.Get(ctx, v, id)
	if err != nil {
		return i, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.Now(), audit.Entry{Action: "incident.vault_view", ObjectType: "incident", ObjectID: audit.ID(id), DepartmentID: i.DepartmentID,
			Summary: fmt.Sprintf("Tittade i bevisvalvet för ärende %s: %s", i.DiaryNumber, what)})
	})
	return i, err
}

// ErrNotPreserved is returned while a case's snapshot is not taken yet.
var ErrNotPreserved = apperr.NotFoundf("Bevisen är inte säkrade än")

// Vault returns the case's manifest and seal; the look is logged.
func (s *Store) Vault(ctx context.Context, v Viewer, id int64) (Vault, error) {
	if _, err := s.look(ctx, v, id, "manifest"); err != nil {
		return Vault{}, err
	}
	return readVault(ctx, s.DB, id)
}

func readVault(ctx context.Context, q querier, id int64) (Vault, error) {
	var vt Vault
	err := q.QueryRow(ctx, "SELECT manifest, seal_sha256, sealed_at FROM incident_seals WHERE incident_id = ?", id).Scan(&vt.ManifestJSON, &vt.Seal, &vt.SealedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return vt, ErrNotPreserved
	}
	if err != nil {
		return vt, wrap("vault", err)
	}
	vt.SealedAt = vt.SealedAt.UTC()
	return vt, json.Unmarshal([]byte(vt.ManifestJSON), &vt.Manifest)
}

// Part returns one part of the snapshot, decrypted and checked against
// its hash; the look is logged.
func (s *Store) Part(ctx context.Context, v Viewer, id int64, position int) (PartInfo, []byte, error) {
	if _, err := s.look(ctx, v, id, fmt.Sprintf("del %d", position)); err != nil {
		return PartInfo{}, nil, err
	}
	parts, err := s.parts(ctx, id, position)
	if err != nil {
		return PartInfo{}, nil, err
	}
	if len(parts) == 0 {
		return PartInfo{}, nil, apperr.NotFoundf("Delen finns inte")
	}
	return parts[0].info, parts[0].data, nil
}

type storedPart struct {
	info PartInfo
	data []byte
}

// parts decrypts the snapshot's parts (one when position is not 0) and
// checks each against its hash.
func (s *Store) parts(ctx context.Context, id int64, position int) ([]storedPart, error) {
	q := "SELECT position, name, content_type, size, sha256, sealed FROM incident_evidence WHERE incident_id = ?"
	args := []any{id}
	if position != 0 {
		q += " AND position = ?"
		args = append(args, position)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY position", args...)
	if err != nil {
		return nil, wrap("parts", err)
	}
	defer rows.Close()
	var out []storedPart
	for rows.Next() {
		var p storedPart
		var sealed []byte
		if err := rows.Scan(&p.info.Position, &p.info.Name, &p.info.ContentType, &p.info.Size, &p.info.SHA256, &sealed); err != nil {
			return nil, err
		}
		plain, err := s.Secrets.Open(sealed, additional(id, p.info.Name, p.info.SHA256))
		if err != nil {
			return nil, fmt.Errorf("incident: part %s of case %d: %w", p.info.Name, id, err)
		}
		p.data = []byte(plain)
		if Hash(p.data) != p.info.SHA256 {
			return nil, fmt.Errorf("incident: part %s of case %d does not match its hash", p.info.Name, id)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Verify checks a case's vault: the manifest against its seal, and every
// part against the manifest. It returns nil when all holds.
func (s *Store) Verify(ctx context.Context, id int64) error {
	vt, err := readVault(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if Hash([]byte(vt.ManifestJSON)) != vt.Seal {
		return fmt.Errorf("incident: the manifest of case %d does not match its seal", id)
	}
	parts, err := s.parts(ctx, id, 0)
	if err != nil {
		return err
	}
	if len(parts) != len(vt.Manifest.Parts) {
		return fmt.Errorf("incident: case %d has %d parts, its manifest %d", id, len(parts), len(vt.Manifest.Parts))
	}
	for n, p := range parts {
		if p.info != vt.Manifest.Parts[n] {
			return fmt.Errorf("incident: part %s of case %d differs from its manifest", p.info.Name, id)
		}
	}
	return nil
}
