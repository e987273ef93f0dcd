// Package testbrowser is the one Chromium of a test binary, launched by
// the first test that needs it and closed by Main: tests without a browser
// pay nothing, and a binary never runs two (tests must be fast on a
// shared 2-core machine). For packages outside harness; harness's own
// tests launch theirs in TestMain.
package testbrowser

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/mirror"
)

var (
	once    sync.Once
	browser *harness.Browser
	err     error
)

// Get returns the test binary's browser, launching it on first use. The
// machine running the tests may be busy, so one case gets a generous 10 s.
func Get(t testing.TB) *harness.Browser {
	t.Helper()
	once.Do(func() {
		// Launched as a --try-fix run launches its browser: accepting the
		// key of this process's mirrors, so that a test's https fixes are
		// proved in this browser too.
		var pin string
		if pin, err = mirror.KeyPin(); err != nil {
			return
		}
		browser, err = harness.Launch(context.Background(), harness.Options{Timeout: 10 * time.Second, MirrorPins: []string{pin}})
	})
	if err != nil {
		t.Fatalf("these tests need Chromium: %v", err)
	}
	return browser
}

// Main runs the tests, then closes the browser if one was launched; a
// browser that does not close cleanly fails the binary.
func Main(m *testing.M) {
	code := m.Run()
	if browser != nil {
		if err := browser.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing browser:", err)
			code = 1
		}
	}
	os.Exit(code)
}
