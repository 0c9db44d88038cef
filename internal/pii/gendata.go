//go:build ignore

// gendata builds the trimmed, compressed lexicons in data/ from the shared data
// folder (shared/data beside the repository). It is run by hand with
// `go generate ./internal/pii` when the source lists change; the output is
// committed so that builds need nothing outside the repository.
//
// What it keeps, and why:
//   - fornamn.txt.gz: given names (tilltalsnamn, women and men together) borne by
//     at least minFirst persons. Rare names add size but few hits.
//   - efternamn.txt.gz: single-word surnames borne by at least minLast persons.
//   - vanliga.txt.gz: Swedish stop words, and name tokens that are also ordinary
//     lower-case words (seen in lower case in the Swedish training texts), each
//     tagged; a capitalised one at the start of a sentence is most likely the
//     word, not a name.
//   - postnummer.txt.gz: "NNNNN Ort" for every known postcode.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

const (
	minFirst = 20
	minLast  = 20
	// minFrequentFirst: a stop word borne as a given name by this many people
	// ("Hans", "Dag", "Inga") may still start a name.
	minFrequentFirst = 1000
	// minLowerUses: a name seen this often in lower case in the training
	// texts is also a word; once or twice is more likely a name typed sloppily.
	minLowerUses = 3
)

// foreignArticles start place and band names ("El Salvador", "The Smiths")
// rather than the names of persons.
var foreignArticles = map[string]bool{
	"el": true, "la": true, "le": true, "les": true, "the": true, "los": true, "las": true,
	"der": true, "die": true, "das": true, "del": true,
}

// knownOrdinary are everyday Swedish words that are also common names but too
// rare in the small training texts to be found there: nature words and the
// like (rosa = pink, björn = bear, ek = oak, lund = grove, holm = islet).
var knownOrdinary = map[string]bool{
	"rosa": true, "björn": true, "ek": true, "berg": true, "lind": true, "holm": true,
	"sten": true, "maj": true, "bo": true, "ros": true, "lilja": true, "linnea": true,
	"ljung": true, "al": true, "asp": true, "björk": true, "gran": true, "ström": true,
	"strand": true, "sjö": true, "mark": true, "vall": true, "hed": true, "ås": true,
	"lund": true, "skog": true, "bäck": true, "hav": true, "sol": true, "frost": true,
	"vår": true, "sommar": true, "vinter": true, "höst": true, "storm": true, "varg": true,
	"falk": true, "örn": true, "svan": true, "hjort": true, "lejon": true, "fors": true,
	"kvist": true, "dal": true, "hall": true, "lax": true, "hägg": true, "hassel": true,
	"palm": true, "viol": true, "vide": true, "säv": true, "vass": true, "stjärna": true, "ängel": true, "kung": true, "prins": true, "ung": true, "ny": true,
	"fred": true, "frid": true, "tro": true, "hopp": true, "mod": true, "ära": true,
}

func main() {
	src := flag.String("src", "../../../shared/data", "the shared data folder")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	lex := filepath.Join(*src, "lexicon")

	firstCount := map[string]int{}
	for _, f := range []string{"tilltalsnamn-kvinnor.csv", "tilltalsnamn-man.csv"} {
		for name, n := range readCounts(filepath.Join(lex, "names-sv", f)) {
			if plainName(name) {
				firstCount[strings.ToLower(name)] += n
			}
		}
	}
	first := map[string]bool{}
	for name, n := range firstCount {
		if n >= minFirst {
			first[name] = true
		}
	}
	last := map[string]bool{}
	for name, n := range readCounts(filepath.Join(lex, "names-sv", "efternamn.csv")) {
		if n >= minLast && plainName(name) {
			last[strings.ToLower(name)] = true
		}
	}
	writeList(filepath.Join(*out, "fornamn.txt.gz"), keys(first))
	writeList(filepath.Join(*out, "efternamn.txt.gz"), keys(last))

	// Each common word is tagged: "s" for a function word that never starts a
	// name ("Till Lund"), "o" for an ordinary word that may still be a name
	// ("Per", "Rosa"). Function words that are also frequent given names
	// ("Hans", "Inga") are tagged "o" so that they can still start a name.
	common := map[string]string{}
	for _, f := range []string{"stopwords-iso-sv.txt", "svensktext-stoppord-mycket.csv", "svensktext-stoppord.csv"} {
		for _, w := range readLines(filepath.Join(lex, "stopwords-sv", f)) {
			common[strings.ToLower(strings.TrimSpace(w))] = "s"
		}
	}
	delete(common, "word")
	delete(common, "")
	for w := range foreignArticles {
		common[w] = "s"
	}
	for w, n := range firstCount {
		if n >= minFrequentFirst && common[w] == "s" {
			common[w] = "o"
		}
	}
	lower := lowerCaseWords(filepath.Join(*src, "train"))
	for _, set := range []map[string]bool{first, last} {
		for w := range set {
			if (lower[w] >= minLowerUses || knownOrdinary[w]) && common[w] == "" {
				common[w] = "o"
			}
		}
	}
	var tagged []string
	for w, tag := range common {
		tagged = append(tagged, w+" "+tag)
	}
	sort.Strings(tagged)
	writeList(filepath.Join(*out, "vanliga.txt.gz"), tagged)

	var postcodes []string
	for _, rec := range readCSV(filepath.Join(lex, "places-sv", "geodata-postal_to_municipality.csv"))[1:] {
		postcodes = append(postcodes, rec[0]+" "+rec[1])
	}
	sort.Strings(postcodes)
	writeList(filepath.Join(*out, "postnummer.txt.gz"), postcodes)
	fmt.Printf("first %d, last %d, common %d, postcodes %d\n", len(first), len(last), len(common), len(postcodes))
}

// plainName keeps one-word names made of letters, hyphens and apostrophes:
// the scanner matches one token per name part.
func plainName(s string) bool {
	if s == "" || !unicode.IsUpper([]rune(s)[0]) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return false
		}
	}
	return true
}

func readCounts(path string) map[string]int {
	m := map[string]int{}
	for _, rec := range readCSV(path)[1:] {
		n, err := strconv.Atoi(rec[1])
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		m[rec[0]] += n
	}
	return m
}

func readCSV(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return recs
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// lowerCaseWords counts words written in lower case in the Swedish training
// texts: a name that occurs there in lower case is also an ordinary word.
func lowerCaseWords(dir string) map[string]int {
	counts := map[string]int{}
	for _, f := range []string{"absabank-imm/train.jsonl", "swefaq/train.jsonl"} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var row struct{ Text, Answer string }
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				log.Fatalf("%s: %v", f, err)
			}
			for _, w := range strings.FieldsFunc(row.Text+" "+row.Answer, func(r rune) bool { return !unicode.IsLetter(r) }) {
				if w == strings.ToLower(w) {
					counts[w]++
				}
			}
		}
		fh.Close()
	}
	return counts
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func writeList(path string, lines []string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.WriteString(zw, strings.Join(lines, "\n")+"\n"); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
