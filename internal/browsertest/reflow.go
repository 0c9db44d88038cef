package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ReflowWidth is the viewport width, in CSS pixels, at which WCAG 1.4.10
// (Reflow) wants content to need no horizontal scrolling: a 1280 px wide
// window zoomed to 400 %.
const ReflowWidth = 320

// overflowJS returns the page's scroll width at the current viewport and
// up to five elements that stick out of it: boxes wider than the viewport,
// or text wider than its box. Elements inside their own scroll container
// (a wide table in a scrolling wrapper) are allowed, as 1.4.10 allows.
const overflowJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '');
  const find = allowScrollers => {
    const wide = [];
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || (allowScrollers && scrolls(e))) continue;
      const textWider = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0;
      if (r.right > vw + 1 || textWider) wide.push(e);
    }
    return wide;
  };
  // An absolutely positioned element escapes a scroll container that is
  // not positioned: when nothing else explains the width, look inside.
  let wide = find(true);
  if (wide.length === 0 && document.documentElement.scrollWidth > vw) wide = find(false);
  // Name the innermost culprits: a box that is wide only because of a
  // wide child is not news.
  const out = wide.filter(e => !wide.some(d => d !== e && e.contains(d))).slice(0, 5).map(e => {
    const r = e.getBoundingClientRect();
    return name(e) + ' "' + (e.textContent || '').trim().slice(0, 40) + '" right=' + Math.round(Math.max(r.right, r.left + e.scrollWidth));
  });
  return {width: document.documentElement.scrollWidth, offenders: out};
})()`

// Overflow reports how wide the page in the tab is when the viewport is
// ReflowWidth wide, and which elements make it wider. The viewport is
// restored afterwards.
func Overflow(ctx context.Context) (width int, offenders []string, err error) {
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil {
		return 0, nil, fmt.Errorf("browsertest: read the viewport: %w", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(ReflowWidth, 640)); err != nil {
		return 0, nil, fmt.Errorf("browsertest: narrow the viewport: %w", err)
	}
	defer func() {
		if rerr := restoreViewport(ctx, before); rerr != nil && err == nil {
			err = rerr
		}
	}()
	// Measure only once the page has laid itself out at the new width.
	if ok, err := until(ctx, fmt.Sprintf(`window.innerWidth === %d`, ReflowWidth)); err != nil || !ok {
		return 0, nil, fmt.Errorf("browsertest: the viewport did not narrow to %d px (%v)", ReflowWidth, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Width     int      `json:"width"`
		Offenders []string `json:"offenders"`
	}](overflowJS))
	if err != nil {
		return 0, nil, fmt.Errorf("browsertest: measure overflow: %w", err)
	}
	return res.Width, res.Offenders, nil
}

// CheckReflow fails t when the page in the tab scrolls sideways at a
// ReflowWidth wide viewport (WCAG 1.4.10), naming what sticks out.
func CheckReflow(t testing.TB, ctx context.Context) {
	t.Helper()
	w, offenders, err := Overflow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w > ReflowWidth {
		t.Errorf("%s: at %d px the page is %d px wide (WCAG 1.4.10 Reflow); sticking out:\n  %s",
			pageURL(ctx), ReflowWidth, w, strings.Join(offenders, "\n  "))
	}
}

// restoreViewport drops the emulated size and waits until the page is as
// wide as it was, so that the checks that follow see the normal layout.
func restoreViewport(ctx context.Context, width int) error {
	if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		return fmt.Errorf("browsertest: restore the viewport: %w", err)
	}
	if ok, err := until(ctx, fmt.Sprintf(`window.innerWidth === %d`, width)); err != nil || !ok {
		return fmt.Errorf("browsertest: the viewport did not return to %d px (%v)", width, err)
	}
	return nil
}
