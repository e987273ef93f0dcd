package harness_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// TestTryFixOnTheWPTSample proves, in Chromium, that every case of the
// WPT sample the browser blocks for a reason a header change can fix is
// allowed after corsproof's first fix, applied by --try-fix's mirror.
func TestTryFixOnTheWPTSample(t *testing.T) {
	suite := &scenarios.Suite{Name: "wpt", Cases: harness.WPTSampleCases(t)}
	run, err := runner.Run(context.Background(), runner.Config{Reuse: harness.SharedTestBrowser(), TryFix: true, Jobs: 2}, []*scenarios.Suite{suite}, runner.Hooks{})
	require.NoError(t, err)
	tried := 0
	for _, rec := range run.Records {
		if rec.Verdict != cors.VerdictBlocked || !rec.CorsError.HeaderFixable() {
			continue
		}
		t.Run(rec.Name, func(t *testing.T) {
			d := rec.Diagnosis
			require.NotNil(t, d)
			require.True(t, d.FixHeaders.HasChanges(), "a header change can fix it: %s", d.Fix)
			require.NotNil(t, d.FixCheck)
			tried++
			assert.True(t, d.FixCheck.Verified, "%s\nfix: %s", d.FixCheck.Summary, d.Fix)
		})
	}
	t.Logf("WPT sample in Chromium: %d blocked cases, each fixed in one round", tried)
	assert.Greater(t, tried, 10)
}
