package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	f, _, _ := testFactory(t)
	run := func(args ...string) (ExitCode, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		root := newRootCmd(&factory{stdout: &stdout, stderr: &stderr, browser: f.browser})
		root.SetArgs(args)
		return exitCode(context.Background(), root.ExecuteContext(context.Background())), stdout.String(), stderr.String()
	}
	code, whole, stderr := run("run", suite, "-o", "json")
	require.Equal(t, ExitOK, code, stderr)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	require.NoError(t, os.WriteFile(baseline, []byte(whole), 0o644))

	code, _, stderr = run("run", suite, "--shard", "1/2", "--baseline", baseline, "-q")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "no changes in 2 cases")
	assert.Contains(t, stderr, "2 of its cases belong to other shards of --shard 1/2 and are compared there")
	assert.NotContains(t, stderr, "only in the old run")
}
