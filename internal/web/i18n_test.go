package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestEveryTemplateKeyIsTranslated: a key used in a template must exist in
// Swedish and English; a missing one would show its raw name.
func TestEveryTemplateKeyIsTranslated(t *testing.T) {
	t.Parallel()
	key := regexp.MustCompile(`\.T[f]? "([a-z_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"sv", "en"} {
				if _, ok := translations[lang][m[1]]; !ok {
					t.Errorf("%s: key %q has no %s text", f, m[1], lang)
				}
			}
		}
	}
	for k := range translations["sv"] {
		if _, ok := translations["en"][k]; !ok {
			t.Errorf("key %q has no English text", k)
		}
	}
	for k := range translations["en"] {
		if _, ok := translations["sv"][k]; !ok {
			t.Errorf("key %q has no Swedish text", k)
		}
	}
}
