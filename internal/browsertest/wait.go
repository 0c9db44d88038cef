package browsertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// settleTimeout bounds how long a page may take to reach a state that
// follows from an action (focus moving after Enter, a viewport change
// taking effect). It is a ceiling against hangs, not a speed requirement.
const settleTimeout = 5 * time.Second

// until evaluates the JavaScript condition cond until it is true, from Go
// rather than with a page timer, so that it also works in a tab whose
// scripts are turned off. It returns false when settleTimeout passes.
func until(ctx context.Context, cond string) (bool, error) {
	deadline := time.Now().Add(settleTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err != nil || ok {
			return ok, err
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WaitFocus waits until the element that has keyboard focus matches the
// CSS selector sel, and fails t with the focused element when it does not.
func WaitFocus(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	ok, err := until(ctx, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(sel)))
	if err != nil {
		t.Fatalf("browsertest: wait for focus on %s: %v", sel, err)
	}
	if !ok {
		t.Fatalf("browsertest: focus is on %q, want %s", Focused(t, ctx), sel)
	}
}
