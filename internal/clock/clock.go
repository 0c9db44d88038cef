// Package clock passes time in explicitly, so that tests can fix it.
package clock

import "time"

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Real is the wall clock.
type Real struct{}

// Now returns the current time in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// Fixed is a clock for tests that returns T until moved.
type Fixed struct{ T time.Time }

// Now returns the fixed time.
func (f *Fixed) Now() time.Time { return f.T }

// Advance moves the fixed clock forward.
func (f *Fixed) Advance(d time.Duration) { f.T = f.T.Add(d) }
