package publish

import (
	"os"
	"strings"
	"testing"
)

func TestNormalizeHashtags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"exempelby, #bibliotek  #Exempelby", "#exempelby #bibliotek", ""},
		{"#sommarlov2026 #år_2026", "#sommarlov2026 #år_2026", ""},
		{"#sim-hall", "", "tecknet '-'"},
		{"#2026", "", "minst en bokstav"},
		{"#" + strings.Repeat("a", 101), "", "för lång"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeHashtags(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestTextFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		target     Target
		want       string
	}{
		{"body", " Simhallen öppnar. ", Target{}, "Simhallen öppnar."},
		{"variant wins", "Lång text", Target{Variant: "Kort"}, "Kort"},
		{"hashtags appended", "Simhallen öppnar.", Target{Hashtags: "#simhall #exempelby"}, "Simhallen öppnar.\n\n#simhall #exempelby"},
		{"hashtag already written", "Ny #Simhall i dag.", Target{Hashtags: "#simhall #exempelby"}, "Ny #Simhall i dag.\n\n#exempelby"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := TextFor(tc.body, tc.target); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVariantFindings(t *testing.T) {
	t.Parallel()
	jpeg := Image{SHA256: strings.Repeat("a", 64), Format: "jpeg", Width: 400, Height: 400, Size: 6000}
	png := Image{Format: "png", Width: 300, Height: 100, Size: 400}
	tests := []struct {
		name   string
		post   Post
		target Target
		want   []string // finding kinds
	}{
		{"facebook text only", Post{Body: "Hej"}, Target{Platform: "facebook"}, nil},
		{"instagram needs an image", Post{Body: "Hej"}, Target{Platform: "instagram"}, []string{"image_required"}},
		{"instagram refuses png and its ratio", Post{Body: "Hej", Images: []PostImage{{Image: png}}}, Target{Platform: "instagram"}, []string{"image_format", "image_ratio"}},
		{"instagram counts the link", Post{Body: strings.Repeat("a", 2190), Link: "https://exempelby.se/x", Images: []PostImage{{Image: jpeg}}}, Target{Platform: "instagram"}, []string{"length"}},
		{"linkedin without image keeps the link out of the text", Post{Body: strings.Repeat("a", 2990), Link: "https://exempelby.se/x"}, Target{Platform: "linkedin"}, nil},
		{"instagram hashtags", Post{Body: "Hej", Images: []PostImage{{Image: jpeg}}}, Target{Platform: "instagram", Hashtags: strings.Repeat("#a ", 31)}, []string{"hashtags"}},
		{"empty text", Post{}, Target{Platform: "facebook"}, []string{"empty"}},
		{"youtube", Post{Body: "Hej"}, Target{Platform: "youtube"}, []string{"platform"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range variantFindings(tc.post, tc.target) {
				got = append(got, f.Kind)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, format string
		w, h         int
		err          string
	}{
		{"simhall.jpg", "jpeg", 400, 400, ""},
		{"banner.png", "png", 300, 100, ""},
		{"stående.gif", "gif", 100, 125, ""},
		{"inte-en-bild.jpg", "", 0, 0, "ingen bild"},
		{"trasig.jpg", "", 0, 0, "ingen bild"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Inspect(data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || img.Format != tc.format || img.Width != tc.w || img.Height != tc.h || img.ContentType != "image/"+tc.format || !ValidSHA(img.SHA256) {
				t.Fatalf("%+v %v", img, err)
			}
		})
	}
	if _, err := Inspect(make([]byte, MaxImageBytes+1)); err == nil || !strings.Contains(err.Error(), "för stor") {
		t.Fatalf("too large: %v", err)
	}
	if _, err := Inspect(nil); err == nil || !strings.Contains(err.Error(), "tom") {
		t.Fatalf("empty: %v", err)
	}
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{10 << 20: "10 MB", 1536 << 10: "1,5 MB", 2048: "2 kB", 12: "12 byte"} {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}
