package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/testapi"
)

// Each command's run function takes its options and writers and is tested
// here without cobra; the shared browser stands in for a launch.

// testFactory gives a command buffers for its output and the shared browser.
func testFactory(t *testing.T) (*factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	return &factory{stdout: &stdout, stderr: &stderr, browser: testBrowser(t)}, &stdout, &stderr
}

// suiteFile writes a suite aimed at the built-in target.
func suiteFile(t *testing.T, body string) string {
	t.Helper()
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	path := filepath.Join(t.TempDir(), "suite.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nname: api\ntarget: "+srv.URL+"\n"+body), 0o644))
	return path
}

const twoCases = `defaults:
  origin: https://app.example.test
cases:
  - name: open
    request: {url: /api/open}
    expect: {verdict: allowed}
  - name: no cors headers
    request: {url: /api/no-cors}
    expect: {verdict: blocked, cors_error: MissingAllowOriginHeader}
  - name: wrong expectation
    request: {url: /api/no-cors}
    expect: {verdict: allowed}
`

func decodeRun(t *testing.T, data []byte) *result.Run {
	t.Helper()
	run, _, err := result.Decode(data)
	require.NoError(t, err, "%s", data)
	return run
}

func TestRunCommandFunction(t *testing.T) {
	f, stdout, stderr := testFactory(t)
	lines := filepath.Join(t.TempDir(), "run.jsonl")
	opts := &runOptions{f: f, files: []string{suiteFile(t, twoCases)}, browser: defaultBrowserFlags(),
		out: outputFlags{output: "json", quiet: true, reports: []string{"jsonl=" + lines}}, shard: "1/1"}
	opts.browser.isolation = "fresh"
	err := runRun(context.Background(), opts)
	require.ErrorIs(t, err, errExpectations, stderr.String())
	run := decodeRun(t, stdout.Bytes())
	assert.Equal(t, "fresh", run.Isolation)
	assert.Equal(t, "1/1", run.Shard)
	assert.NotEmpty(t, run.BrowserProduct)
	require.Len(t, run.Records, 3)
	assert.Equal(t, 1, run.Totals.ExpectFail)
	for _, rec := range run.Records {
		assert.Equal(t, "api", rec.Suite)
		assert.Equal(t, opts.files[0], rec.File)
	}
	streamed, err := os.ReadFile(lines)
	require.NoError(t, err)
	again := decodeRun(t, streamed)
	assert.Len(t, again.Records, 3, "the JSON Lines report holds every record")
	assert.Equal(t, "fresh", again.Isolation, "and the run's settings")
}

func TestDemoCommandFunction(t *testing.T) {
	f, stdout, stderr := testFactory(t)
	err := runDemo(context.Background(), &demoOptions{f: f, browser: defaultBrowserFlags(), out: outputFlags{output: "jsonl", quiet: true}})
	require.NoError(t, err, stderr.String())
	run := decodeRun(t, stdout.Bytes())
	assert.Len(t, run.Records, 18)
	assert.Equal(t, 0, run.Totals.ExpectFail, "the demo's expectations all hold")
	// The demo has a null origin, credentials and reflection among its
	// routes: no fix allows null, pairs * with credentials or allows
	// another origin than the page's.
	fixes := 0
	for _, rec := range run.Records {
		if d := rec.Diagnosis; d != nil && d.FixHeaders.HasChanges() {
			fixes++
			assert.Empty(t, d.FixHeaders.Unsafe(rec.Origin, rec.Request.Credentials == "include"), "%s: %s", rec.Name, d.Fix)
		}
	}
	assert.GreaterOrEqual(t, fixes, 10, "the demo's blocked cases have header fixes")
	assert.Equal(t, 1, run.Totals.ModelUnknown, "the timeout is the model's one unknown, apart from agreement")
}

// TestDemoOnFirefox is `corsproof demo --engine firefox`: every case gets a
// verdict and every blocked one Firefox's reason and its Chromium name.
func TestDemoOnFirefox(t *testing.T) {
	if _, err := harness.FindEngineBrowser(harness.EngineFirefox, ""); err != nil {
		if os.Getenv("CORSPROOF_REQUIRE_FIREFOX") != "" {
			t.Fatal(err)
		}
		t.Skip("no Firefox (apt-get install firefox-esr):", err)
	}
	f, stdout, stderr := testFactory(t)
	bf := defaultBrowserFlags()
	bf.engine = harness.EngineFirefox
	err := runDemo(context.Background(), &demoOptions{f: f, browser: bf, out: outputFlags{output: "jsonl", quiet: true}})
	require.NoError(t, err, stderr.String())
	run := decodeRun(t, stdout.Bytes())
	require.Len(t, run.Records, 18)
	assert.Equal(t, "firefox", run.Engine)
	assert.Equal(t, "bidi", run.Driver)
	assert.Equal(t, "fresh", run.Isolation, "Firefox contexts are never reused")
	assert.Equal(t, 0, run.Totals.ExpectFail, "the demo's expectations all hold on Firefox")
	for _, rec := range run.Records {
		assert.Equal(t, result.HeadersFromEvents, rec.HeadersSource, rec.Name)
		if rec.Verdict == "blocked" {
			assert.NotEmpty(t, rec.EngineReason, "%s: Firefox's own reason", rec.Name)
			assert.NotEmpty(t, rec.CorsError, "%s: and its Chromium name", rec.Name)
		}
	}
}

func TestProbeCommandFunction(t *testing.T) {
	f, stdout, stderr := testFactory(t)
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	lines := filepath.Join(t.TempDir(), "probe.jsonl")
	opts := &probeOptions{f: f, url: srv.URL + "/api/open", req: requestFlags{origin: "https://app.example.test", method: "GET",
		credentials: "same-origin", api: "fetch"}, expect: "blocked", browser: defaultBrowserFlags(),
		out: outputFlags{output: "json", reports: []string{"jsonl=" + lines}}}
	require.ErrorIs(t, runProbe(context.Background(), opts), errExpectations, stderr.String())
	var rec result.Record
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rec))
	assert.Equal(t, "allowed", string(rec.Verdict))
	assert.False(t, rec.ExpectMet)
	data, err := os.ReadFile(lines)
	require.NoError(t, err)
	assert.Len(t, decodeRun(t, data).Records, 1, "probe writes a JSON Lines report too")

	stdout.Reset()
	opts.expect, opts.out = "", outputFlags{output: "text", quiet: true}
	require.NoError(t, runProbe(context.Background(), opts))
	assert.Equal(t, "ALLOWED  GET "+opts.url+" from https://app.example.test\n", stdout.String())
}

func TestVerifyCommandFunctionRecordsIsolation(t *testing.T) {
	f, stdout, stderr := testFactory(t)
	runFile := filepath.Join(t.TempDir(), "run.json")
	vo := &verifyOptions{f: f, browser: defaultBrowserFlags(), policy: examplePolicy, target: serve(t, examplePolicy),
		output: "json", quiet: true, reports: []string{"json=" + runFile}}
	vo.browser.isolation = "fresh"
	require.NoError(t, runVerify(context.Background(), vo), stderr.String())
	var rep contract.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	assert.True(t, rep.Conforms)
	assert.Equal(t, "fresh", rep.Isolation)
	assert.NotEmpty(t, rep.BrowserProduct)
	data, err := os.ReadFile(runFile)
	require.NoError(t, err)
	run := decodeRun(t, data)
	assert.Equal(t, "fresh", run.Isolation, "verify --isolation fresh runs fresh and says so")
	assert.NotEmpty(t, run.BrowserProduct)
}

func TestImportGenerateExplainFunctions(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	f := &factory{stdout: &stdout, stderr: &stderr}
	require.NoError(t, runImport(context.Background(), &importCmdOptions{f: f, kind: "curl", file: "-",
		stdin: strings.NewReader(`curl 'https://api.example.test/v1/x' -H 'X-Trace: 1'`), imp: importOptions{origin: "https://app.example.test"}}))
	assert.Contains(t, stdout.String(), "origin: https://app.example.test")

	stdout.Reset()
	require.NoError(t, runGenerate(context.Background(), &generateOptions{f: f, policy: examplePolicy, target: "http://127.0.0.1:8080"}))
	assert.Contains(t, stdout.String(), "version: 1")

	stdout.Reset()
	require.NoError(t, runExplain(context.Background(), &explainOptions{f: f, changed: map[string]bool{},
		req: requestFlags{origin: pageOrigin, method: "PUT", credentials: "same-origin", api: "fetch"}, url: apiURL, output: "text"}))
	assert.Contains(t, stdout.String(), "Preflight:  needed")
}

func TestMergeCommandFunction(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	f := &factory{stdout: &stdout, stderr: &stderr}
	opts := &mergeOptions{f: f, files: []string{"testdata/baseline-old.json"}, out: outputFlags{output: "jsonl"}}
	err := runMerge(context.Background(), opts)
	if err != nil {
		require.ErrorIs(t, err, errExpectations)
	}
	sc := bufio.NewScanner(&stdout)
	n := 0
	for sc.Scan() {
		n++
	}
	assert.Greater(t, n, 2, "merge -o jsonl writes the run, its records and totals")

	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{"testdata/baseline-old.json", "testdata/baseline-old.json"}, out: outputFlags{output: "text"}})
	var h hinter
	require.ErrorAs(t, err, &h, "the same run twice is refused with a hint")
}

// TestMergeOfAnIncompleteShard: a shard whose browser died for good holds
// not-run records, and the merged run is incomplete: exit 3 as the shard's
// own run said, not 1 (or 0 when those cases had no expectation).
func TestMergeOfAnIncompleteShard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	done, cut := filepath.Join(dir, "r1.json"), filepath.Join(dir, "r2.json")
	require.NoError(t, os.WriteFile(done, []byte(`{"suites":["s"],"records":[{"name":"a","suite":"s","verdict":"allowed","expect_met":true}]}`), 0o644))
	require.NoError(t, os.WriteFile(cut, []byte(`{"suites":["s"],"records":[{"name":"b","suite":"s","verdict":"allowed","expect_met":true},`+
		`{"name":"c","suite":"s","verdict":"not-run","fault":"not run: the browser died and could not be relaunched"}]}`), 0o644))
	var stdout, stderr bytes.Buffer
	f := &factory{stdout: &stdout, stderr: &stderr}
	err := runMerge(context.Background(), &mergeOptions{f: f, files: []string{done, cut}, out: outputFlags{output: "text"}})
	assert.Equal(t, ExitIncomplete, exitCode(context.Background(), err), "%v", err)
	assert.ErrorContains(t, err, "run incomplete: 1 of 3 cases not run")
	assert.Contains(t, stdout.String(), "not-run", "the merged report is written all the same")

	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{done}, out: outputFlags{output: "text"}})
	assert.Equal(t, ExitOK, exitCode(context.Background(), err), "%v", err)

	// A damaged input is named once, where the problem is.
	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"run":{}}`+"\n"+`{"name":"a","verd`), 0o644))
	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{bad}, out: outputFlags{output: "text"}})
	assert.EqualError(t, err, bad+": line 2: parsing JSON: unexpected end of JSON input")
	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{filepath.Join(dir, "nope.json")}, out: outputFlags{output: "text"}})
	assert.Equal(t, 1, strings.Count(err.Error(), "nope.json"), err.Error())
}

// TestMergeIntoItsInput merges a saved JSON Lines run into the same file,
// as a job that adds each shard to one results file does: the input is read
// before the report empties it. A merge that fails leaves the report alone.
func TestMergeIntoItsInput(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../result/testdata/run.jsonl")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "all.jsonl")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	var stdout, stderr bytes.Buffer
	f := &factory{stdout: &stdout, stderr: &stderr}
	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{path, "testdata/nope.json"}, out: outputFlags{output: "text", reports: []string{"jsonl=" + path}}})
	require.Error(t, err)
	got, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, string(data), string(got), "a merge that failed reading its inputs kept the report")

	err = runMerge(context.Background(), &mergeOptions{f: f, files: []string{path}, out: outputFlags{output: "text", reports: []string{"jsonl=" + path}}})
	if err != nil {
		require.ErrorIs(t, err, errExpectations)
	}
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	run, _, err := result.Load(path)
	require.NoError(t, err, "%s", got)
	assert.NotEmpty(t, run.Records, "the merged run's records")
}

func TestServeCommandFunction(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &serveOptions{f: &factory{stdout: &stdout, stderr: &stderr}, addr: "127.0.0.1:0",
			shutdownDeadline: time.Second, ready: func(url string) { urls <- url }})
	}()
	select {
	case url := <-urls:
		assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"))
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	}
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, stderr.String(), "target API listening on")
}
