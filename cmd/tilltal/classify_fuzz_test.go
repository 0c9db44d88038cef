package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzClassifyInput: tilltal classify reads any input without panicking,
// writes exactly one valid JSON line per non-blank input line (an error
// line naming the line, or the scores with the input's id), and fails the
// run exactly when some line was bad.
func FuzzClassifyInput(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"text":"Jag ska döda dig"}` + "\n" + `{"id":"b","text":"Tack för hjälpen!"}`,
		`{"id":1}`, `{"text":"a"} {"text":"b"}`, "\n\n\r\n", `{"text":null}`, `not json`, `{"id":[1,{"x":2}],"text":"\u00e5"}` + "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		err := runClassify(t.Context(), nil, bytes.NewReader(in), &out)
		want, bad := 0, false
		sc := bufio.NewScanner(bytes.NewReader(in))
		sc.Buffer(nil, 2*maxClassifyLine)
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) > 0 {
				want++
			}
		}
		lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
		if out.Len() == 0 {
			lines = nil
		}
		if len(lines) != want {
			t.Fatalf("%d output lines for %d input lines:\n%s", len(lines), want, out.Bytes())
		}
		for _, l := range lines {
			var v struct {
				Line  int    `json:"line"`
				Error string `json:"error"`
			}
			if err := json.Unmarshal(l, &v); err != nil {
				t.Fatalf("output line %s is not JSON: %v", l, err)
			}
			if v.Error != "" {
				bad = true
				if v.Line <= 0 {
					t.Fatalf("error line names no input line: %s", l)
				}
			}
		}
		if bad != (err != nil) {
			t.Fatalf("bad lines %v but error %v", bad, err)
		}
	})
}
