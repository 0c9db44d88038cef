package replycheck

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
)

func TestLIX(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want float64
	}{
		// Hej, Anna, Förskolan*, öppnar, klockan*, sju, Välkommen*: 7 words,
		// 3 sentences, 3 long (* more than six letters): 7/3 + 100*3/7 = 45.19.
		{"three sentences", "Hej Anna! Förskolan öppnar klockan sju. Välkommen!", 7.0/3 + 300.0/7},
		// No sentence end: 6 words, 1 sentence, biblioteket long: 6 + 100/6.
		{"no sentence end", "Vi ses i morgon på biblioteket", 6 + 100.0/6},
		// Vi, öppnar, kl, 10, t.ex, på, måndag: the abbreviations' dots do not
		// end the sentence; nothing has more than six letters: 7/1 + 0.
		{"abbreviations", "Vi öppnar kl. 10 t.ex. på måndag.", 7},
		// The link is no word and its dots end nothing: Läs, mer, på |
		// Välkommen*: 4 words, 2 sentences, 1 long: 4/2 + 100/4 = 27.
		{"link", "Läs mer på https://exempelby.se/forskola/ansokan. Välkommen!", 27},
		// Line breaks end greetings and sign-offs: 6 words, 3 sentences: 2.
		{"line breaks", "Hej Anna\nTack för frågan\n/Lisa", 2},
		// 10.30 and 3,5 are one word each: 7 words, 1 sentence, none long: 7.
		{"numbers", "Badet öppnar 10.30 och kostar 3,5 kronor.", 7},
		// The e-mail address is no word: Mejla, oss, på, så, svarar, vi: 6.
		{"e-mail address", "Mejla oss på kommun@exempelby.se så svarar vi.", 6},
		// A colon ends a sentence: Så här gör du | fyll i blanketten*:
		// 7 words, 2 sentences, 1 long: 3.5 + 100/7.
		{"colon", "Så här gör du: fyll i blanketten.", 3.5 + 100.0/7},
		// Hyphenated compound: e-tjänsten has 9 letters: 3 words, 1 sentence,
		// 1 long: 3 + 100/3.
		{"hyphenated word", "Använd e-tjänsten nu.", 3 + 100.0/3},
		{"empty", "", 0},
		{"punctuation only", "!!! ... ???", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := LIX(tt.text); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("LIX = %.4f, want %.4f", got, tt.want)
			}
		})
	}
}

func TestReadability(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/long_reply.txt")
	if err != nil {
		t.Fatal(err)
	}
	long := string(raw)
	lines := strings.Split(strings.TrimSpace(long), "\n")
	tests := []struct {
		name      string
		text      string
		limit     float64
		spans     []string // texts the findings cover, in order
		inMessage string   // a word the first message lists
	}{
		// 3 sentences of 8 + 30 + 6 = 44 words; 17 of them long:
		// 44/3 + 100*17/44 = 14.7 + 38.6 = 53.3, above 45. The middle
		// sentence has 30 words, more than 20.
		{"above the default limit", long, 0, []string{strings.TrimSpace(long), lines[1]}, "tillämpningsanvisningar"},
		{"under a higher limit", long, 60, nil, ""},
		{"too short to judge", "Välkommen till förskoleverksamheten!", 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := Check(context.Background(), Input{Text: tt.text, Rules: Rules{LIXLimit: tt.limit}})
			var got []string
			rs := []rune(tt.text)
			for _, f := range fs {
				if f.Kind == KindReadability {
					got = append(got, string(rs[f.Start:f.End]))
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.spans, "|") {
				t.Fatalf("readability spans\n got %q\nwant %q", got, tt.spans)
			}
			if tt.inMessage != "" && !strings.Contains(fs[0].Message, tt.inMessage) || tt.inMessage != "" && !strings.Contains(fs[0].Message, "LIX 53") {
				t.Errorf("message %q does not list %q", fs[0].Message, tt.inMessage)
			}
		})
	}
}
