// Command train fits the moderation classifier's statistical model and
// writes its weights file, which internal/moderation/score embeds. It is
// run by `go generate ./internal/moderation/score`; the output is committed,
// so that building Tilltal needs neither this data nor any network.
//
// What it learns from (data/, see data/SOURCES.md):
//   - own.jsonl: comments written for Tilltal, labelled with categories
//     and "question";
//   - the tuning splits of internal/moderation/score/testdata, written for
//     Tilltal too (the evaluation split is never trained on);
//   - the example and counter sentences of the rules file;
//   - frames.txt: harmless sentences built on the frames threats use
//     ("du kommer att …"), so that the frame alone does not make a threat;
//   - ABSAbank-Imm (Swedish, sentiment towards immigration): very hostile
//     paragraphs teach the "offensive" head, neutral and positive ones are
//     negatives for every category;
//   - DKHate (Danish offensive comments): the "offensive" head, at low weight;
//   - SweFAQ (questions to Swedish authorities, with answers): the
//     "question" head, answers being statements.
//
// Before training on everything it trains on 90% and reports how each head
// does on the other 10%, then cross-validates the whole classifier (the
// rules and a model trained without the texts measured) on the
// hand-labelled comments, to data/../score/data/model-report.txt. The
// operating points of the model in internal/moderation/score are chosen
// from that table. Training is deterministic (a fixed seed and a
// hash-based split): the same inputs give the same weights file.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dataDir := flag.String("data", "../train/data", "training data directory")
	rulesFile := flag.String("rules", "data/rules.txt", "rules file with examples")
	out := flag.String("out", "data/model.bin.gz", "weights file to write")
	report := flag.String("report", "data/model-report.txt", "report to write")
	tuning := flag.String("tuning", "testdata/tuning.jsonl,testdata/tuning2.jsonl,testdata/dev.jsonl,testdata/dev2.jsonl,testdata/dev3.jsonl", "labelled tuning splits, comma-separated (never the evaluation split)")
	flag.Parse()
	if err := run(*dataDir, *rulesFile, strings.Split(*tuning, ","), *out, *report); err != nil {
		log.Fatal(err)
	}
}

func run(dataDir, rulesFile string, tuning []string, out, reportFile string) error {
	for _, t := range tuning {
		if strings.Contains(t, "eval") {
			return fmt.Errorf("%s: the evaluation split must never be trained on", t)
		}
	}
	texts, err := load(dataDir, rulesFile, tuning)
	if err != nil {
		return err
	}
	rep, err := os.Create(reportFile)
	if err != nil {
		return err
	}
	defer rep.Close()
	fmt.Fprintf(rep, "# Moderation model: held-out check\n\n%d training texts (%s).\n", len(texts), summary(texts))
	if err := writeInputs(rep, dataDir, rulesFile, tuning); err != nil {
		return err
	}
	fmt.Fprintf(rep, "Trained on 90%% (split by a hash of the text), measured on the other 10%% at p >= 0.5.\n\n")
	train, test := split(texts)
	m, err := fit(train)
	if err != nil {
		return err
	}
	evaluate(rep, m, test)
	if err := crossValidate(rep, texts); err != nil {
		return err
	}
	m, err = fit(texts)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeInputs lists every input file with its SHA-256, so that a test can
// tell when the model is older than its data (someone edited the rules
// file and did not run go generate).
func writeInputs(w io.Writer, dataDir, rulesFile string, tuning []string) error {
	files := append([]string{rulesFile}, tuning...)
	for _, f := range []string{"own.jsonl", "frames.txt", "absabank-imm.jsonl.gz", "dkhate-da.jsonl.gz", "swefaq.jsonl.gz"} {
		files = append(files, filepath.ToSlash(filepath.Join(dataDir, f)))
	}
	fmt.Fprintf(w, "\nInputs:\n\n")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "    input %x %s\n", sha256.Sum256(b), f)
	}
	fmt.Fprintln(w)
	return nil
}
