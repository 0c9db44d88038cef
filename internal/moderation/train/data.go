package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Heads are the model's outputs: one per category, then "offensive" (a
// hostile or abusive tone, whatever the category) and "question".
var Heads = []string{"threat", "integrity", "incitement", "hate", "csam", "violence", "terrorism", "copyright", "harassment", "offensive", "question"}

const (
	offensive = 9
	question  = 10
	unknown   = -1
)

// hostile are the categories whose texts also teach the offensive head.
var hostile = map[string]bool{"threat": true, "hate": true, "harassment": true, "incitement": true, "terrorism": true, "violence": true}

// text is one training text with its target per head.
type text struct {
	text   string
	source string
	target []int8
	weight float32
}

func newText(s, source string, weight float32) text {
	t := text{text: s, source: source, weight: weight, target: make([]int8, len(Heads))}
	for i := range t.target {
		t.target[i] = unknown
	}
	return t
}

// setCategories marks every category head: 1 for those listed, 0 for the rest.
func (t *text) setCategories(yes map[string]bool) {
	for h := range offensive {
		t.target[h] = 0
		if yes[Heads[h]] {
			t.target[h] = 1
		}
	}
}

func head(name string) int {
	for i, h := range Heads {
		if h == name {
			return i
		}
	}
	return -1
}

func load(dir, rulesFile string, tuning []string) ([]text, error) {
	var all []text
	for _, path := range tuning {
		ts, err := loadLabelled(path, "tuning")
		if err != nil {
			return nil, err
		}
		all = append(all, ts...)
	}
	for _, f := range []func(string) ([]text, error){loadOwn, loadFrames, loadAbsabank, loadDKHate, loadSweFAQ} {
		ts, err := f(dir)
		if err != nil {
			return nil, err
		}
		all = append(all, ts...)
	}
	ts, err := loadRules(rulesFile)
	if err != nil {
		return nil, err
	}
	return append(all, ts...), nil
}

// readJSONL decodes every line of a JSON-lines file, gzip-compressed if
// its name ends in .gz.
func readJSONL(path string, each func(dec func(any) error) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if err := each(func(v any) error { return json.Unmarshal(line, v) }); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return sc.Err()
}

func loadOwn(dir string) ([]text, error) {
	return loadLabelled(filepath.Join(dir, "own.jsonl"), "own")
}

// loadLabelled reads texts labelled with categories and "question": our
// own examples, and the tuning splits the rules were tuned on (never the
// evaluation split).
func loadLabelled(path, source string) ([]text, error) {
	var out []text
	err := readJSONL(path, func(dec func(any) error) error {
		var r struct {
			Text   string   `json:"text"`
			Labels []string `json:"labels"`
		}
		if err := dec(&r); err != nil {
			return err
		}
		t := newText(r.Text, source, 1)
		yes := map[string]bool{}
		off := int8(0)
		for _, l := range r.Labels {
			if head(l) < 0 {
				return fmt.Errorf("unknown label %q", l)
			}
			yes[l] = true
			if hostile[l] {
				off = 1
			}
		}
		t.setCategories(yes)
		t.target[offensive] = off
		t.target[question] = 0
		if yes["question"] {
			t.target[question] = 1
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// framesWeight is what one sentence of frames.txt counts: there are
// hundreds, built from a few dozen lines, and they must not outweigh the
// comments labelled one by one.
const framesWeight = 0.4

// loadFrames reads frames.txt: harmless sentences on the frames threats
// use ("du kommer att …", "jag ska se till att du …"), every frame with
// every completion of its form, so that the model learns that the frame
// says nothing and the words after it do. They are harmless in every
// category and not offensive.
func loadFrames(dir string) ([]text, error) {
	b, err := os.ReadFile(filepath.Join(dir, "frames.txt"))
	if err != nil {
		return nil, err
	}
	frames, fills := map[string][]string{}, map[string][]string{}
	var whole []string
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		switch {
		case !ok || val == "":
			return nil, fmt.Errorf("frames.txt:%d: expected KEY: TEXT", n+1)
		case key == "text":
			whole = append(whole, val)
		case strings.HasPrefix(key, "frame "):
			if !strings.Contains(val, "{}") {
				return nil, fmt.Errorf("frames.txt:%d: a frame needs {}", n+1)
			}
			form := strings.TrimPrefix(key, "frame ")
			frames[form] = append(frames[form], val)
		default:
			fills[key] = append(fills[key], val)
		}
	}
	var out []text
	add := func(s string) {
		t := newText(s, "frames", framesWeight)
		t.setCategories(nil)
		t.target[offensive] = 0
		out = append(out, t)
	}
	forms := make([]string, 0, len(frames))
	for form := range frames {
		forms = append(forms, form)
	}
	sort.Strings(forms) // the same order every run
	for _, form := range forms {
		if len(fills[form]) == 0 {
			return nil, fmt.Errorf("frames.txt: no completions for frames of form %q", form)
		}
		for _, f := range frames[form] {
			for _, c := range fills[form] {
				add(strings.Replace(f, "{}", c, 1))
			}
		}
	}
	for _, s := range whole {
		add(s)
	}
	return out, nil
}

// loadAbsabank: paragraphs about immigration scored 1 (very negative) to 5.
// Very hostile ones (at most 1.5) teach "offensive"; the rest of the
// negative ones may be lawful criticism, so they teach nothing about hate.
// Neutral and positive ones are negatives for every category.
func loadAbsabank(dir string) ([]text, error) {
	var out []text
	err := readJSONL(filepath.Join(dir, "absabank-imm.jsonl.gz"), func(dec func(any) error) error {
		var r struct {
			Text  string  `json:"text"`
			Label float64 `json:"label"`
		}
		if err := dec(&r); err != nil {
			return err
		}
		t := newText(r.Text, "absabank", 0.5)
		switch {
		case r.Label <= 1.5:
			t.target[offensive] = 1
		case r.Label >= 2.5:
			t.setCategories(nil)
			t.target[offensive] = 0
		}
		if !strings.Contains(r.Text, "?") {
			t.target[question] = 0
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// loadDKHate: Danish comments, offensive or not. Danish is close to
// Swedish, but not Swedish: the weight is low.
func loadDKHate(dir string) ([]text, error) {
	var out []text
	err := readJSONL(filepath.Join(dir, "dkhate-da.jsonl.gz"), func(dec func(any) error) error {
		var r struct {
			Text  string `json:"text"`
			Label string `json:"label"`
		}
		if err := dec(&r); err != nil {
			return err
		}
		t := newText(r.Text, "dkhate", 0.3)
		switch r.Label {
		case "OFF":
			t.target[offensive] = 1
		case "NOT":
			t.target[offensive] = 0
			t.setCategories(nil)
		default:
			return fmt.Errorf("label %q", r.Label)
		}
		if !strings.Contains(r.Text, "?") {
			t.target[question] = 0
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// loadSweFAQ: questions to authorities, and the first sentence of each
// answer as a statement.
func loadSweFAQ(dir string) ([]text, error) {
	var out []text
	err := readJSONL(filepath.Join(dir, "swefaq.jsonl.gz"), func(dec func(any) error) error {
		var r struct {
			Text   string `json:"text"`
			Answer string `json:"answer"`
		}
		if err := dec(&r); err != nil {
			return err
		}
		q := newText(r.Text, "swefaq", 1)
		q.setCategories(nil)
		q.target[offensive], q.target[question] = 0, 1
		out = append(out, q)
		if a, _, _ := strings.Cut(r.Answer, ". "); a != "" && !strings.Contains(a, "?") {
			s := newText(a, "swefaq", 1)
			s.setCategories(nil)
			s.target[offensive], s.target[question] = 0, 0
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// loadRules takes the rules file's examples as positives for the rule's
// categories (those weighed at least 0.5) and its counters as negatives.
func loadRules(path string) ([]text, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []text
	var cats, except []string
	for line := range strings.SplitSeq(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "rule "):
			cats, except = cats[:0], except[:0]
			for _, cw := range strings.Fields(line)[2:] {
				name, ws, _ := strings.Cut(cw, "=")
				w, err := strconv.ParseFloat(ws, 64)
				switch {
				case err != nil:
					return nil, fmt.Errorf("%s: %q: %w", path, line, err)
				case w >= 0.5:
					cats = append(cats, name)
				case w < 0:
					except = append(except, name)
				}
			}
		case strings.HasPrefix(trimmed, "example:") && len(except) > 0:
			// An exception's examples are harmless in its categories.
			t := newText(strings.TrimSpace(trimmed[len("example:"):]), "rules", 1)
			for _, c := range except {
				t.target[head(c)] = 0
			}
			out = append(out, t)
		case strings.HasPrefix(trimmed, "example:") && len(cats) > 0:
			t := newText(strings.TrimSpace(trimmed[len("example:"):]), "rules", 1)
			for _, c := range cats {
				t.target[head(c)] = 1
				if hostile[c] {
					t.target[offensive] = 1
				}
			}
			out = append(out, t)
		case strings.HasPrefix(trimmed, "counter:"):
			t := newText(strings.TrimSpace(trimmed[len("counter:"):]), "rules", 1)
			for _, c := range cats {
				t.target[head(c)] = 0
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// split puts about one text in ten aside for the held-out check, by a hash
// of the text so that the split is the same every run.
func split(ts []text) (train, test []text) {
	for _, t := range ts {
		h := fnv.New32a()
		h.Write([]byte(t.text))
		if h.Sum32()%10 == 0 {
			test = append(test, t)
		} else {
			train = append(train, t)
		}
	}
	return train, test
}

func summary(ts []text) string {
	n := map[string]int{}
	for _, t := range ts {
		n[t.source]++
	}
	var parts []string
	for k, v := range n {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
