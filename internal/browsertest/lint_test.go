package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"good.html", nil},
		{"bad_document.html", []string{
			`html-lang: <html> needs a valid lang attribute, has ""`,
			`lang: <p> has an invalid lang "svenska"`,
			`tabindex: <a> has tabindex="2"; a positive tabindex breaks the focus order`,
			`title: <title> is empty`,
		}},
		{"bad_ids.html", []string{
			`broken-reference: <a> href="#saknas" points at no element`,
			`broken-reference: <label> for="nowhere" points at no element`,
			`broken-reference: <p> aria-describedby="gone" points at no element`,
			`duplicate-id: id "a" is used 2 times`,
		}},
		{"bad_labels.html", []string{
			`label: <input id="one" name="one"> has no label`,
			`label: <input name="four"> has no label`,
			`label: <select name="two"> has no label`,
			`label: <textarea name="three"> has no label`,
		}},
		{"bad_headings.html", []string{
			`h1: the page has 2 h1 headings, want 1`,
			`heading-empty: <h2> is empty`,
			`heading-order: <h3> "Skipped" follows an h1, skipping a level`,
		}},
		{"bad_landmarks.html", []string{
			`landmark: 2 navigation landmarks share the name ""; give each a distinct aria-label`,
			`landmark: the page has 2 banner landmarks, want at most 1`,
			`landmark: the page has 2 contentinfo landmarks, want at most 1`,
			`landmark: the page has 2 main landmarks, want 1`,
		}},
		{"no_main.html", []string{`landmark: the page has 0 main landmarks, want 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", "lint", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ps, err := Lint(f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Lint(%s):\n got %q\nwant %q", tt.file, got, tt.want)
			}
		})
	}
}
