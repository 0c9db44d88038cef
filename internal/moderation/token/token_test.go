package token

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// words renders tokens as "text" separated by spaces, kinds marked:
// URL as <host>, punctuation as itself, quotes as ".
func words(ts []Token) string {
	var b []string
	for _, t := range ts {
		switch t.Kind {
		case URL:
			b = append(b, "<"+t.Text+">")
		case Punct:
			b = append(b, strings.ReplaceAll(t.Text, "\n", "¶"))
		default:
			b = append(b, t.Text)
		}
	}
	return strings.Join(b, " ")
}

func TestSplit(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"plain", "Jag ska döda dig!", "jag ska döda dig !"},
		{"capitals", "JAG SKA DÖDA DIG", "jag ska döda dig"},
		{"leet", "j4g sk4 d0da d1g", "jag sk4 doda dig"},
		{"leet inside words only", "tv4 e4 n1gger", "tv4 e4 nigger"},
		{"number stays", "kl 15 den 3 maj", "kl 15 den 3 maj"},
		{"number before letters stays", "en 12åring", "en 12åring"},
		{"stretched", "Jaaaaag skaaa dööööda dig", "jag ska döda dig"},
		{"double letters stay", "kommunen ska ställa", "kommunen ska ställa"},
		{"compound triple consonant stays", "massskjutning", "massskjutning"},
		{"stretched consonant", "nejjjjj", "nej"},
		{"spaced", "jag ska d ö d a dig", "jag ska döda dig"},
		{"dotted", "jag ska d.ö.d.a dig", "jag ska döda dig"},
		{"all spaced", "j a g  s k a  d ö d a  d i g", "jag ska döda dig"},
		{"equals", "x = y", "x = y"},
		{"dashed", "jag ska d-ö-d-a dig", "jag ska döda dig"},
		{"two singles stay", "bor i a-huset", "bor i a huset"},
		{"emoji inside word", "jag ska dö💀da dig 💀", "jag ska döda dig 💀"},
		{"zero width", "jag ska d\u200bö\u200dda dig", "jag ska döda dig"},
		{"soft hyphen", "dö\u00adda", "döda"},
		{"combining diaeresis", "do\u0308da", "döda"},
		{"cyrillic look-alikes", "jаg skа dӧdа dig", "jag ska döda dig"},
		{"greek look-alikes", "κοmmunen", "kommunen"},
		{"full width", "ｄöｄａ", "döda"},
		{"math bold", "𝐝ö𝐝𝐚", "döda"},
		{"circled", "ⓓⓞⓓⓐ", "doda"},
		{"small caps", "ᴅöᴅᴀ", "döda"},
		{"accents folded", "idé café", "ide cafe"},
		{"danish letters", "være søster", "väre söster"},
		{"dollar leet", "$kit", "skit"},
		{"at leet", "h@t", "hat"},
		{"mention", "@kommunen hej", "kommunen hej"},
		{"apostrophe in word", "you're dead", "you're dead"},
		{"quotes", `Han skrev ”jag ska döda dig”`, `han skrev " jag ska döda dig "`},
		{"single quotes", `'hej' sa hon`, `" hej " sa hon`},
		{"url", "Se https://www.ThePirateBay.org/search?q=x nu", "se <thepiratebay.org> nu"},
		{"bare domain", "ladda ner på swefilmer.com.", "ladda ner på <swefilmer.com> ."},
		{"www without known tld", "www.exempel.zz", "<exempel.zz>"},
		{"not a domain", "slut.Nästa mening", "slut . nästa mening"},
		{"email", "skriv till anna@exempel.se", "skriv till <exempel.se>"},
		{"newlines", "hej\n\nhej", "hej ¶ hej"},
		{"punct run", "Va?!! Nej.", "va ? nej ."},
		{"punct run asks", "Va!?", "va ?"},
		{"empty", "", ""},
		{"only symbols", "--- *** ///", ""},
		{"personnummer", "19850101-1234", "19850101 1234"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := words(Split(c.in)); got != c.want {
				t.Errorf("Split(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestSpans checks that spans are code-point offsets that cover what was
// written, including dropped characters inside the word.
func TestSpans(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		index int
		want  string
	}{
		{"Åsa ska dö💀da dig", 2, "dö💀da"},
		{"ÅÄÖ d ö d a", 1, "d ö d a"},
		{"a\u0308b ok", 0, "a\u0308b"},
		{"Hej www.x.se/a?b=c.", 1, "www.x.se/a?b=c"},
		{"ｄöｄａ ok", 1, "ok"},
	}
	for _, c := range cases {
		ts := Split(c.in)
		if c.index >= len(ts) {
			t.Fatalf("Split(%q): %d tokens", c.in, len(ts))
		}
		tk := ts[c.index]
		if got := string([]rune(c.in)[tk.Start:tk.End]); got != c.want {
			t.Errorf("Split(%q)[%d] spans %q, want %q", c.in, c.index, got, c.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"Jag ska d ö d a dig", "dö💀da", "https://x.se", "a\u0308", "\xff\xfe", "@", "$", "'''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(s)
		prev := 0
		for _, tk := range Split(s) {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > n {
				t.Fatalf("Split(%q): bad span %d-%d (text %d code points, previous end %d)", s, tk.Start, tk.End, n, prev)
			}
			if tk.Text == "" {
				t.Fatalf("Split(%q): empty token at %d", s, tk.Start)
			}
			prev = tk.End
		}
	})
}
