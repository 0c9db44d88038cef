//go:build ignore

// gendata builds data/sentimentlex.tsv from Språkbanken's sentiment lexicon
// (shared/data/lexicon/sentimentlex-sv beside the repository). Run it with
// `go run gendata.go` when the lexicon changes; the output is committed.
//
// It keeps single-word senses whose annotators were at least half sure of
// the polarity (confidence >= 0.5): the least sure quarter of the lexicon
// holds too many surprises ("hotfull" marked positive, "engagerad"
// negative). A word with senses of both polarities keeps their sum.
package main

import (
	"encoding/csv"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	f, err := os.Open("../../../../shared/data/lexicon/sentimentlex-sv/sentimentlex.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	type entry struct {
		strength int
		pos      string
	}
	words := map[string]*entry{}
	for _, r := range rows[1:] {
		word, strength, pos, conf := r[0], r[2], r[5], r[6]
		c, err := strconv.ParseFloat(conf, 64)
		if err != nil || c < 0.5 || strings.ContainsAny(word, " -") {
			continue
		}
		s, err := strconv.Atoi(strength)
		if err != nil {
			log.Fatal(err)
		}
		e := words[word]
		if e == nil {
			e = &entry{pos: pos}
			words[word] = e
		}
		e.strength += s
	}
	keys := make([]string, 0, len(words))
	for w, e := range words {
		if e.strength != 0 {
			keys = append(keys, w)
		}
	}
	sort.Strings(keys)
	out, err := os.Create("data/sentimentlex.tsv")
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	fmt.Fprintln(out, "# word\tstrength\tpart of speech — from Språkbanken's sentiment lexicon (CC BY), see SOURCES.md")
	for _, w := range keys {
		fmt.Fprintf(out, "%s\t%d\t%s\n", w, words[w].strength, words[w].pos)
	}
}
