package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// The HTML and Markdown reports, the CI artifacts people read, show what
// changed against the baseline, escaped like everything else in them.
func TestBaselineSection(t *testing.T) {
	rec := result.Record{Name: "c", Suite: "api", Origin: "https://app.example.test", Verdict: cors.VerdictBlocked,
		Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/x"}}
	run := &result.Run{Records: []result.Record{rec}, Baseline: &result.BaselineDiff{
		File: "base.json", Browser: "Chromium 150.0.7871.100", NotCompared: 2,
		Changes: []result.BaselineChange{
			{Suite: "api", Case: "c <script>", Kind: "changed", Fields: []result.BaselineField{{Field: "verdict", Old: "allowed", New: "blocked"}}},
			{Suite: "api", Case: "gone | pipe", Kind: "removed"},
		},
	}}
	var h bytes.Buffer
	require.NoError(t, NewHTML(Options{}).Report(&h, run))
	assert.Contains(t, h.String(), `<section id="baseline">`)
	assert.Contains(t, h.String(), "Compared with the baseline base.json (Chromium 150.0.7871.100): 2 cases changed. 2 cases of the baseline did not run here (other shards, --case) and are not compared.")
	assert.Contains(t, h.String(), "api / c &lt;script&gt;")
	assert.Contains(t, h.String(), "verdict allowed → blocked")
	assert.NotContains(t, h.String(), "c <script>")

	var m bytes.Buffer
	require.NoError(t, NewMarkdown(Options{}).Report(&m, run))
	assert.Contains(t, m.String(), "\n## Baseline\n")
	assert.Contains(t, m.String(), "| api / gone \\| pipe | removed | only in the baseline |")

	// A run without a baseline has no such section.
	run.Baseline = nil
	h.Reset()
	require.NoError(t, NewHTML(Options{}).Report(&h, run))
	assert.NotContains(t, h.String(), `id="baseline"`)
}
