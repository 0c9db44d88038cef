package pii

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed data/*.gz
var dataFS embed.FS

// wordClass tags a name token that is also an ordinary Swedish word.
type wordClass uint8

const (
	// plainWord: not a common word.
	plainWord wordClass = iota
	// ordinaryWord: an ordinary word that is also a name ("Per", "Björn"):
	// as a name it is less certain, above all at the start of a sentence.
	ordinaryWord
	// functionWord: a stop word ("Till", "Vi") that never starts a name.
	functionWord
)

// lexicon holds the name, common-word and postcode sets, keyed in lower case.
type lexicon struct {
	first     map[string]struct{}
	last      map[string]struct{}
	common    map[string]wordClass
	postcodes map[int]string // postcode -> locality in lower case
}

var (
	lexOnce sync.Once
	lex     *lexicon
)

// theLexicon parses the embedded lists on first use. The data is part of the
// binary, so a failure is a build error and panics.
func theLexicon() *lexicon {
	lexOnce.Do(func() {
		l, err := loadLexicon()
		if err != nil {
			panic(fmt.Sprintf("pii: embedded data: %v", err))
		}
		lex = l
	})
	return lex
}

func loadLexicon() (*lexicon, error) {
	l := &lexicon{
		first:     make(map[string]struct{}, 17000),
		last:      make(map[string]struct{}, 45000),
		common:    make(map[string]wordClass, 1000),
		postcodes: make(map[int]string, 16000),
	}
	err := eachLine("fornamn.txt.gz", func(s string) error { l.first[s] = struct{}{}; return nil })
	if err == nil {
		err = eachLine("efternamn.txt.gz", func(s string) error { l.last[s] = struct{}{}; return nil })
	}
	if err == nil {
		err = eachLine("vanliga.txt.gz", l.addCommon)
	}
	if err == nil {
		err = eachLine("postnummer.txt.gz", l.addPostcode)
	}
	return l, err
}

func (l *lexicon) addCommon(line string) error {
	word, tag, ok := strings.Cut(line, " ")
	if !ok {
		return fmt.Errorf("vanliga: bad line %q", line)
	}
	l.common[word] = ordinaryWord
	if tag == "s" {
		l.common[word] = functionWord
	}
	return nil
}

func (l *lexicon) addPostcode(line string) error {
	code, town, ok := strings.Cut(line, " ")
	if !ok || len(code) != 5 || !allDigits(code) {
		return fmt.Errorf("postnummer: bad line %q", line)
	}
	l.postcodes[num([]byte(code))] = strings.ToLower(town)
	return nil
}

func eachLine(name string, fn func(string) error) error {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			if err := fn(line); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
