package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"time"

	"tilltal/internal/apperr"
	"tilltal/internal/audit"
	"tilltal/internal/channel"
	"tilltal/internal/db"
)

// MaxImageBytes is the largest image Tilltal accepts; platforms with a
// lower limit are checked per channel.
const MaxImageBytes = 10 << 20

// maxImageSide bounds an image's width and height; the platforms scale
// anything larger down anyway, and a huge canvas is a decompression bomb.
const maxImageSide = 12000

// Image is a stored image, without its bytes.
type Image struct {
	SHA256      string
	ContentType string
	// Format is "jpeg", "png" or "gif".
	Format string
	Width  int
	Height int
	Size   int64
	// NoPerson: someone stated that the image shows no identifiable person.
	NoPerson bool
	// Consents are the consents the image is covered by.
	Consents  []Consent
	CreatedAt time.Time
}

// Inspect reads an image's format and size from its header and refuses
// anything that is not a JPEG, PNG or GIF of a sensible size.
func Inspect(data []byte) (Image, error) {
	if len(data) == 0 {
		return Image{}, apperr.Invalidf("Filen är tom.")
	}
	if len(data) > MaxImageBytes {
		return Image{}, apperr.Invalidf("Bilden är för stor (%s). Den får vara högst %s.", FormatBytes(int64(len(data))), FormatBytes(MaxImageBytes))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, apperr.Invalidf("Filen är ingen bild som går att publicera. Använd en JPEG-, PNG- eller GIF-bild.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return Image{}, apperr.Invalidf("Bilden är %d×%d bildpunkter; den får vara högst %d bildpunkter åt varje håll.", cfg.Width, cfg.Height, maxImageSide)
	}
	sum := sha256.Sum256(data)
	return Image{SHA256: hex.EncodeToString(sum[:]), ContentType: "image/" + format, Format: format,
		Width: cfg.Width, Height: cfg.Height, Size: int64(len(data))}, nil
}

// ValidSHA reports whether s looks like an image's address (64 lowercase
// hex digits); anything else never reaches the database.
func ValidSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// PutImage stores an uploaded image under its SHA-256; the same image
// uploaded twice is stored once.
func (s *Service) PutImage(ctx context.Context, v channel.Viewer, data []byte) (Image, error) {
	img, err := Inspect(data)
	if err != nil {
		return Image{}, err
	}
	now := s.now()
	img.CreatedAt = now
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.Exec(ctx, `INSERT INTO publish_images (sha256, content_type, format, width, height, size_bytes, data, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			img.SHA256, img.ContentType, img.Format, img.Width, img.Height, img.Size, data, nullID(v.UserID), now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "publish.image", ObjectType: "image", ObjectID: img.SHA256,
			Summary: fmt.Sprintf("Bild laddades upp (%s, %d×%d, %s)", img.Format, img.Width, img.Height, FormatBytes(img.Size))})
	})
	if err != nil {
		return Image{}, fmt.Errorf("publish: put image: %w", err)
	}
	return s.image(ctx, s.DB, img.SHA256)
}

// image loads an image's facts and consents.
func (s *Service) image(ctx context.Context, q querier, sha string) (Image, error) {
	var img Image
	err := q.QueryRow(ctx, "SELECT sha256, content_type, format, width, height, size_bytes, no_person, created_at FROM publish_images WHERE sha256 = ?", sha).
		Scan(&img.SHA256, &img.ContentType, &img.Format, &img.Width, &img.Height, &img.Size, &img.NoPerson, &img.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return img, apperr.NotFoundf("Bilden finns inte")
	}
	if err != nil {
		return img, fmt.Errorf("publish: image: %w", err)
	}
	img.Consents, err = consentsOf(ctx, q, sha)
	return img, err
}

// PreviewImage returns an image's bytes for someone composing or
// approving a post: the uploader, those who see everything, and those who
// see a post using it.
func (s *Service) PreviewImage(ctx context.Context, v channel.Viewer, sha string) (string, []byte, error) {
	if !ValidSHA(sha) {
		return "", nil, apperr.ErrNotFound
	}
	q := "SELECT content_type, data FROM publish_images i WHERE sha256 = ?"
	args := []any{sha}
	if !v.All {
		q += ` AND (uploaded_by = ? OR EXISTS (SELECT 1 FROM publish_post_images pi JOIN publish_posts p ON p.id = pi.post_id
			WHERE pi.image_sha256 = i.sha256 AND ` + visibleSQL + `))`
		args = append(args, v.UserID, v.UserID, v.UserID, v.UserID)
	}
	return s.imageBytes(ctx, q, args...)
}

// PublicImage returns an image's bytes for the platforms, which fetch it
// without signing in: only while a post using it is approved, and never
// once a consent behind it was withdrawn or has expired.
func (s *Service) PublicImage(ctx context.Context, sha string) (string, []byte, error) {
	if !ValidSHA(sha) {
		return "", nil, apperr.ErrNotFound
	}
	return s.imageBytes(ctx, `SELECT content_type, data FROM publish_images i WHERE sha256 = ?
		AND EXISTS (SELECT 1 FROM publish_post_images pi JOIN publish_posts p ON p.id = pi.post_id WHERE pi.image_sha256 = i.sha256 AND p.status = 'approved')
		AND NOT EXISTS (SELECT 1 FROM publish_image_consents ic JOIN publish_consents c ON c.id = ic.consent_id
			WHERE ic.image_sha256 = i.sha256 AND (c.withdrawn_at IS NOT NULL OR c.valid_until <= ?))`, sha, s.now())
}

func (s *Service) imageBytes(ctx context.Context, q string, args ...any) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.DB.QueryRow(ctx, q, args...).Scan(&ctype, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.NotFoundf("Bilden finns inte")
	}
	if err != nil {
		return "", nil, fmt.Errorf("publish: image bytes: %w", err)
	}
	return ctype, data, nil
}

// setImageRights records what allows an image to be published: the
// consents covering it, or the statement that it shows no identifiable
// person.
func setImageRights(ctx context.Context, tx *db.Tx, sha string, noPerson bool, consents []int64, userID int64) error {
	if _, err := tx.Exec(ctx, "UPDATE publish_images SET no_person = ?, no_person_by = ? WHERE sha256 = ?",
		noPerson, nullID(map[bool]int64{true: userID}[noPerson]), sha); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM publish_image_consents WHERE image_sha256 = ?", sha); err != nil {
		return err
	}
	for _, id := range consents {
		_, err := tx.Exec(ctx, "INSERT INTO publish_image_consents (image_sha256, consent_id) VALUES (?, ?)", sha, id)
		if db.IsForeignKeyViolation(err) {
			return apperr.Invalidf("Samtycket finns inte")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// querier is what both *db.DB and *db.Tx offer for reading.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}
