// Package model is the small statistical model of the moderation
// classifier: logistic regression with several outputs (heads) over hashed
// features of a comment — its words, pairs of words and the character
// n-grams of each word, which let it recognise inflected and misspelt forms
// it never saw ("hotade", "hotfulla", "h0t").
//
// The model is trained offline from open labelled data and Tilltal's own
// examples (internal/moderation/train) and shipped inside the binary as a
// compressed weights file: classifying needs no network and no files.
package model

import (
	"unicode/utf8"

	"tilltal/internal/moderation/token"
)

// Bits is log2 of the number of feature buckets. 2^16 buckets keep the
// weights (with all heads of a bucket side by side) within a few
// megabytes, so that a lookup is one cache line.
const Bits = 16

// Buckets is the number of feature buckets.
const Buckets = 1 << Bits

// The n-gram lengths taken from each word, with "<" and ">" marking its ends.
const (
	minGram = 3
	maxGram = 5
)

// maxWord bounds the characters of a word that give n-grams: a 500-letter
// "word" is noise, and must not cost 1,500 features.
const maxWord = 24

// FNV-1a, 32 bits.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func step(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = step(h, s[i])
	}
	return h
}

// Features appends the feature buckets of a tokenised text to dst.
func Features(toks []token.Token, dst []uint32) []uint32 {
	var offs [maxWord + 3]int
	prev := ""
	for _, t := range toks {
		switch t.Kind {
		case token.Punct, token.Quote:
			if t.Kind == token.Punct && t.Text != "," {
				// "?" and "!" say much about a comment; commas little.
				dst = append(dst, bucket(hashString(step(fnvOffset, 'p'), t.Text)))
			}
			if t.Ends() {
				prev = ""
			}
			continue
		case token.URL:
			dst = append(dst, bucket(hashString(step(fnvOffset, 'u'), t.Text)))
			prev = ""
			continue
		}
		dst = append(dst, bucket(hashString(step(fnvOffset, 'w'), t.Text)))
		if prev != "" {
			h := hashString(step(fnvOffset, 'b'), prev)
			dst = append(dst, bucket(hashString(step(h, ' '), t.Text)))
		} else {
			// The first word of a sentence: "hur", "när", "kan" start questions.
			dst = append(dst, bucket(hashString(step(fnvOffset, 's'), t.Text)))
		}
		prev = t.Text
		if t.Kind == token.Word {
			dst = grams(t.Text, offs[:0], dst)
		}
	}
	return dst
}

// grams appends the character n-grams of word w.
func grams(w string, offs []int, dst []uint32) []uint32 {
	// offs holds the byte offset of each rune of "<" + w + ">", with the
	// markers at virtual offsets -1 and the end of the last rune taken.
	offs = append(offs, -1)
	end := 0
	for end < len(w) && len(offs) <= maxWord {
		_, n := utf8.DecodeRuneInString(w[end:])
		offs = append(offs, end)
		end += n
	}
	offs = append(offs, end) // ">"
	n := len(offs)
	for g := minGram; g <= maxGram; g++ {
		for i := 0; i+g <= n; i++ {
			h := step(fnvOffset, byte('0'+g))
			for k := i; k < i+g; k++ {
				h = runeAt(h, w, offs, k)
			}
			dst = append(dst, bucket(h))
		}
	}
	return dst
}

// runeAt hashes the k-th rune of "<" + w + ">" given the rune offsets.
func runeAt(h uint32, w string, offs []int, k int) uint32 {
	switch {
	case offs[k] < 0:
		return step(h, '<')
	case k == len(offs)-1:
		return step(h, '>')
	}
	return hashString(h, w[offs[k]:offs[k+1]])
}

func bucket(h uint32) uint32 {
	// Mix the high bits in: FNV's low bits alone are weak.
	h ^= h >> 16
	return h & (Buckets - 1)
}
