package score

import (
	"embed"
	"io/fs"
)

//go:embed data/rules.txt data/ldnoobw-sv.txt data/sentimentlex.tsv data/sentiment-extra.tsv data/model.bin.gz data/eval.jsonl
var dataFS embed.FS

// theRules is the compiled rules file. A rules file that does not compile
// stops the program at start-up; the tests compile it first.
var theRules = mustCompileRules()

func mustCompileRules() *ruleSet {
	src, err := fs.ReadFile(dataFS, "data/rules.txt")
	if err != nil {
		panic(err)
	}
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		panic(err)
	}
	rs, err := compileRules(string(src), sub)
	if err != nil {
		panic("moderation rules: " + err.Error())
	}
	return rs
}
