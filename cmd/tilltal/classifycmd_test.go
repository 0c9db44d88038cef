package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// classifyLines runs tilltal classify on stdin and decodes its output lines.
func classifyLines(t *testing.T, stdin string) ([]map[string]any, error) {
	t.Helper()
	out, err := run(t, nil, stdin, "classify")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if jerr := json.Unmarshal([]byte(l), &m); jerr != nil {
			t.Fatalf("output line is not JSON: %q: %v", l, jerr)
		}
		lines = append(lines, m)
	}
	return lines, err
}

func TestClassifyCommand(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/classify/input.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := classifyLines(t, string(in))
	if err == nil || !strings.Contains(err.Error(), "3 bad input lines") {
		t.Errorf("error = %v, want a count of 3 bad lines", err)
	}
	// One output line per non-blank input line, in order.
	want := []struct {
		id    string // JSON of the id, "" for none
		line  float64
		flags string // flags joined, or "error"
	}{
		{`1`, 0, "threat"},
		{`"tack"`, 0, ""},
		{``, 4, "error"},
		{`3`, 5, "error"},
		{`4`, 6, "error"},
		{`{"comment":"123","platform":"facebook"}`, 0, "hate"},
		{``, 0, ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d output lines, want %d: %v", len(lines), len(want), lines)
	}
	for i, w := range want {
		got := lines[i]
		id := ""
		if v, ok := got["id"]; ok {
			b, _ := json.Marshal(v)
			id = string(b)
		}
		if id != w.id {
			t.Errorf("line %d: id %s, want %s", i, id, w.id)
		}
		if w.flags == "error" {
			if got["error"] == nil || got["line"] != w.line {
				t.Errorf("line %d: want an error for input line %v, got %v", i, w.line, got)
			}
			continue
		}
		var flags []string
		for _, f := range got["flags"].([]any) {
			flags = append(flags, f.(string))
		}
		if strings.Join(flags, ",") != w.flags {
			t.Errorf("line %d: flags %v, want %q", i, flags, w.flags)
		}
		for _, key := range []string{"scores", "reasons", "sentiment", "question"} {
			if _, ok := got[key]; !ok {
				t.Errorf("line %d: no %q", i, key)
			}
		}
	}
	if s := lines[1]["sentiment"].(map[string]any)["label"]; s != "positive" {
		t.Errorf("thanks: sentiment %v, want positive", s)
	}
	if r := lines[0]["reasons"].(map[string]any)["threat"].([]any)[0].(map[string]any); r["rule"] != "threat.kill" || r["match"] != "Jag ska döda" {
		t.Errorf("threat reason = %v", r)
	}
}

func TestClassifyCommandAllGood(t *testing.T) {
	t.Parallel()
	lines, err := classifyLines(t, `{"id":1,"text":"Hej"}`+"\n"+`{"id":2,"text":""}`)
	if err != nil || len(lines) != 2 {
		t.Fatalf("err %v, %d lines", err, len(lines))
	}
}

func TestClassifyCommandLongLine(t *testing.T) {
	t.Parallel()
	long := `{"id":1,"text":"` + strings.Repeat("a", maxClassifyLine) + `"}`
	lines, err := classifyLines(t, long+"\n"+`{"id":2,"text":"hej"}`+"\n")
	if err == nil || len(lines) != 2 || lines[0]["error"] == nil || lines[1]["id"] != 2.0 {
		t.Fatalf("err %v, lines %v", err, lines)
	}
}

func TestClassifyEvaluate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		wantErr string
		want    []string
	}{
		{"shipped split", []string{"classify", "evaluate"}, "", []string{"| threat |", "| hate |", "| harassment |", "precision"}},
		{"file", []string{"classify", "evaluate", "--file", "testdata/classify/labelled.jsonl"}, "", []string{"4 texter", "| threat | 2 | 1 | 0 | 1 | 1.00 | 0.50 |", "| hate | 1 | 1 | 0 | 0 | 1.00 | 1.00 |"}},
		{"json", []string{"classify", "evaluate", "--json", "--file", "testdata/classify/labelled.jsonl"}, "", []string{`"texts": 4`, `"missed": true`}},
		{"bad label", []string{"classify", "evaluate", "--file", "testdata/classify/badlabel.jsonl"}, "rad 2", nil},
		{"no file", []string{"classify", "evaluate", "--file", "testdata/classify/none.jsonl"}, "no such file", nil},
		{"stray argument", []string{"classify", "x"}, "unexpected argument", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := run(t, nil, "", c.args...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
