package publish_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"testing"

	"tilltal/internal/apperr"
	"tilltal/internal/publish"
)

// FuzzInspect: any uploaded file never panics the image check; it is
// refused as Invalid, or accepted as a JPEG, PNG or GIF of a sensible size
// whose address is the SHA-256 of its bytes.
func FuzzInspect(f *testing.F) {
	for _, name := range []string{"banner.png", "simhall.jpg", "stående.gif", "trasig.jpg", "inte-en-bild.jpg"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:4096] // the header is what Inspect reads
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := publish.Inspect(data)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		sum := sha256.Sum256(data)
		if !slices.Contains([]string{"jpeg", "png", "gif"}, img.Format) || img.ContentType != "image/"+img.Format ||
			img.Width <= 0 || img.Height <= 0 || img.Width > 12000 || img.Height > 12000 ||
			img.SHA256 != hex.EncodeToString(sum[:]) || !publish.ValidSHA(img.SHA256) || img.Size != int64(len(data)) {
			t.Fatalf("accepted %+v", img)
		}
	})
}
