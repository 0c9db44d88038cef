package publish

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tilltal/internal/apperr"
	"tilltal/internal/platform"
)

// Rules are what a platform accepts in a post.
type Rules struct {
	Platform string
	Label    string
	// MaxText is the longest text, counted in characters, including the
	// hashtags and a link that ends up in the text.
	MaxText int
	// MaxHashtags is the most hashtags allowed, 0 for no limit.
	MaxHashtags int
	// NeedsImage: the platform has no text-only posts (Instagram).
	NeedsImage bool
	// LinkInText: the link is written into the text, where it may not be
	// clickable (Instagram captions; LinkedIn when the post has an image).
	LinkInText func(hasImage bool) bool
	// Formats are the image formats accepted ("jpeg", "png", "gif").
	Formats []string
	// MaxImageBytes is the largest image accepted.
	MaxImageBytes int64
	// MinRatio and MaxRatio bound width/height, 0 for no bound.
	MinRatio, MaxRatio float64
	// LinkNote tells the author how the link is shown.
	LinkNote string
}

// platformRules are the platforms' published limits.
var platformRules = map[string]Rules{
	string(platform.Facebook): {Platform: "facebook", Label: "Facebook", MaxText: 63206,
		LinkInText: func(hasImage bool) bool { return hasImage }, Formats: []string{"jpeg", "png", "gif"}, MaxImageBytes: 10 << 20,
		LinkNote: "Länken visas som förhandsvisning; med en bild skrivs den i bildtexten."},
	string(platform.Instagram): {Platform: "instagram", Label: "Instagram", MaxText: 2200, MaxHashtags: 30, NeedsImage: true,
		LinkInText: func(bool) bool { return true }, Formats: []string{"jpeg"}, MaxImageBytes: 8 << 20, MinRatio: 0.8, MaxRatio: 1.91,
		LinkNote: "Länkar i bildtexten går inte att klicka på i Instagram; skriv var länken finns."},
	string(platform.LinkedIn): {Platform: "linkedin", Label: "LinkedIn", MaxText: 3000,
		LinkInText: func(hasImage bool) bool { return hasImage }, Formats: []string{"jpeg", "png", "gif"}, MaxImageBytes: 20 << 20,
		LinkNote: "Länken visas som artikel; med en bild skrivs den i texten."},
}

// RulesFor returns a platform's rules, and false for platforms Tilltal
// cannot publish to.
func RulesFor(p string) (Rules, bool) {
	r, ok := platformRules[p]
	return r, ok
}

// Publishable lists the platforms Tilltal publishes to.
func Publishable() []Rules {
	return []Rules{platformRules["facebook"], platformRules["instagram"], platformRules["linkedin"]}
}

// maxHashtagLen bounds one hashtag.
const maxHashtagLen = 100

// NormalizeHashtags reads hashtags separated by spaces or commas, with or
// without '#', and returns them as "#a #b", each once.
func NormalizeHashtags(s string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		tag := strings.TrimLeft(f, "#")
		if tag == "" {
			continue
		}
		if utf8.RuneCountInString(tag) > maxHashtagLen {
			return "", apperr.Invalidf("Hashtaggen %q är för lång", truncateRunes(tag, 30))
		}
		for _, r := range tag {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
				return "", apperr.Invalidf("Hashtaggen #%s innehåller tecknet %q; en hashtagg får bara ha bokstäver, siffror och understreck", tag, r)
			}
		}
		if !unicode.IsLetter([]rune(tag)[0]) && !strings.ContainsFunc(tag, unicode.IsLetter) {
			return "", apperr.Invalidf("Hashtaggen #%s behöver minst en bokstav", tag)
		}
		tag = "#" + tag
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, tag) }) {
			out = append(out, tag)
		}
	}
	return strings.Join(out, " "), nil
}

// TextFor is the text a target publishes: its variant or the post's text,
// with its hashtags at the end unless they are written in already.
func TextFor(body string, t Target) string {
	text := strings.TrimSpace(body)
	if v := strings.TrimSpace(t.Variant); v != "" {
		text = v
	}
	var tags []string
	for _, tag := range strings.Fields(t.Hashtags) {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(tag)) {
			tags = append(tags, tag)
		}
	}
	if len(tags) == 0 {
		return text
	}
	return strings.TrimSpace(text + "\n\n" + strings.Join(tags, " "))
}

// Request is what the platform is sent for a target.
func (p Post) Request(t Target, baseURL string) platform.PostRequest {
	req := platform.PostRequest{Text: TextFor(p.Body, t), Link: p.Link}
	if len(p.Images) > 0 {
		req.ImageURL = MediaURL(baseURL, p.Images[0].SHA256)
		req.AltText = p.Images[0].AltText
	}
	return req
}

// MediaURL is an image's public address.
func MediaURL(baseURL, sha string) string {
	return strings.TrimRight(baseURL, "/") + "/media/" + sha
}

// shownLength is how long the text is on the platform: with the link when
// the platform writes it into the text.
func shownLength(r Rules, text, link string, hasImage bool) int {
	n := utf8.RuneCountInString(text)
	if link != "" && r.LinkInText(hasImage) && !strings.Contains(text, link) {
		n += 2 + utf8.RuneCountInString(link)
	}
	return n
}

// variantFindings checks a target's text against its platform's limits.
func variantFindings(p Post, t Target) []Finding {
	r, ok := RulesFor(t.Platform)
	if !ok {
		return []Finding{{Kind: "platform", Severity: Block, ChannelID: t.ChannelID,
			Message: fmt.Sprintf("Tilltal kan inte publicera på %s (%s).", t.ChannelName, t.Platform)}}
	}
	var out []Finding
	add := func(kind, msg string) {
		out = append(out, Finding{Kind: kind, Severity: Block, ChannelID: t.ChannelID, Message: t.ChannelName + ": " + msg})
	}
	text := TextFor(p.Body, t)
	hasImage := len(p.Images) > 0
	if text == "" {
		add("empty", "Inlägget har ingen text.")
	}
	if n := shownLength(r, text, p.Link, hasImage); n > r.MaxText {
		add("length", fmt.Sprintf("Texten är %d tecken; %s tillåter högst %d (med hashtaggar%s). Korta texten eller skriv en egen version för kanalen.",
			n, r.Label, r.MaxText, map[bool]string{true: " och länk", false: ""}[p.Link != "" && r.LinkInText(hasImage)]))
	}
	if tags := countHashtags(text); r.MaxHashtags > 0 && tags > r.MaxHashtags {
		add("hashtags", fmt.Sprintf("%d hashtaggar; %s tillåter högst %d.", tags, r.Label, r.MaxHashtags))
	}
	if r.NeedsImage && !hasImage {
		add("image_required", r.Label+" kräver en bild i varje inlägg.")
	}
	for _, img := range p.Images {
		out = append(out, imageFindings(r, t, img.Image)...)
	}
	return out
}

// imageFindings checks an image against what a platform accepts.
func imageFindings(r Rules, t Target, img Image) []Finding {
	var out []Finding
	add := func(kind, msg string) {
		out = append(out, Finding{Kind: kind, Severity: Block, ChannelID: t.ChannelID, Message: t.ChannelName + ": " + msg})
	}
	if !slices.Contains(r.Formats, img.Format) {
		add("image_format", fmt.Sprintf("%s tar inte emot bilder i formatet %s (bara %s).", r.Label, strings.ToUpper(img.Format), strings.ToUpper(strings.Join(r.Formats, ", "))))
	}
	if img.Size > r.MaxImageBytes {
		add("image_size", fmt.Sprintf("Bilden är %s; %s tar emot högst %s.", FormatBytes(img.Size), r.Label, FormatBytes(r.MaxImageBytes)))
	}
	if r.MinRatio > 0 && img.Height > 0 {
		ratio := float64(img.Width) / float64(img.Height)
		if ratio < r.MinRatio-0.005 || ratio > r.MaxRatio+0.005 {
			add("image_ratio", fmt.Sprintf("Bildens format %d×%d passar inte %s, som tar emot bilder mellan 4:5 (stående) och 1,91:1 (liggande).", img.Width, img.Height, r.Label))
		}
	}
	return out
}

func countHashtags(text string) int {
	n := 0
	for _, f := range strings.Fields(text) {
		if len(f) > 1 && f[0] == '#' {
			n++
		}
	}
	return n
}

// FormatBytes writes a size the way people read it: "8 MB", "512 kB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		s := strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0")
		return strings.Replace(s, ".", ",", 1) + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
