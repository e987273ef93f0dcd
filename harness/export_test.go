package harness

import (
	"testing"

	"github.com/corsproof/corsproof/scenarios"
)

// Test helpers the external harness_test package uses: its tests drive
// the runner, which imports this package.

// SharedTestBrowser is the one browser this test binary starts.
func SharedTestBrowser() *Browser { return testBrowser }

// WPTSampleCases serves the WPT sample's plain cross-origin cases and
// returns them.
func WPTSampleCases(t *testing.T) []scenarios.Case {
	cases, _ := wptSampleCases(t)
	return cases
}
