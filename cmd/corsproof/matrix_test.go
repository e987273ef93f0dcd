package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/testapi"
)

func TestMatrixUsageErrors(t *testing.T) {
	t.Parallel()
	suite := filepath.Join("..", "..", "target", "demo.yaml")
	browser, err := harness.FindBrowser("")
	if err != nil {
		browser = "/usr/bin/chromium" // only the flag checks before launching run
	}
	tests := []struct {
		desc string
		args []string
		want string
	}{
		{"no suite", []string{"--browser", "a=" + browser}, "matrix needs at least one suite"},
		{"no browser", []string{suite}, `required flag(s) "browser" not set`},
		{"browser without a label", []string{suite, "--browser", browser}, "not LABEL=PATH"},
		{"browser with an empty path", []string{suite, "--browser", "a="}, "not LABEL=PATH"},
		{"a label used twice", []string{suite, "--browser", "a=" + browser, "--browser", "a=" + browser}, `the label "a" is used twice`},
		{"a browser that does not exist", []string{suite, "--browser", "a=/nonexistent/chromium"}, "--browser a:"},
		{"an unknown output", []string{suite, "--browser", "a=" + browser, "-o", "junit"}, `--output: unknown matrix format "junit"`},
		{"a report without a path", []string{suite, "--browser", "a=" + browser, "--report", "html"}, `--report: report "html": want FORMAT=PATH`},
		{"a report in an unknown format", []string{suite, "--browser", "a=" + browser, "--report", "pdf=x.pdf"}, `unknown matrix format "pdf"`},
		{"a bad timeout", []string{suite, "--browser", "a=" + browser, "--timeout", "0s"}, "--timeout must be positive"},
		{"a suite that does not exist", []string{"testdata/nope.yaml", "--browser", "a=" + browser}, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := execute(t, newMatrixCmd, tt.args...)
			assert.Equal(t, ExitUsage, code, "stderr: %s", errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

// TestMatrixRealBrowsers runs a few demo cases on Chromium and its headless
// shell against the built-in target: one browser build on both, so every
// verdict must agree and the table must list every case once.
func TestMatrixRealBrowsers(t *testing.T) {
	if testing.Short() {
		t.Skip("launches two browsers")
	}
	full, err := harness.FindBrowser("")
	if err != nil {
		t.Skip("no Chromium:", err)
	}
	shell, err := harness.FindBrowser("chromium-headless-shell")
	if err != nil {
		t.Skip("no chromium-headless-shell:", err)
	}
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	suite := filepath.Join(dir, "small.yaml")
	require.NoError(t, os.WriteFile(suite, []byte(`version: 1
name: small
target: `+srv.URL+`
defaults:
  origin: https://app.example.test
  request: {api: fetch, credentials: omit}
cases:
  - name: open route allows a simple GET
    request: {method: GET, url: /api/open}
  - name: allow-list refuses an origin it does not list
    origin: https://evil.example.test
    request: {method: GET, url: /api/allowlist}
  - name: custom header missing from Allow-Headers
    request: {method: POST, url: /api/missing-allow-headers, headers: {X-Token: abc}}
`), 0o644))
	md := filepath.Join(dir, "matrix.md")
	var stdout, stderr bytes.Buffer
	mo := &matrixOptions{f: &factory{stdout: &stdout, stderr: &stderr}, files: []string{suite}, browser: defaultBrowserFlags(),
		browsers: []string{"full=" + full, "shell=" + shell}, reports: []string{"markdown=" + md}, output: "json", quiet: true}
	require.NoError(t, runMatrix(context.Background(), mo), "stderr: %s", stderr.String())
	out := stdout.String()

	var got struct {
		Columns []struct{ Label, Browser string }
		Cases   int
		Rows    []struct {
			Case    string
			Differs bool
			Cells   []struct {
				Outcome *struct {
					Verdict   string `json:"verdict"`
					CorsError string `json:"cors_error"`
				} `json:"outcome"`
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got.Columns, 2)
	assert.Contains(t, got.Columns[0].Browser, "Chromium")
	assert.Equal(t, 3, got.Cases)
	verdicts := map[string]string{}
	for _, r := range got.Rows {
		assert.False(t, r.Differs, "%s differs between Chromium and its headless shell", r.Case)
		require.Len(t, r.Cells, 2)
		require.NotNil(t, r.Cells[0].Outcome)
		verdicts[r.Case] = r.Cells[0].Outcome.Verdict + " " + r.Cells[0].Outcome.CorsError
	}
	assert.Equal(t, map[string]string{
		"open route allows a simple GET":                "allowed ",
		"allow-list refuses an origin it does not list": "blocked MissingAllowOriginHeader",
		"custom header missing from Allow-Headers":      "blocked HeaderDisallowedByPreflightResponse",
	}, verdicts)
	report, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Contains(t, string(report), "3 cases on 2 browsers · 0 differ")
}

// TestMatrixAcrossEngines runs the demo suite on Chromium and Firefox: the
// per-engine table, with the normalised reason compared by the same rules
// as across Chromium versions. On the demo the engines agree everywhere
// (measured: Chromium 156, Firefox ESR 153 and 140).
func TestMatrixAcrossEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("launches two browsers")
	}
	chromium, err := harness.FindBrowser("")
	if err != nil {
		t.Skip("no Chromium:", err)
	}
	firefox, err := harness.FindEngineBrowser(harness.EngineFirefox, "")
	if err != nil {
		if os.Getenv("CORSPROOF_REQUIRE_FIREFOX") != "" {
			t.Fatal(err)
		}
		t.Skip("no Firefox:", err)
	}
	var stdout, stderr bytes.Buffer
	mo := &matrixOptions{f: &factory{stdout: &stdout, stderr: &stderr}, demo: true, browser: defaultBrowserFlags(),
		browsers: []string{"chromium=" + chromium, "firefox=" + firefox}, output: "text", quiet: true}
	require.NoError(t, runMatrix(context.Background(), mo), "stderr: %s", stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "18 cases on 2 browsers · 0 differ")
	assert.Regexp(t, `firefox +Firefox 1\d\d\.`, out, "the Firefox column names its version")
	// The Firefox cell names Firefox's own code first, as the run's
	// reports do; the row compares the common name and does not differ.
	assert.Regexp(t, `custom header missing from Allow-Headers +blocked HeaderDisallowedByPreflightResponse \(x-… +blocked CORSMissingAllowHeaderFromPreflight = H…`, out)
}

func TestEngineFromBrowserPath(t *testing.T) {
	if _, err := harness.FindEngineBrowser(harness.EngineFirefox, ""); err != nil {
		t.Skip("no Firefox:", err)
	}
	for _, tc := range []struct {
		desc, engine, path, want string
	}{
		{"default is chromium", "", "", harness.EngineChromium},
		{"a firefox binary names the engine", "", "/usr/bin/firefox-esr", harness.EngineFirefox},
		{"an explicit engine wins", harness.EngineFirefox, "", harness.EngineFirefox},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			bf := defaultBrowserFlags()
			bf.engine, bf.path = tc.engine, tc.path
			cfg, err := bf.config(nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.Browser.Engine)
		})
	}
	bf := defaultBrowserFlags()
	bf.engine = "webkit"
	_, err := bf.config(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--engine")
}
