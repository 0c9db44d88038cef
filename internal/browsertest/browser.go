// Package browsertest drives a real headless Chromium for tests of the web
// interface: it starts the browser, opens isolated tabs, offers the few
// actions a test needs (navigate, fill, click, read) and checks pages for
// WCAG 2.1 AA problems with axe-core and for structural HTML mistakes.
//
// Chromium is found through TILLTAL_CHROMIUM, else as /usr/bin/chromium or
// a chromium or google-chrome on PATH. Without one, a test is skipped with a
// message, except under CI=true, where that is a failure (.ci/install-browser
// installs it).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tabTimeout bounds everything one tab does, so that a page that never
// loads fails its test with a message instead of hanging the test binary.
const tabTimeout = 90 * time.Second

// Browser is one running headless Chromium. Start it once in a parent test
// and share it across subtests: every Tab has its own cookies and storage,
// so subtests may run in parallel.
type Browser struct {
	ctx context.Context
}

// candidates are the executables tried, in order, when TILLTAL_CHROMIUM is
// not set.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// ExecPath returns the Chromium executable to use, or an error saying where
// it looked.
func ExecPath() (string, error) {
	if p := os.Getenv("TILLTAL_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("TILLTAL_CHROMIUM=%s is not an executable: %w", p, err)
		}
		return found, nil
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (tried TILLTAL_CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, google-chrome, headless-shell); run .ci/install-browser")
}

// New starts a headless Chromium on a fresh profile, closed when t ends.
// Without Chromium it skips t, or fails it under CI=true.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := ExecPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browsertest: Chromium is required under CI: %v", err)
		}
		t.Skipf("browsertest: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// The test machines have no network beyond loopback: without these,
		// Chromium keeps trying to reach Google's services.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Tab opens a new tab in a browser context of its own (its own cookies),
// closed when t ends. Use the returned context with the actions of this
// package; do not share it between goroutines.
func (b *Browser) Tab(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: open tab: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(tcancel)
	return tctx
}
