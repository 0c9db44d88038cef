package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"tilltal/internal/moderation/score"
)

// maxClassifyLine bounds one input line of tilltal classify: a comment is
// at most a few thousand characters on every platform.
const maxClassifyLine = 1 << 20

// classifyInput is one line of tilltal classify's input.
type classifyInput struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

// classifyOutput is one line of its output.
type classifyOutput struct {
	ID json.RawMessage `json:"id,omitempty"`
	score.Result
}

// classifyError is the line written for an input line that could not be read.
type classifyError struct {
	ID    json.RawMessage `json:"id,omitempty"`
	Line  int             `json:"line"`
	Error string          `json:"error"`
}

// runClassify reads JSON lines {"id": …, "text": …} and writes one JSON
// line per input with the scores, flags, reasons, sentiment and question of
// the text. A bad line gets an error line naming it, and the rest are still
// classified; the command fails at the end if any line was bad.
// "tilltal classify evaluate" measures the classifier on a labelled file.
func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "evaluate" {
		return runClassifyEvaluate(args[1:], stdout)
	}
	if len(args) > 0 {
		return fmt.Errorf("classify: unexpected argument %q (input comes on stdin)", args[0])
	}
	r := bufio.NewReaderSize(stdin, 64*1024)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	bad := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(r)
		if err == io.EOF && line == nil {
			break
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("classify: read: %w", err)
		}
		if len(bytes.TrimSpace(line)) == 0 && !tooLong {
			continue
		}
		out, ok := classifyLine(n, line, tooLong)
		if !ok {
			bad++
		}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("classify: write: %w", err)
		}
	}
	if bad > 0 {
		return fmt.Errorf("classify: %d bad input lines", bad)
	}
	return nil
}

// classifyLine classifies one input line, or describes what is wrong with it.
func classifyLine(n int, line []byte, tooLong bool) (any, bool) {
	if tooLong {
		return classifyError{Line: n, Error: fmt.Sprintf("raden är längre än %d byte", maxClassifyLine)}, false
	}
	var in classifyInput
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return classifyError{Line: n, Error: "ogiltig JSON: " + err.Error()}, false
	}
	if dec.More() {
		return classifyError{ID: in.ID, Line: n, Error: "mer än ett JSON-objekt på raden"}, false
	}
	if in.Text == nil {
		return classifyError{ID: in.ID, Line: n, Error: `fältet "text" saknas`}, false
	}
	return classifyOutput{ID: in.ID, Result: score.Classify(*in.Text)}, true
}

// readLine reads one line without its newline. A line longer than
// maxClassifyLine is consumed and reported as too long, not kept in memory.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			if err == io.EOF && (line != nil || tooLong) {
				return line, tooLong, nil
			}
			return nil, tooLong, err
		}
		if !tooLong {
			if len(line)+len(chunk) > maxClassifyLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if !isPrefix {
			if line == nil && !tooLong {
				line = []byte{}
			}
			return line, tooLong, nil
		}
	}
}

// runClassifyEvaluate reports precision and recall per category on a
// labelled file ({"text": …, "labels": ["threat"]} per line), by default the
// evaluation split shipped with Tilltal.
func runClassifyEvaluate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("classify evaluate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("file", "", "labelled JSON-lines file (default: the shipped evaluation split)")
	asJSON := fs.Bool("json", false, "write the report as JSON, with every mistake")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("classify evaluate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("classify evaluate: unexpected argument %q", fs.Arg(0))
	}
	in := score.EvaluationSet()
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("classify evaluate: %w", err)
		}
		defer f.Close()
		in = f
	}
	rep, err := score.Evaluate(in)
	if err != nil {
		return fmt.Errorf("classify evaluate: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteTable(stdout)
}
