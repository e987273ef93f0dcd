package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShardBaseline: each CI job runs its shard against the whole saved
// run (yesterday's merge); the cases of the other shards are not "only in
// the old run", and nothing changed, so the job passes.
func TestShardBaseline(t *testing.T) {
	suite := suiteFile(t, `cases:
  - {name: a, origin: https://app.example.test, request: {url: /api/open?c=a}, expect: {verdict: allowed}}
  - {name: b, origin: https://app.example.test, request: {url: /api/open?c=b}, expect: {verdict: allowed}}
  - {name: c, origin: https://app.example.test, request: {url: /api/no-cors?c=c}, expect: {verdict: blocked}}
  - {name: d, origin: https://app.example.test, request: {url: /api/open?c=d}, expect: {verdict: allowed}}
`)
	run := func(args ...string) (ExitCode, string, string) { t.Helper(); return cliRun(t, args...) }
	code, whole, stderr := run("run", suite, "-o", "json")
	require.Equal(t, ExitOK, code, stderr)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	require.NoError(t, os.WriteFile(baseline, []byte(whole), 0o644))

	code, _, stderr = run("run", suite, "--shard", "1/2", "--baseline", baseline, "-q")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "no changes in 2 cases")
	assert.Contains(t, stderr, "2 of its cases belong to other shards of --shard 1/2 and are compared there")
	assert.NotContains(t, stderr, "only in the old run")

	// --case runs a part too: the cases it left out are not removed ones.
	code, _, stderr = run("run", suite, "--case", "c", "--case", "d", "--baseline", baseline, "-q")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "no changes in 2 cases")
	assert.Contains(t, stderr, "2 of its cases were left out by --case")
	assert.NotContains(t, stderr, "only in the old run")
	code, _, stderr = run("run", suite, "--case", "?", "--shard", "2/2", "--baseline", baseline, "-q")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "were left out by --case or belong to other shards of --shard 2/2")
}

// TestBaselineInTheJSON: a script reads the baseline comparison from the
// run's JSON (and the JSON Lines' last line), not only from stderr.
func TestBaselineInTheJSON(t *testing.T) {
	suite := suiteFile(t, `cases:
  - {name: a, origin: https://app.example.test, request: {url: /api/open?c=a}}
  - {name: b, origin: https://app.example.test, request: {url: /api/no-cors?c=b}}
`)
	run := func(args ...string) (ExitCode, string, string) { t.Helper(); return cliRun(t, args...) }
	code, whole, stderr := run("run", suite, "-o", "json")
	require.Equal(t, ExitOK, code, stderr)
	// Yesterday, b was allowed.
	var saved map[string]any
	require.NoError(t, json.Unmarshal([]byte(whole), &saved))
	recs := saved["records"].([]any)
	b := recs[1].(map[string]any)
	require.Equal(t, "b", b["name"])
	b["verdict"], b["cors_error"] = "allowed", ""
	delete(saved, "totals") // recounted from the records
	old, err := json.Marshal(saved)
	require.NoError(t, err)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	require.NoError(t, os.WriteFile(baseline, old, 0o644))
	lines := filepath.Join(t.TempDir(), "run.jsonl")

	code, out, stderr := run("run", suite, "--baseline", baseline, "-o", "json", "--report", "jsonl="+lines)
	assert.Equal(t, ExitFailed, code, "a change fails the run: %s", stderr)
	var got struct {
		Baseline struct {
			File    string `json:"file"`
			Changes []struct {
				Case   string `json:"case"`
				Kind   string `json:"kind"`
				Fields []struct{ Field, Old, New string }
			} `json:"changes"`
		} `json:"baseline"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, baseline, got.Baseline.File)
	require.Len(t, got.Baseline.Changes, 1, out)
	c := got.Baseline.Changes[0]
	assert.Equal(t, "b", c.Case)
	assert.Equal(t, "changed", c.Kind)
	require.NotEmpty(t, c.Fields)
	assert.Equal(t, "verdict", c.Fields[0].Field)
	assert.Equal(t, "allowed", c.Fields[0].Old)
	assert.Equal(t, "blocked", c.Fields[0].New)

	data, err := os.ReadFile(lines)
	require.NoError(t, err)
	all := strings.Split(strings.TrimSpace(string(data)), "\n")
	assert.Contains(t, all[len(all)-1], `"baseline":{"file":`)
	assert.Contains(t, all[len(all)-1], `"kind":"changed"`)
}

// cliRun runs the corsproof command line args with the test browser and
// returns the exit code, stdout and stderr (the error's text included, as
// Main would print it).
func cliRun(t *testing.T, args ...string) (ExitCode, string, string) {
	t.Helper()
	f, _, _ := testFactory(t)
	var stdout, stderr bytes.Buffer
	root := newRootCmd(&factory{stdout: &stdout, stderr: &stderr, browser: f.browser})
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return exitCode(context.Background(), err), stdout.String(), stderr.String()
}
