package meta_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tilltal/internal/platform"
	"tilltal/internal/platform/meta"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// brief is the part of an event the table compares.
type brief struct {
	platform platform.Name
	account  string
	eventID  string
	verb     platform.Verb
	kind     platform.Kind
	object   string
	parent   string
	author   string
	isPage   bool
	text     string
}

func briefOf(e platform.Event) brief {
	return brief{e.Platform, e.AccountID, e.EventID, e.Verb, e.Object.Kind, e.Object.ExternalID, e.Object.ParentID, e.Object.Author.ExternalID, e.Object.Author.IsPage, e.Object.Text}
}

func TestParseDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		object  string
		want    []brief
		skipped []string
	}{
		{
			file: "page_feed.json", object: "page",
			want: []brief{
				{platform.Facebook, "1000000001", "200_300:create", platform.VerbCreate, platform.KindComment, "200_300", "1000000001_200", "5550001", false, "När öppnar återvinningscentralen igen efter helgerna?"},
				{platform.Facebook, "1000000001", "200_301:create", platform.VerbCreate, platform.KindReply, "200_301", "200_300", "5550002", false, "Den öppnar på måndag!"},
				{platform.Facebook, "1000000001", "200_300:edit:1767269100", platform.VerbEdit, platform.KindComment, "200_300", "1000000001_200", "5550001", false, "När öppnar återvinningscentralen igen efter nyår?"},
				{platform.Facebook, "1000000001", "200_302:hide:1767269400", platform.VerbHide, platform.KindComment, "200_302", "1000000001_200", "5550004", false, ""},
				{platform.Facebook, "1000000001", "200_303:remove:1767269500", platform.VerbRemove, platform.KindComment, "200_303", "1000000001_200", "5550004", false, ""},
				{platform.Facebook, "1000000001", "1000000001_201:create", platform.VerbCreate, platform.KindPost, "1000000001_201", "", "1000000001", true, "Nu är isbanan spolad!"},
			},
			skipped: []string{"feed item:reaction", "field:mention"},
		},
		{
			file: "messenger.json", object: "page",
			want: []brief{
				{platform.Facebook, "1000000001", "m:7770001:m_AbC123:create", platform.VerbCreate, platform.KindMessage, "m:7770001:m_AbC123", "", "7770001", false, "Hej! Jag har fått fel faktura för vatten och avlopp."},
				{platform.Facebook, "1000000001", "m:7770001:m_AbC124:create", platform.VerbCreate, platform.KindMessage, "m:7770001:m_AbC124", "", "1000000001", true, "Hej! Skicka fakturanumret så tittar vi på det."},
				{platform.Facebook, "1000000001", "m:7770001:m_AbC123:edit:1", platform.VerbEdit, platform.KindMessage, "m:7770001:m_AbC123", "", "7770001", false, "Hej! Jag har fått fel faktura för vatten."},
			},
			skipped: []string{"messaging without message"},
		},
		{
			file: "instagram.json", object: "instagram",
			want: []brief{
				{platform.Instagram, "17841400000000001", "17900000000000200:create", platform.VerbCreate, platform.KindComment, "17900000000000200", "17900000000000100", "232323", false, "Vilken fin bild på torget!"},
				{platform.Instagram, "17841400000000001", "17900000000000201:create", platform.VerbCreate, platform.KindReply, "17900000000000201", "17900000000000200", "242424", false, "Håller med"},
				{platform.Instagram, "17841400000000001", "mention:17900000000000300:17900000000000301:create", platform.VerbCreate, platform.KindMention, "mention:17900000000000300:17900000000000301", "", "", false, ""},
				{platform.Instagram, "17841400000000001", "m:8880001:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE:create", platform.VerbCreate, platform.KindMessage, "m:8880001:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE", "", "8880001", false, "Hur söker jag förskoleplats?"},
			},
			skipped: []string{"field:story_insights"},
		},
		{file: "unknown_object.json", object: "whatsapp_business_account", skipped: []string{"object:whatsapp_business_account"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := meta.ParseDelivery(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if d.Object != tt.object {
				t.Errorf("object = %q, want %q", d.Object, tt.object)
			}
			if len(d.Events) != len(tt.want) {
				t.Fatalf("got %d events, want %d: %+v", len(d.Events), len(tt.want), d.Events)
			}
			for i, e := range d.Events {
				if got := briefOf(e); got != tt.want[i] {
					t.Errorf("event %d:\n got  %+v\n want %+v", i, got, tt.want[i])
				}
				if e.OccurredAt.IsZero() {
					t.Errorf("event %d has no time", i)
				}
			}
			if strings.Join(d.Skipped, "|") != strings.Join(tt.skipped, "|") {
				t.Errorf("skipped = %q, want %q", d.Skipped, tt.skipped)
			}
		})
	}
}

func TestParseDeliveryDetails(t *testing.T) {
	t.Parallel()
	d, err := meta.ParseDelivery(readTestdata(t, "messenger.json"))
	if err != nil {
		t.Fatal(err)
	}
	first := d.Events[0]
	if len(first.Object.Attachments) != 1 || first.Object.Attachments[0].Kind != "image" || first.Object.Attachments[0].URL != "https://cdn.example/faktura.jpg" {
		t.Errorf("attachments = %+v", first.Object.Attachments)
	}
	// Messenger stamps in milliseconds.
	if got := first.OccurredAt.UnixMilli(); got != 1767268800100 {
		t.Errorf("occurred = %d", got)
	}
	feed, _ := meta.ParseDelivery(readTestdata(t, "page_feed.json"))
	if got := feed.Events[0].OccurredAt.Unix(); got != 1767268800 {
		t.Errorf("feed time = %d", got)
	}
	if got := feed.Events[5].Object.Attachments; len(got) != 1 || got[0].Kind != "image" {
		t.Errorf("photo attachments = %+v", got)
	}
	if !feed.Events[3].Object.Hidden {
		t.Error("a hide event's object should be hidden")
	}
}

func TestParseDeliveryRejects(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "null", "[]", `{"entry":[]}`, string(readTestdata(t, "truncated.json")), `{"object":"page","entry":"nope"}`} {
		if _, err := meta.ParseDelivery([]byte(body)); !errors.Is(err, meta.ErrMalformed) {
			t.Errorf("%q: err = %v, want ErrMalformed", body, err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "page_feed.json")
	good := meta.Sign("hemligt", body)
	tests := []struct {
		name, secret, header string
		body                 []byte
		want                 error
	}{
		{"good", "hemligt", good, body, nil},
		{"missing", "hemligt", "", body, meta.ErrNoSignature},
		{"wrong secret", "annat", good, body, meta.ErrBadSignature},
		{"body changed", "hemligt", good, append([]byte(" "), body...), meta.ErrBadSignature},
		{"sha1 form", "hemligt", "sha1=" + strings.TrimPrefix(good, "sha256="), body, meta.ErrBadSignature},
		{"not hex", "hemligt", "sha256=zz", body, meta.ErrBadSignature},
		{"short", "hemligt", good[:20], body, meta.ErrBadSignature},
		{"no secret configured", "", meta.Sign("", body), body, meta.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := meta.VerifySignature(tt.secret, tt.body, tt.header); !errors.Is(err, tt.want) && err != tt.want {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzParseDelivery(f *testing.F) {
	for _, name := range []string{"page_feed.json", "messenger.json", "instagram.json", "unknown_object.json", "truncated.json"} {
		f.Add(readTestdata(f, name))
	}
	// The Instagram and Messenger variants beside the files: mentions,
	// live comments, edited, deleted and echoed messages, numeric ids.
	for _, s := range []string{
		`{"object":"instagram","entry":[{"id":"17841400000000001","time":1772443800,"changes":[{"field":"mentions","value":{"media_id":"1790","comment_id":"1791"}}]}]}`,
		`{"object":"instagram","entry":[{"id":"17841400000000001","time":1772443800,"changes":[{"field":"live_comments","value":{"id":"1792","text":"Hej","from":{"id":"5","username":"asa"},"media":{"id":"1790"}}}]}]}`,
		`{"object":"instagram","entry":[{"id":"17841400000000001","time":1772443800,"messaging":[{"sender":{"id":5},"recipient":{"id":"17841400000000001"},"timestamp":1772443800123,"message":{"mid":"m1","is_deleted":true}}]}]}`,
		`{"object":"page","entry":[{"id":1000000001,"time":"1772443800","messaging":[{"sender":{"id":"5"},"recipient":{"id":"1000000001"},"timestamp":1772443800123,"message_edit":{"mid":"m2","text":"Ändrat","num_edit":1}}]}]}`,
		`{"object":"page","entry":[{"id":"1000000001","time":1772443800,"messaging":[{"sender":{"id":"1000000001"},"recipient":{"id":"5"},"timestamp":1772443800123,"message":{"mid":"m3","text":"Svar","is_echo":true,"attachments":[{"type":"image","payload":{"url":"https://x/y.jpg"}}]}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := meta.ParseDelivery(body)
		if err != nil {
			if !errors.Is(err, meta.ErrMalformed) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		for _, e := range d.Events {
			if e.EventID == "" || e.AccountID == "" || e.Object.ExternalID == "" {
				t.Fatalf("event without identity: %+v", e)
			}
			if e.Platform != platform.Facebook && e.Platform != platform.Instagram {
				t.Fatalf("platform %q", e.Platform)
			}
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	f.Add("hemligt", []byte(`{"object":"page"}`), "")
	f.Add("hemligt", []byte(`{"object":"page"}`), meta.Sign("hemligt", []byte(`{"object":"page"}`)))
	f.Add("", []byte{}, "sha256=")
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		err := meta.VerifySignature(secret, body, header)
		// Hex is case-insensitive and surrounding space is not part of a
		// header value.
		correct := secret != "" && strings.EqualFold(strings.TrimSpace(header), meta.Sign(secret, body))
		if correct != (err == nil) {
			t.Fatalf("secret %q header %q: err %v, correct %v", secret, header, err, correct)
		}
	})
}
