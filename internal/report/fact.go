package report

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"tilltal/internal/calendar"
)

// Fact is what a report needs of one incoming item: when it arrived (as
// an hour of the week and a kind of time) and how long the first answer
// took.
type Fact struct {
	// Wait is the time to the first answer in seconds, Unanswered when
	// there is none.
	Wait uint32
	// How is the hour of the week it arrived in, 0 = Monday 00–01.
	How uint8
	// Period is the kind of time it arrived in.
	Period calendar.Period
	// Question and Positive say what kind of item it is.
	Question bool
	Positive bool
}

// Unanswered marks a fact without an answer.
const Unanswered = math.MaxUint32

// Answered reports whether the item got a first answer.
func (f Fact) Answered() bool { return f.Wait != Unanswered }

// factSize is the packed size of a fact: wait (4 bytes), hour of the week,
// period, and a byte of bits.
const factSize = 8

const (
	bitQuestion = 1 << iota
	bitPositive
)

// packFacts encodes facts for report_days.facts.
func packFacts(facts []Fact) []byte {
	b := make([]byte, len(facts)*factSize)
	for i, f := range facts {
		o := i * factSize
		binary.LittleEndian.PutUint32(b[o:], f.Wait)
		b[o+4] = f.How
		b[o+5] = uint8(f.Period)
		var bits uint8
		if f.Question {
			bits |= bitQuestion
		}
		if f.Positive {
			bits |= bitPositive
		}
		b[o+6] = bits
	}
	return b
}

// unpackFacts decodes report_days.facts, appending to dst.
func unpackFacts(dst []Fact, b []byte) ([]Fact, error) {
	if len(b)%factSize != 0 {
		return dst, fmt.Errorf("report: facts of %d bytes", len(b))
	}
	for o := 0; o < len(b); o += factSize {
		f := Fact{Wait: binary.LittleEndian.Uint32(b[o:]), How: b[o+4], Period: calendar.Period(b[o+5])}
		if f.How >= 168 || int(f.Period) >= len(calendar.Periods) {
			return dst, fmt.Errorf("report: fact out of range at %d", o)
		}
		f.Question = b[o+6]&bitQuestion != 0
		f.Positive = b[o+6]&bitPositive != 0
		dst = append(dst, f)
	}
	return dst, nil
}

// waitSeconds is the wait from posted to first as a fact stores it: whole
// seconds, never negative (a platform clock a little ahead of ours), and
// capped below Unanswered.
func waitSeconds(posted time.Time, first *time.Time) uint32 {
	if first == nil {
		return Unanswered
	}
	d := first.Sub(posted)
	if d < 0 {
		return 0
	}
	s := int64(d / time.Second)
	if s >= Unanswered {
		return Unanswered - 1
	}
	return uint32(s)
}
