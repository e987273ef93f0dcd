package harness

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// The Firefox of this test binary: started by the first test that needs
// it, closed by TestMain (closeFirefox), one for every Firefox test.
var (
	firefoxOnce    sync.Once
	firefoxBrowser *Browser
	firefoxErr     error
)

// testFirefox returns the binary's Firefox. Without one installed the test
// is skipped, unless $CORSPROOF_REQUIRE_FIREFOX is set (CI sets it).
func testFirefox(t *testing.T) *Browser {
	t.Helper()
	if _, err := FindEngineBrowser(EngineFirefox, ""); err != nil {
		if os.Getenv("CORSPROOF_REQUIRE_FIREFOX") != "" {
			t.Fatalf("CORSPROOF_REQUIRE_FIREFOX is set but: %v", err)
		}
		t.Skipf("no Firefox here (apt-get install firefox-esr to run the Firefox tests): %v", err)
	}
	firefoxOnce.Do(func() {
		firefoxBrowser, firefoxErr = LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, Timeout: 10 * time.Second,
			Sinks: []string{"app.example.test"}})
	})
	if firefoxErr != nil {
		t.Fatalf("launching firefox: %v", firefoxErr)
	}
	return firefoxBrowser
}

// closeFirefox closes the binary's Firefox, if a test started it.
func closeFirefox() error {
	if firefoxBrowser == nil {
		return nil
	}
	return firefoxBrowser.Close()
}

func TestFirefoxVerdicts(t *testing.T) {
	b := testFirefox(t)
	checkVerdicts(t, b, verdictCases(t))
}

// TestFirefoxVerdictsOtherESR runs the verdict cases on a second Firefox
// named by $CORSPROOF_FIREFOX_OTHER (make browsers unpacks ESR 140 into
// browsers/firefox-140), when there is one.
func TestFirefoxVerdictsOtherESR(t *testing.T) {
	path := os.Getenv("CORSPROOF_FIREFOX_OTHER")
	if path == "" {
		t.Skip("set CORSPROOF_FIREFOX_OTHER to a second Firefox to run the verdict cases on it")
	}
	b, err := LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, Path: path, Timeout: 10 * time.Second, Sinks: []string{"app.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	t.Log(b.Version())
	checkVerdicts(t, b, verdictCases(t))
}
