package score

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Labelled is one line of an evaluation file: a text and the categories a
// person judged it to belong to (none for a harmless text).
type Labelled struct {
	Text   string     `json:"text"`
	Labels []Category `json:"labels"`
}

// Counts are the outcomes of one category over an evaluation file.
type Counts struct {
	Positives int `json:"positives"` // texts labelled with the category
	TP        int `json:"tp"`        // labelled and flagged
	FP        int `json:"fp"`        // flagged but not labelled
	FN        int `json:"fn"`        // labelled but not flagged
}

// Precision is the share of flagged texts that were labelled; 1 when
// nothing was flagged.
func (c Counts) Precision() float64 { return share(c.TP, c.TP+c.FP) }

// Recall is the share of labelled texts that were flagged; 1 when nothing
// was labelled.
func (c Counts) Recall() float64 { return share(c.TP, c.TP+c.FN) }

func share(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Mistake is a text the classifier got wrong in one category.
type Mistake struct {
	Line     int      `json:"line"`
	Category Category `json:"category"`
	Missed   bool     `json:"missed"` // labelled but not flagged; else flagged but not labelled
	Score    float64  `json:"score"`
	Text     string   `json:"text"`
}

// Report is the outcome of an evaluation.
type Report struct {
	Texts      int                   `json:"texts"`
	Harmless   int                   `json:"harmless"`         // texts with no label
	FalseAlarm int                   `json:"harmless_flagged"` // of which flagged in any category
	Categories [NumCategories]Counts `json:"categories"`
	Mistakes   []Mistake             `json:"mistakes"`
}

// maxLine bounds one line of an evaluation file.
const maxLine = 1 << 20

// Evaluate classifies every text of a labelled JSON-lines file and counts,
// per category, how the flags agree with the labels. A line that is not a
// labelled text stops it with an error naming the line.
func Evaluate(r io.Reader) (*Report, error) {
	rep := &Report{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l Labelled
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("rad %d: %w", n, err)
		}
		rep.add(n, l, Classify(l.Text))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rep, nil
}

func (rep *Report) add(line int, l Labelled, res Result) {
	rep.Texts++
	var want [NumCategories]bool
	for _, c := range l.Labels {
		want[c] = true
	}
	if len(l.Labels) == 0 {
		rep.Harmless++
		if len(res.Flags) > 0 {
			rep.FalseAlarm++
		}
	}
	for c := range NumCategories {
		got, cnt := res.Flagged(c), &rep.Categories[c]
		if want[c] {
			cnt.Positives++
		}
		switch {
		case got && want[c]:
			cnt.TP++
		case got:
			cnt.FP++
		case want[c]:
			cnt.FN++
		default:
			continue
		}
		if got != want[c] {
			rep.Mistakes = append(rep.Mistakes, Mistake{Line: line, Category: c, Missed: want[c], Score: res.Scores[c], Text: l.Text})
		}
	}
}

// WriteTable writes the report as a Markdown table, one row per category.
func (rep *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d texter, varav %d utan etikett (%d av dem flaggade). Tröskel %.2f.\n\n", rep.Texts, rep.Harmless, rep.FalseAlarm, threshold)
	fmt.Fprintf(&b, "| kategori | positiva | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for c, cnt := range rep.Categories {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.2f | %.2f |\n", Category(c), cnt.Positives, cnt.TP, cnt.FP, cnt.FN, cnt.Precision(), cnt.Recall())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EvaluationSet returns the evaluation split shipped with Tilltal: texts
// written for Tilltal and labelled by hand, kept out of all training. See
// data/SOURCES.md.
func EvaluationSet() io.Reader {
	b, err := dataFS.ReadFile("data/eval.jsonl")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return bytes.NewReader(b)
}
