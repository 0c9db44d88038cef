package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"tilltal/internal/apperr"
)

// FuzzReadJSON: the API's strict decoding of request bodies never panics;
// it refuses with Invalid (422) anything that is not exactly one JSON
// object of known fields in valid UTF-8 without NUL, and what it accepts
// encodes and decodes back to the same value.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{
		`{"title":"Simhallen","body":"Öppet","link":"https://exempelby.se","channels":[{"id":1,"variant":"","hashtags":"#a"}]}`,
		`{"title":"a"} {"title":"b"}`, `{"titel":"okänt fält"}`, `{"title":"\u0000"}`, `[1]`, `null`, `{"channels":[{"id":1e400}]}`,
		`{"title":"a","title":"b"}`, "{\"title\":\"\xff\"}", `{"channels":[{"id":"1"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/posts", bytes.NewReader(body))
		var in postInput
		err := readJSON(httptest.NewRecorder(), r, &in)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		if !json.Valid(body) || !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || bytes.Contains(body, []byte(`\u0000`)) {
			t.Fatalf("accepted %q", body)
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var back postInput
		if err := readJSON(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(again)), &back); err != nil {
			t.Fatalf("its own encoding %s is refused: %v", again, err)
		}
		if b2, _ := json.Marshal(back); !bytes.Equal(b2, again) {
			t.Fatalf("round trip %s → %s", again, b2)
		}
	})
}
