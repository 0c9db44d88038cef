package score

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Category is a kind of content that needs moderation. All but Harassment
// are crimes that §5 of the law on electronic bulletin boards (1998:112)
// obliges whoever runs a comment field to remove.
type Category uint8

// The categories, in the order of the law's list, then harassment.
const (
	// Threat is olaga hot (BrB 4:5): a threat of a crime against a person or property.
	Threat Category = iota
	// Integrity is olaga integritetsintrång (BrB 4:6 c): spreading intimate
	// images or sensitive facts (health, sex life, crimes, identity data) to harm someone.
	Integrity
	// Incitement is uppvigling (BrB 16:5): urging others to commit crimes or defy the law.
	Incitement
	// Hate is hets mot folkgrupp (BrB 16:8): threats or contempt against a
	// group for its ethnicity, colour, origin, faith, sexual orientation or transgender identity.
	Hate
	// CSAM is indicators of barnpornografibrott (BrB 16:10 a): offers,
	// requests or trade of child sexual abuse material. Only text signs: the
	// classifier never fetches or looks at media.
	CSAM
	// Violence is olaga våldsskildring (BrB 16:10 c): spreading depictions of
	// gross violence or sexual violence, such as execution or torture videos.
	Violence
	// Terrorism is public incitement to terrorism (lagen 2022:666 om straff för terroristbrott).
	Terrorism
	// Copyright is infringement of copyright and related rights (upphovsrättslagen):
	// links to pirate copies, copied articles.
	Copyright
	// Harassment is insults and abuse that are not necessarily criminal but
	// need a moderator's eye.
	Harassment
	// NumCategories is the number of categories.
	NumCategories
)

var categoryNames = [NumCategories]string{"threat", "integrity", "incitement", "hate", "csam", "violence", "terrorism", "copyright", "harassment"}

var categorySwedish = [NumCategories]string{
	"olaga hot", "olaga integritetsintrång", "uppvigling", "hets mot folkgrupp",
	"barnpornografibrott (tecken på)", "olaga våldsskildring", "offentlig uppmaning till terrorism",
	"upphovsrättsintrång", "förolämpning eller trakasserier",
}

// Categories lists every category in order.
func Categories() []Category {
	out := make([]Category, NumCategories)
	for i := range out {
		out[i] = Category(i)
	}
	return out
}

// String returns the category's stable identifier ("threat", "hate", …),
// used in JSON and on the command line.
func (c Category) String() string {
	if c < NumCategories {
		return categoryNames[c]
	}
	return fmt.Sprintf("category(%d)", c)
}

// Swedish returns the category's name for an editor ("olaga hot").
func (c Category) Swedish() string {
	if c < NumCategories {
		return categorySwedish[c]
	}
	return c.String()
}

// Criminal reports whether the category is a crime on the law's list.
func (c Category) Criminal() bool { return c < Harassment }

// ParseCategory returns the category with the given identifier.
func ParseCategory(s string) (Category, error) {
	for i, n := range categoryNames {
		if n == s {
			return Category(i), nil
		}
	}
	return 0, fmt.Errorf("okänd kategori %q", s)
}

// MarshalText makes a category appear by its identifier in JSON.
func (c Category) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a category's identifier.
func (c *Category) UnmarshalText(b []byte) error {
	p, err := ParseCategory(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// Scores holds one score in [0, 1] per category. In JSON it is an object
// keyed by category identifier.
type Scores [NumCategories]float64

// MarshalJSON writes the scores as {"threat": 0.93, …}, rounded to three
// decimals, in category order.
func (s Scores) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, categoryNames[i]...)
		b = append(b, '"', ':')
		b = appendScore(b, v)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads scores written by MarshalJSON.
func (s *Scores) UnmarshalJSON(b []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, v := range m {
		c, err := ParseCategory(k)
		if err != nil {
			return err
		}
		s[c] = v
	}
	return nil
}

// appendScore appends v rounded to three decimals.
func appendScore(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, math.Round(v*1000)/1000, 'f', -1, 64)
}
